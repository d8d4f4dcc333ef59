// How engine calls are made: on Node every call that enters the engine is handed to a shim thread
// with an ordinary stack (chffi_call_blocking, ffi/node.ts); these tests run on every runtime.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Status } from "../ffi/symbols.ts";
import { connect } from "../mod.ts";
import { native } from "../src/core/native.ts";

test("chffi_call_blocking refuses an address that is not an engine call", () => {
  const lib = native();
  const args = new BigUint64Array(1);
  assert.equal(lib.fn.chffi_call_blocking(lib.pointer(0x1234n), args, 1), Status.MISUSE);
  assert.equal(lib.fn.chffi_call_blocking(null, args, 0), Status.MISUSE);
  assert.equal(lib.fn.chffi_call_blocking(lib.pointer(lib.addressOf(args)), args, 1), Status.MISUSE);
});

test("a deeply nested query runs: the engine's thread has a full stack", () => {
  using conn = connect();
  const depth = 150;
  const sql = `SELECT ${"(".repeat(depth)}1${")".repeat(depth)} + ${"plus(".repeat(depth)}0${", 1)".repeat(depth)}`;
  assert.equal(conn.query(sql).text(), `${1 + depth}\n`);
});

test("async queries on several connections at once all complete with their own results", async () => {
  const conns = Array.from({ length: 4 }, () => connect());
  try {
    const results = await Promise.all(
      Array.from(
        { length: 16 },
        (_, i) =>
          conns[i % conns.length].queryAsync(`SELECT sum(number) + ${i} FROM numbers(200000)`).then((r) => r.text()),
      ),
    );
    results.forEach((text, i) => assert.equal(text, `${19999900000 + i}\n`));
  } finally {
    for (const c of conns) c.close();
  }
});
