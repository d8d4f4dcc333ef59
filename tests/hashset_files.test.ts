// StringHashSet.save()/load() against a hostile file system: planted symlinks, FIFOs, devices,
// directories, huge sparse files, headers that lie about their size.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
  ftruncateSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, describe, it } from "node:test";
import { ChdbError, StringHashSet } from "../mod.ts";
import { ROOT, runtime } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "chdb-ffi-hashset-files-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Peak resident memory of this process (VmHWM), in bytes. */
function peakRss(): number {
  const line = readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith("VmHWM:"));
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? NaN) * 1024;
}

/** The 32-byte header of a set file (format version 1) announcing `count` keys and `payload` bytes. */
function header(count: bigint, payload: bigint): Uint8Array {
  const bytes = new Uint8Array(32);
  bytes.set(new TextEncoder().encode("CHFFISET"));
  const view = new DataView(bytes.buffer);
  view.setUint32(8, 1, true);
  view.setBigUint64(16, count, true);
  view.setBigUint64(24, payload, true);
  return bytes;
}

function loadError(path: string): string {
  try {
    StringHashSet.load(path).close();
  } catch (e) {
    assert.ok(e instanceof ChdbError, `${e}`);
    return e.message;
  }
  assert.fail(`loading ${path} succeeded`);
}

/** Loads `path` in a child process; a child that blocks is killed after `guardMs` (a hang guard, not a timing check). */
function loadInChild(path: string, guardMs = 60_000): { error?: string; loaded?: number } {
  const script = join(ROOT, "tests", "fixtures", runtime === "node" ? "hashset_load_child.js" : "hashset_load_child.ts");
  const args = runtime === "deno" ? ["run", "-A", script, path] : [script, path];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: process.env, timeout: guardMs, encoding: "utf8" });
  assert.equal(r.signal, null, `the child loading ${path} was killed (${r.signal}): load() blocked\n${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line);
}

describe("StringHashSet.save(): temporary files", () => {
  it("a symlink planted at the old predictable temporary name is never written through", () => {
    const target = join(dir, "planted.set");
    const victim = join(dir, "victim.txt");
    writeFileSync(victim, "precious");
    symlinkSync(victim, `${target}.tmp-${process.pid}`);
    using s = StringHashSet.fromValues(["a", "b", "c"]);
    s.save(target);
    assert.equal(readFileSync(victim, "utf8"), "precious");
    using loaded = StringHashSet.load(target);
    assert.deepEqual(loaded.toArray().sort(), ["a", "b", "c"]);
  });

  it("a symlink at the target itself is replaced by the file, not written through", () => {
    const victim = join(dir, "victim2.txt");
    writeFileSync(victim, "precious");
    const target = join(dir, "link.set");
    symlinkSync(victim, target);
    using s = StringHashSet.fromValues(["x"]);
    s.save(target);
    assert.equal(readFileSync(victim, "utf8"), "precious");
    using loaded = StringHashSet.load(target);
    assert.deepEqual(loaded.toArray(), ["x"]);
  });

  it("saves leave no temporary file behind, on success or failure", () => {
    const sub = join(dir, "clean");
    mkdirSync(sub);
    using s = StringHashSet.fromValues(Array.from({ length: 1000 }, (_, i) => `k${i}`));
    for (let i = 0; i < 5; i++) s.save(join(sub, "a.set"));
    mkdirSync(join(sub, "occupied"));
    writeFileSync(join(sub, "occupied", "file"), "x");
    assert.throws(() => s.save(join(sub, "occupied")), (e: unknown) => e instanceof ChdbError && /cannot rename/.test(e.message));
    assert.deepEqual(readdirSync(sub).sort(), ["a.set", "occupied"]);
  });
});

describe("StringHashSet.load(): what is not a set file", () => {
  it("a FIFO is refused at once instead of blocking (child process with a hang guard)", () => {
    const fifo = join(dir, "pipe.set");
    const made = spawnSync("mkfifo", [fifo]);
    assert.equal(made.status, 0, `mkfifo: ${made.stderr}`);
    const r = loadInChild(fifo);
    assert.match(r.error ?? "", /FIFO, not a regular file/);
    assert.match(loadError(fifo), /FIFO, not a regular file/);
  });

  it("devices and directories are refused", () => {
    assert.match(loadError("/dev/zero"), /a device, not a regular file/);
    assert.match(loadError("/dev/null"), /a device, not a regular file/);
    assert.match(loadError(dir), /a directory, not a regular file/);
  });

  it("a symlink to a set file loads (load follows links; only the file they reach must be regular)", () => {
    const real = join(dir, "real.set");
    using s = StringHashSet.fromValues(["via-link"]);
    s.save(real);
    symlinkSync(real, join(dir, "alias.set"));
    using loaded = StringHashSet.load(join(dir, "alias.set"));
    assert.deepEqual(loaded.toArray(), ["via-link"]);
    symlinkSync("/dev/zero", join(dir, "zero.set"));
    assert.match(loadError(join(dir, "zero.set")), /a device, not a regular file/);
  });

  it("a 2 GiB sparse file whose header does not match its size is refused without reading its body", () => {
    const path = join(dir, "huge.set");
    const fd = openSync(path, "w");
    writeSync(fd, header(1n, 5n));
    ftruncateSync(fd, 2 * 1024 ** 3);
    closeSync(fd);
    const before = peakRss();
    assert.match(loadError(path), /truncated or extended: the header announces 5 payload bytes/);
    const sparse = join(dir, "zeros.set");
    const fd2 = openSync(sparse, "w");
    ftruncateSync(fd2, 2 * 1024 ** 3);
    closeSync(fd2);
    assert.match(loadError(sparse), /wrong magic bytes/);
    // The old load() read the whole file into memory before looking at the header: +2 GiB each.
    const grown = peakRss() - before;
    assert.ok(grown < 256 * 1024 ** 2, `peak RSS grew by ${grown} bytes`);
  });

  it("a header claiming more keys than its bytes can hold is refused before any allocation", () => {
    const path = join(dir, "liar.set");
    const body = new Uint8Array(8 + 8);
    writeFileSync(path, new Uint8Array([...header(1n << 40n, 8n), ...body]));
    const before = peakRss();
    assert.match(loadError(path), /key count larger than the payload/);
    assert.ok(peakRss() - before < 256 * 1024 ** 2);
  });

  it("truncated, extended and corrupted files are refused; nothing is half-loaded", () => {
    const path = join(dir, "ok.set");
    using s = StringHashSet.fromValues(Array.from({ length: 50_000 }, (_, i) => `value-${i}-${"x".repeat(i % 40)}`));
    s.save(path);
    const bytes = readFileSync(path);
    const bad = join(dir, "bad.set");
    for (const cut of [1, 8, 32, 39, 40, 1000, bytes.length >> 1, bytes.length - 8, bytes.length - 1]) {
      writeFileSync(bad, bytes.subarray(0, cut));
      assert.match(loadError(bad), /not a valid StringHashSet file/, `cut at ${cut}`);
    }
    writeFileSync(bad, new Uint8Array([...bytes, 0]));
    assert.match(loadError(bad), /truncated or extended/);
    // Damage anywhere in the body, including record lengths, is a checksum mismatch.
    for (const at of [32, 33, 36, 100, bytes.length >> 1, bytes.length - 9, bytes.length - 1]) {
      const flipped = new Uint8Array(bytes);
      flipped[at] ^= 0x40;
      writeFileSync(bad, flipped);
      assert.match(loadError(bad), /checksum mismatch/, `byte ${at}`);
    }
    using loaded = StringHashSet.load(path);
    assert.equal(loaded.size, 50_000);
    assert.equal(loaded.contains("value-49999-" + "x".repeat(49999 % 40)), true);
  });
});
