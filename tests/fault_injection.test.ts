// Fault injection through the whole stack: the shim's fault points (native/fault.h: allocations,
// engine calls, file operations) fail one at a time, n = 1, 2, ... over each public operation,
// until the operation no longer reaches its n-th point. Every failure must be a ChdbError, leave
// the state as it was, and the connection must keep working. The native driver
// (native/tests/driver.cpp) walks the same points below the TypeScript layer.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { tableFromArrays } from "apache-arrow";
import { ChdbError, connect, StringHashSet } from "../mod.ts";
import { native } from "../src/core/native.ts";
import { tempDir } from "./helpers.ts";

const dir = tempDir("chdb-ffi-faults-");
const conn = connect();
after(() => {
  native().fn.chffi_test_fail_at(0);
  conn.close();
  rmSync(dir, { recursive: true, force: true });
});

const answer = (sql: string) => conn.query(sql).text().trim();

/**
 * Runs `attempt` with the n-th fault point armed for n = 1, 2, ... `check` sees each failure;
 * `cleanup` runs disarmed after every attempt. Returns how many fault points the operation has.
 * `recovers`: the operation has a fallback path, so an injected fault may also end in success
 * (the attempt itself checks that the result is complete).
 */
async function walk(
  attempt: () => unknown,
  check: (error: unknown, n: number) => void = () => {},
  cleanup: () => void = () => {},
  recovers = false,
): Promise<number> {
  const lib = native();
  for (let n = 1; n < 500; n++) {
    lib.fn.chffi_test_fail_at(n);
    let error: unknown = undefined;
    try {
      await attempt();
    } catch (e) {
      error = e;
    }
    const reached = lib.fn.chffi_test_fail_at(0) === 0;
    cleanup();
    if (!reached) {
      assert.equal(error, undefined, `no fault was injected, yet: ${error}`);
      return n - 1;
    }
    if (error === undefined && recovers) continue;
    assert.ok(error instanceof ChdbError, `fault point ${n}: not a ChdbError: ${error}`);
    assert.equal(answer("SELECT 1"), "1", `fault point ${n}: the connection no longer answers`);
    check(error, n);
  }
  throw new Error("more than 500 fault points");
}

describe("fault injection: every failure is a ChdbError and changes nothing", () => {
  it("connect", async () => {
    let other: ReturnType<typeof connect> | null = null;
    const points = await walk(() => {
      other = connect();
    }, undefined, () => {
      if (other) assert.equal(other.query("SELECT 2").text().trim(), "2");
      other?.close();
      other = null;
    });
    assert.ok(points >= 2, `${points}`);
  });

  it("query, with and without parameters, sync and async", async () => {
    assert.ok(await walk(() => assert.equal(answer("SELECT sum(number) FROM numbers(10)"), "45")) >= 2);
    await walk(() => assert.equal(conn.query("SELECT {x:UInt8} + 1", "CSV", { params: { x: 4 } }).text().trim(), "5"));
    assert.ok(await walk(async () => assert.equal((await conn.queryAsync("SELECT 7")).text().trim(), "7")) >= 2);
  });

  it("queryArrow and streamArrow", async () => {
    const sql = "SELECT number, toString(number) AS s FROM numbers(100000)";
    assert.ok(await walk(() => {
      using table = conn.queryArrow(sql);
      assert.equal(table.numRows, 100000);
    }) >= 2);
    // streamArrow builds batches itself after a DESCRIBE; when that fails, the engine's own
    // Arrow export serves the stream instead.
    assert.ok(await walk(() => {
      using stream = conn.streamArrow(sql);
      let rows = 0;
      for (const batch of stream) rows += batch.numRows;
      assert.equal(rows, 100000);
    }, undefined, undefined, true) >= 3);
  });

  it("streams and insert streams; no row of a failed INSERT lands", async () => {
    assert.ok(await walk(() => {
      using stream = conn.stream("SELECT number FROM numbers(200000)", "CSV");
      let bytes = 0;
      for (const chunk of stream) bytes += chunk.bytes().length;
      assert.ok(bytes > 1_000_000);
    }) >= 3);
    conn.query("CREATE TABLE faults_t (a UInt32) ENGINE = Memory");
    await walk(() => {
      using insert = conn.insertStream("INSERT INTO faults_t", "CSV");
      insert.append("1\n2\n").append("3\n");
      insert.done();
    }, () => {
      assert.equal(answer("SELECT count() FROM faults_t"), "0");
    }, () => {});
    assert.equal(answer("SELECT sum(a) FROM faults_t"), "6");
  });

  it("registered Arrow tables", async () => {
    const table = tableFromArrays({ x: BigInt64Array.from([1n, 2n, 3n]), s: ["a", "bb", "ccc"] });
    assert.ok(await walk(() => {
      conn.register("faults_js", table);
      try {
        assert.equal(answer("SELECT sum(x), max(length(s)) FROM arrowstream('faults_js')"), "6,3");
      } finally {
        conn.unregister("faults_js");
      }
    }) >= 2);
  });

  it("StringHashSet: insert, save and load", async () => {
    using set = new StringHashSet();
    for (let i = 0; i < 11; i++) set.insert(`k${i}`);
    const long = "a key too long to live inside its slot";
    assert.ok(await walk(() => assert.equal(set.insert(long), true), () => {
      assert.equal(set.size, 11);
      assert.equal(set.contains(long), false);
    }) >= 2);
    assert.equal(set.size, 12);
    const path = join(dir, "faults.set");
    await walk(() => set.save(path));
    assert.ok(await walk(() => {
      using loaded = StringHashSet.load(path);
      assert.equal(loaded.size, 12);
    }) >= 3);
  });
});
