// StringHashSet: the set API, its native lifetime, save/load and bad input.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ChdbArgumentError, ChdbClosedError, ChdbError, StringHashSet } from "../mod.ts";

const sorted = (values: string[]) => [...values].sort();
const dir = mkdtempSync(join(tmpdir(), "chdb-ffi-hashset-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("StringHashSet API", () => {
  it("creation: empty, withCapacity, fromValues", () => {
    using empty = new StringHashSet();
    assert.equal(empty.size, 0);
    assert.equal(empty.isEmpty(), true);
    using reserved = StringHashSet.withCapacity(1000);
    assert.equal(reserved.size, 0);
    using from = StringHashSet.fromValues(["a", "b", "a", null, undefined]);
    assert.deepEqual(sorted(from.toArray()), ["a", "b"]);
    using fromIterable = StringHashSet.fromValues(new Set(["x", "y"]).values());
    assert.deepEqual(sorted(fromIterable.toList()), ["x", "y"]);
  });

  it("insert, contains, remove, extend, clear", () => {
    using s = new StringHashSet();
    assert.equal(s.insert("value"), true);
    assert.equal(s.insert("value"), false);
    assert.equal(s.contains("value"), true);
    assert.equal(s.contains("other"), false);
    assert.equal(s.remove("value"), true);
    assert.equal(s.remove("value"), false);
    assert.equal(s.contains("value"), false);
    s.extend(["x", "y", "x"]);
    assert.equal(s.size, 2);
    assert.equal(s.isEmpty(), false);
    s.clear();
    assert.equal(s.size, 0);
    assert.deepEqual(s.toArray(), []);
  });

  it("keys are exact bytes: empty string, NUL bytes, unicode, long keys", () => {
    using s = new StringHashSet();
    const keys = ["", "\0", "a\0b", "a", "é", "e\u0301", "𝄞 clef", "x".repeat(100_000), "日本語"];
    for (const k of keys) assert.equal(s.insert(k), true, JSON.stringify(k.slice(0, 10)));
    for (const k of keys) assert.equal(s.contains(k), true);
    assert.equal(s.contains("a\0"), false);
    assert.equal(s.size, keys.length);
    assert.deepEqual(sorted(s.toArray()), sorted(keys));
  });

  it("many keys with removals keep their contents (arena compaction)", () => {
    using s = new StringHashSet();
    const n = 200_000;
    s.extend(Array.from({ length: n }, (_, i) => `key-${i}`));
    assert.equal(s.size, n);
    for (let i = 0; i < n; i += 2) assert.equal(s.remove(`key-${i}`), true);
    assert.equal(s.size, n / 2);
    for (let i = 0; i < 1000; i++) assert.equal(s.contains(`key-${i}`), i % 2 === 1);
    assert.equal(s.insert("key-0"), true);
    assert.equal(s.keyBytes, s.toArray().reduce((b, k) => b + k.length, 0));
  });

  it("ptr is a stable native address", () => {
    using s = new StringHashSet();
    const p1 = s.ptr;
    assert.equal(typeof p1, "bigint");
    assert.notEqual(p1, 0n);
    s.extend(Array.from({ length: 50_000 }, (_, i) => String(i)));
    s.notInAndUpdate(["a", "b"]);
    assert.equal(s.ptr, p1);
  });

  it("close is idempotent, use after close throws ChdbClosedError", () => {
    const s = StringHashSet.fromValues(["a"]);
    s.close();
    s.close();
    assert.equal(s.closed, true);
    assert.throws(() => s.contains("a"), ChdbClosedError);
    assert.throws(() => s.insert("a"), ChdbClosedError);
    assert.throws(() => s.isIn(["a"]), ChdbClosedError);
    assert.throws(() => s.size, ChdbClosedError);
    assert.throws(() => s.ptr, ChdbClosedError);
  });

  it("using disposes the set", () => {
    let kept: StringHashSet;
    {
      using s = new StringHashSet();
      kept = s;
      s.insert("a");
    }
    assert.equal(kept.closed, true);
  });

  it("bad input is a ChdbError, never a crash", () => {
    using s = new StringHashSet();
    assert.throws(() => s.insert(42 as unknown as string), ChdbArgumentError);
    assert.throws(() => s.insert(null as unknown as string), ChdbArgumentError);
    assert.throws(() => s.insert("\ud800"), /lone surrogate/);
    assert.throws(() => s.extend(["ok", 1 as unknown as string]), ChdbArgumentError);
    assert.throws(() => new StringHashSet(-1), ChdbArgumentError);
    assert.throws(() => StringHashSet.withCapacity(1.5), ChdbArgumentError);
    assert.throws(() => StringHashSet.withCapacity(2 ** 52), (e: unknown) => e instanceof ChdbError && /out of memory/.test(e.message));
    assert.equal(s.size, 0);
  });
});

describe("StringHashSet save/load", () => {
  it("round-trips keys, including empty and binary-ish ones", () => {
    const path = join(dir, "roundtrip.set");
    const keys = ["", "a", "\0x", "日本", ...Array.from({ length: 100_000 }, (_, i) => `id_${i}`)];
    {
      using s = StringHashSet.fromValues(keys);
      s.save(path);
    }
    using loaded = StringHashSet.load(path);
    assert.equal(loaded.size, keys.length);
    assert.deepEqual(sorted(loaded.toArray()), sorted(keys));
    assert.equal(loaded.insert("id_5"), false);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".tmp-")), []);
  });

  it("round-trips an empty set and overwrites atomically", () => {
    const path = join(dir, "empty.set");
    using s = new StringHashSet();
    s.save(path);
    using a = StringHashSet.load(path);
    assert.equal(a.size, 0);
    s.insert("now");
    s.save(path);
    using b = StringHashSet.load(path);
    assert.deepEqual(b.toArray(), ["now"]);
  });

  it("a truncated file gives a clear error, never a half-loaded set", () => {
    const path = join(dir, "full.set");
    using s = StringHashSet.fromValues(Array.from({ length: 1000 }, (_, i) => `v${i}`));
    s.save(path);
    const bytes = readFileSync(path);
    for (const cut of [0, 4, 20, 31, 40, bytes.length - 9, bytes.length - 1]) {
      writeFileSync(join(dir, "cut.set"), bytes.subarray(0, cut));
      assert.throws(() => StringHashSet.load(join(dir, "cut.set")), (e: unknown) => {
        assert.ok(e instanceof ChdbError);
        assert.match(e.message, /not a valid StringHashSet file.*(truncated|magic)/);
        return true;
      }, `cut at ${cut}`);
    }
  });

  it("a corrupted byte, a foreign file and a future version are rejected", () => {
    const path = join(dir, "good.set");
    using s = StringHashSet.fromValues(["alpha", "beta", "gamma"]);
    s.save(path);
    const bytes = readFileSync(path);
    const flipped = new Uint8Array(bytes);
    flipped[40] ^= 0x01;
    writeFileSync(join(dir, "flipped.set"), flipped);
    assert.throws(() => StringHashSet.load(join(dir, "flipped.set")), /checksum mismatch/);
    writeFileSync(join(dir, "foreign.set"), "id,value\na,1\n".repeat(10));
    assert.throws(() => StringHashSet.load(join(dir, "foreign.set")), /wrong magic/);
    const future = new Uint8Array(bytes);
    future[8] = 2;
    writeFileSync(join(dir, "future.set"), future);
    assert.throws(() => StringHashSet.load(join(dir, "future.set")), /format version 2/);
  });

  it("missing files and unwritable paths are ChdbErrors", () => {
    assert.throws(() => StringHashSet.load(join(dir, "nope.set")), (e: unknown) => e instanceof ChdbError && /cannot open/.test(e.message));
    using s = new StringHashSet();
    assert.throws(() => s.save(join(dir, "no-such-dir", "x.set")), (e: unknown) => e instanceof ChdbError && /cannot create/.test(e.message));
    assert.throws(() => s.save("a\0b"), ChdbArgumentError);
    assert.throws(() => s.save(""), ChdbArgumentError);
  });
});

describe("StringHashSet against a JS Set", () => {
  it("random inserts and removals of short, 15/16-byte and long keys agree", () => {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const lengths = [0, 1, 7, 8, 14, 15, 16, 17, 40, 300];
    const key = () => {
      const n = lengths[Math.floor(random() * lengths.length)];
      return `${Math.floor(random() * 3000)}:`.padEnd(n, "k").slice(0, Math.max(n, 1));
    };
    using s = new StringHashSet();
    const js = new Set<string>();
    for (let step = 0; step < 60_000; step++) {
      const k = key();
      const r = random();
      if (r < 0.5) assert.equal(s.insert(k), !js.has(k) && !!js.add(k));
      else if (r < 0.8) assert.equal(s.remove(k), js.delete(k));
      else assert.equal(s.contains(k), js.has(k));
    }
    assert.equal(s.size, js.size);
    assert.deepEqual(sorted(s.toArray()), sorted([...js]));
    assert.deepEqual(
      [...s.isIn([...js, "absent", "x".repeat(16)])],
      [...[...js].map(() => true), false, js.has("x".repeat(16))],
    );
  });
});
