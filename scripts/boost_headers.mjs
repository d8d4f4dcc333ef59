// Makes boost's header-only containers available to a zig build of bench/hashset_floor.cpp, which
// measures the shim's string set against boost::unordered_flat_set (the shim itself needs no
// boost). zig must see only boost, not all of /usr/include (that would mix the host's glibc
// headers into a glibc-2.17 build), so it includes zig-cache/boost-include, which holds a single
// `boost` link to the real headers.
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";

const NEEDED = join("unordered", "unordered_flat_set.hpp");
const DEBIAN_PACKAGE = "libboost1.81-dev";

function installWithApt() {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
  if (!isRoot || !hasApt) return false;
  console.log(`boost headers missing: apt-get install -y ${DEBIAN_PACKAGE}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", DEBIAN_PACKAGE], { stdio: "inherit", env });
  if (r.status !== 0) {
    spawnSync("apt-get", ["update"], { stdio: "inherit", env });
    r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", DEBIAN_PACKAGE], { stdio: "inherit", env });
  }
  return r.status === 0;
}

/** Returns the include directory to give zig; throws a clear message when boost is missing. */
export function prepareBoostHeaders(root) {
  // BOOST_INCLUDE_DIR: a directory holding `boost/` (e.g. /opt/homebrew/include) instead of /usr/include.
  const parent = process.env.BOOST_INCLUDE_DIR ?? "/usr/include";
  const boost = join(parent, "boost");
  if (!existsSync(join(boost, NEEDED)) && !(parent === "/usr/include" && installWithApt() && existsSync(join(boost, NEEDED)))) {
    throw new Error(
      `the boost candidate of the benchmark needs boost >= 1.81 headers (boost/${NEEDED}), none in ${parent}. ` +
        `Install them (Debian/Ubuntu: apt-get install ${DEBIAN_PACKAGE}; macOS: brew install boost) ` +
        `or set BOOST_INCLUDE_DIR to the directory that contains boost/.`,
    );
  }
  const dir = join(root, "zig-cache", "boost-include");
  const link = join(dir, "boost");
  mkdirSync(dir, { recursive: true });
  let current;
  try {
    current = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : undefined;
  } catch {
    current = undefined;
  }
  if (current !== boost) {
    rmSync(link, { recursive: true, force: true });
    symlinkSync(boost, link);
  }
  return dir;
}
