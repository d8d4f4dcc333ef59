// Builds the npm package into dist/npm: ESM JavaScript + .d.ts of mod.ts and cli.ts (tsc with
// tsconfig.npm.json), the shim prebuilt for linux x64 and arm64 (zig cross-compiles them), a
// package.json with `exports` conditions and a `bin`, and the README. One package serves Node
// (through koffi), Bun and Deno (`npm:` specifier or a bare import with node_modules).
// Run: deno run -A scripts/build_npm.ts   |   bun scripts/build_npm.ts   (then `npm pack ./dist/npm`)
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "npm");

/** zig targets of the prebuilt shims, by the `<platform>-<arch>` folder ffi/locate.ts looks in. */
const shimTargets: Record<string, string> = {
  "linux-x64": "x86_64-linux-gnu.2.17",
  "linux-arm64": "aarch64-linux-gnu.2.17",
};

/**
 * The engine packages published on npm (@chdb/lib-<platform>): only linux-x64-gnu exists today,
 * its arm64 and darwin siblings are not on the registry. Add a platform here once it is.
 */
const enginePackages = ["@chdb/lib-linux-x64-gnu"];

function run(command: string, args: string[]): void {
  console.log(`$ ${command} ${args.join(" ")}`);
  const r = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`${command} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

const project = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const versionOf = (name: string): string => {
  const version = project.dependencies?.[name] ?? project.devDependencies?.[name] ??
    project.optionalDependencies?.[name];
  if (!version) throw new Error(`package.json pins no version of ${name}`);
  return version;
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

run(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.npm.json", "--outDir", out]);
// The sources import each npm dependency in one module (src/arrow/apache_arrow.ts): the types from
// `npm:<name>@<version>`, the values from the bare name through a top-level await that falls back to
// `npm:` (Deno without a configuration). The package resolves its dependencies itself, Node's and
// TypeScript's resolution do not know `npm:`, and a top-level await would keep CommonJS code from
// require()-ing the package (Node 20.19+, Bun): its .js imports the bare name statically, its .d.ts
// names it too, and no `npm:` specifier may be left.
const fallback =
  /const (\w+) = await import\("([^"]+)"\)\.catch\(\(bare\) => import\("npm:\2@[^"]+"\)\.catch\(\(\) => \{\s*throw bare;\s*\}\)\);/g;
const emitted = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? emitted(join(dir, e.name)) : /\.(d\.ts|js)$/.test(e.name) ? [join(dir, e.name)] : []
  );
for (const file of emitted(out)) {
  let text = readFileSync(file, "utf8").replace(fallback, 'import * as $1 from "$2";');
  for (const name of Object.keys(project.dependencies)) {
    text = text.replaceAll(`"npm:${name}@${versionOf(name)}"`, `"${name}"`);
  }
  const left = /["']npm:[^"']*["']/.exec(text);
  if (left) {
    throw new Error(
      `${file}: ${left[0]} left (not a dependency at package.json's version, or its import changed shape)`,
    );
  }
  writeFileSync(file, text);
}
// The bin runs under Node; Bun and Deno users run cli.js with their runtime (see README).
const cli = join(out, "cli.js");
writeFileSync(cli, readFileSync(cli, "utf8").replace(/^#!.*\n/, "#!/usr/bin/env node\n"));
chmodSync(cli, 0o755);

for (const [folder, target] of Object.entries(shimTargets)) {
  const prefix = join(root, "zig-out", "npm", folder);
  run("node", [join(root, "scripts", "build_shim.mjs"), `-Dtarget=${target}`, "-Dcpu=baseline", "--prefix", prefix]);
  mkdirSync(join(out, "prebuilt", folder), { recursive: true });
  copyFileSync(join(prefix, "lib", "libchdb_ffi.so"), join(out, "prebuilt", folder, "libchdb_ffi.so"));
}

const manifest = {
  name: project.name,
  version: project.version,
  description: "In-process ClickHouse (libchdb) for Node.js, Bun and Deno through a small C ABI shim",
  license: project.license,
  type: "module",
  exports: {
    ".": { types: "./mod.d.ts", default: "./mod.js" },
    "./cli": { types: "./cli.d.ts", default: "./cli.js" },
    // @clickhouse/client's ClickHouseClient on the embedded engine (clickhouse.ts)
    "./clickhouse": { types: "./clickhouse.d.ts", default: "./clickhouse.js" },
  },
  types: "./mod.d.ts",
  bin: { "chdb-ffi": "./cli.js" },
  os: ["linux"],
  cpu: Object.keys(shimTargets).map((folder) => folder.split("-")[1]),
  engines: { node: ">=20" },
  dependencies: { "apache-arrow": versionOf("apache-arrow"), "@clickhouse/client": versionOf("@clickhouse/client") },
  // koffi is Node's FFI (Bun and Deno do not load it); libchdb comes from the platform package.
  optionalDependencies: {
    koffi: versionOf("koffi"),
    ...Object.fromEntries(enginePackages.map((name) => [name, versionOf(name)])),
  },
  keywords: ["clickhouse", "chdb", "olap", "sql", "arrow", "deno", "bun", "node"],
};
writeFileSync(join(out, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
copyFileSync(join(root, "README.md"), join(out, "README.md"));
if (existsSync(join(root, "LICENSE"))) copyFileSync(join(root, "LICENSE"), join(out, "LICENSE"));
console.log(`npm package in ${out.replace(root + "/", "")}: npm pack ./${out.replace(root + "/", "")}`);
