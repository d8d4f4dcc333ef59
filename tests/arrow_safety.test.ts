// The FFI boundary under hostile Arrow use (issue 10, items 1-3): zero-copy results whose
// buffers the program moves away, registered Arrow data whose lengths and offsets lie, and
// registered buffers detached while an async query reads them.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Binary,
  Dictionary,
  Field,
  FixedSizeList,
  Int32,
  Int64,
  LargeUtf8,
  List,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromArrays,
  tableFromIPC,
  tableToIPC,
  Utf8,
} from "apache-arrow";
import { ChdbArgumentError, connect } from "../mod.ts";
import { fixture, runScript, runtime } from "./helpers.ts";

// ---- 1. zero-copy results whose buffers are moved away ----

function runMovedView(mode: string) {
  const r = runScript(fixture("moved_view.ts"), [mode], { exposeGc: true });
  assert.equal(r.status, 0, `exit ${r.status} signal ${r.signal}: ${r.stderr}`);
  return JSON.parse(r.stdout.toString().trim().split("\n").pop()!);
}

for (const mode of ["close", "unmap", "gc"]) {
  test(`a column buffer moved out of a queryArrow table never reaches freed or reused memory (${mode})`, () => {
    const out = runMovedView(mode);
    assert.equal(out.closeError, "", "close() threw");
    assert.equal(out.foreign, 0, "the moved buffer showed another query's data");
    assert.equal(out.corrupted, 0, "writing through the moved buffer changed a live table");
    assert.equal(out.movedLength, 1_000_000);
  });
}

test("close() after a view was moved away keeps the moved buffer readable, and frees the rest", () => {
  using conn = connect();
  for (let i = 0; i < 3; i++) {
    const table = conn.queryArrow("SELECT toInt64(number) AS n, toString(number) AS s FROM numbers(100000) SETTINGS max_block_size = 200000");
    const values = table.getChild("n")!.data[0].values as BigInt64Array;
    const moved = new BigInt64Array(structuredClone(values.buffer as ArrayBuffer, { transfer: [values.buffer as ArrayBuffer] }));
    assert.equal(moved[99999], 99999n);
    table.close();
    // Readable: zeros (the region is quarantined), or the values on Node, where results are copies.
    assert.ok(moved[50000] === 0n || moved[50000] === 50000n);
  }
});

// ---- 2. register() checks every buffer against the lengths ----

function utf8Column(offsets: Int32Array, bytes: Uint8Array, length: number) {
  return makeData({ type: new Utf8(), length, nullCount: 0, valueOffsets: offsets, data: bytes });
}

function tableOf(name: string, data: ReturnType<typeof makeData>) {
  const field = new Field(name, data.type, false);
  const schema = new Schema([field]);
  const struct = makeData({ type: new Struct([field]), length: data.length, nullCount: 0, children: [data] });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

function refused(data: unknown, column: RegExp, what: RegExp) {
  using conn = connect();
  assert.throws(() => conn.register("bad", data as Table), (e: unknown) => {
    assert.ok(e instanceof ChdbArgumentError, `not a ChdbArgumentError: ${e}`);
    assert.match((e as Error).message, column);
    assert.match((e as Error).message, what);
    return true;
  });
  assert.equal(conn.query("SELECT 1").text(), "1\n");
}

test("register() refuses a Utf8 column whose last offset points past its data", () => {
  const bytes = new TextEncoder().encode("abcdef");
  refused(tableOf("s", utf8Column(new Int32Array([0, 3, 6000]), bytes, 2)), /column "s"/, /past/);
});

test("register() refuses offsets that decrease or start below zero", () => {
  const bytes = new TextEncoder().encode("abcdef");
  refused(tableOf("s", utf8Column(new Int32Array([0, 5, 2]), bytes, 2)), /column "s"/, /decrease/);
  refused(tableOf("s", utf8Column(new Int32Array([-4, 2, 6]), bytes, 2)), /column "s"/, /negative/);
  refused(tableOf("s", utf8Column(new Int32Array([0, 2]), bytes, 2)), /column "s"/, /offsets buffer/);
});

test("register() refuses an Arrow IPC file with one patched offset (tableFromIPC)", () => {
  const good = tableFromArrays({ id: Int32Array.from([1, 2, 3]), s: ["one", "two", "three"] });
  const ipc = tableToIPC(good, "file");
  // The offsets of s are 0, 3, 6, 11 as little-endian int32s: patch the last one.
  const needle = new Uint8Array(new Int32Array([0, 3, 6, 11]).buffer);
  let at = -1;
  for (let i = 0; i + needle.length <= ipc.length && at < 0; i++) {
    if (needle.every((b, j) => ipc[i + j] === b)) at = i;
  }
  assert.ok(at >= 0, "offsets not found in the IPC bytes");
  new DataView(ipc.buffer, ipc.byteOffset).setInt32(at + 12, 65536, true);
  // tableFromArrays dictionary-encodes strings: the patched offset is in the dictionary of s.
  refused(tableFromIPC(ipc), /column "s \(dictionary\)"/, /last offset 65536 points past the 16 bytes/);
  // The unpatched file registers and reads back.
  using conn = connect();
  conn.register("ok", tableFromIPC(tableToIPC(good, "file")));
  assert.equal(conn.query("SELECT sum(id), max(length(s)) FROM arrowstream('ok')").text(), "6,5\n");
});

test("register() refuses an Int64 column longer than its buffer", () => {
  const data = makeData({ type: new Int64(), length: 1_000_000, nullCount: 0, data: new BigInt64Array(4) });
  refused(tableOf("big", data), /column "big"/, /data buffer has 32 bytes, \d+ needed/);
});

test("register() refuses a validity bitmap shorter than the column", () => {
  const data = makeData({
    type: new Int32(), length: 100, nullCount: 3, data: new Int32Array(100), nullBitmap: new Uint8Array(2),
  });
  refused(tableOf("v", data), /column "v"/, /validity/);
});

test("register() checks List, FixedSizeList, Struct children and dictionaries", () => {
  const ints = makeData({ type: new Int32(), length: 4, nullCount: 0, data: new Int32Array([1, 2, 3, 4]) });
  const listType = new List(new Field("item", new Int32(), false));
  refused(
    tableOf("l", makeData({ type: listType, length: 2, nullCount: 0, valueOffsets: new Int32Array([0, 2, 9]), child: ints })),
    /column "l"/,
    /past the 4 child values/,
  );
  const fslType = new FixedSizeList(3, new Field("item", new Int32(), false));
  refused(tableOf("f", makeData({ type: fslType, length: 2, nullCount: 0, child: ints })), /column "f"/, /6 needed/);
  const shortChild = makeData({ type: new Int32(), length: 1, nullCount: 0, data: new Int32Array([1]) });
  const structType = new Struct([new Field("x", new Int32(), false)]);
  refused(tableOf("st", makeData({ type: structType, length: 3, nullCount: 0, children: [shortChild] })), /column "st\.x"/, /needed/);
  const dictType = new Dictionary(new Utf8(), new Int32());
  const dictionary = makeVector(utf8Column(new Int32Array([0, 1, 2]), new TextEncoder().encode("ab"), 2));
  refused(
    tableOf("d", makeData({ type: dictType, length: 3, nullCount: 0, data: new Int32Array([0, 1, 5]), dictionary })),
    /column "d"/,
    /dictionary index 5/,
  );
  const nested = makeData({ type: new Binary(), length: 1, nullCount: 0, valueOffsets: new Int32Array([0, 99]), data: new Uint8Array(3) });
  refused(tableOf("b", nested), /column "b"/, /past/);
  const large = makeData({
    type: new LargeUtf8(), length: 2, nullCount: 0, valueOffsets: new BigInt64Array([0n, 2n, 1n << 40n]), data: new Uint8Array(4),
  });
  refused(tableOf("big", large), /column "big"/, /last offset 1099511627776 points past the 4 bytes/);
});

test("register() accepts well-formed nested data and reads it back", () => {
  using conn = connect();
  const ints = makeData({ type: new Int32(), length: 4, nullCount: 0, data: new Int32Array([1, 2, 3, 4]) });
  const listType = new List(new Field("item", new Int32(), false));
  conn.register("l", tableOf("l", makeData({ type: listType, length: 2, nullCount: 0, valueOffsets: new Int32Array([0, 1, 4]), child: ints })));
  assert.equal(conn.query("SELECT arraySum(l) FROM arrowstream('l')").text(), "1\n9\n");
});

// ---- 3. registered buffers detached during async queries ----

const ROWS = 1_000_000;
const expectedSum = BigInt(ROWS) * BigInt(ROWS - 1) / 2n;

function registeredColumns() {
  const a = new BigInt64Array(ROWS);
  for (let i = 0; i < ROWS; i++) a[i] = BigInt(i);
  const s = Array.from({ length: 1000 }, (_, i) => `v${i}`);
  return { a, table: tableFromArrays({ a, k: Int32Array.from({ length: ROWS }, (_, i) => i % 1000) }), s };
}

/** Moves the buffer away, scribbles over the moved memory, and drops it. */
function vandalise(buffer: ArrayBufferLike) {
  const moved = typeof (buffer as ArrayBuffer).transfer === "function"
    ? (buffer as ArrayBuffer).transfer()
    : structuredClone(buffer as ArrayBuffer, { transfer: [buffer as ArrayBuffer] });
  new Uint8Array(moved).fill(0xff);
  if (typeof (moved as ArrayBuffer).transfer === "function") (moved as ArrayBuffer).transfer(16); // a new, smaller allocation
}

async function detachedWhileRunning(delayMs: number) {
  await using conn = connect();
  for (const kind of ["queryAsync", "queryArrowAsync", "statement", "cursor"]) {
    const { table } = registeredColumns();
    conn.register("t", table);
    // The hash keeps the engine reading the table for a while.
    const sql = "SELECT sum(a) AS total, count() AS n FROM arrowstream('t') WHERE cityHash64(a, k) % 1000 != 1000";
    let running: Promise<string>;
    if (kind === "queryAsync") running = conn.queryAsync(sql, "CSV").then((r) => r.text());
    else if (kind === "queryArrowAsync") {
      running = conn.queryArrowAsync(sql).then((t) => {
        const text = `${t.getChild("total")!.get(0)},${t.getChild("n")!.get(0)}\n`;
        t.close();
        return text;
      });
    } else if (kind === "statement") {
      const statement = conn.prepare(sql);
      running = statement.allAsync().then((rows) => `${rows[0].total},${rows[0].n}\n`);
    } else {
      const cursor = conn.cursor();
      running = cursor.executeAsync(sql).then(() => {
        const row = cursor.fetchone()!;
        cursor.close();
        return `${row[0]},${row[1]}\n`;
      });
    }
    // The query is now queued or running off the JS thread: take the data away under it.
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    vandalise(table.getChild("a")!.data[0].values.buffer);
    vandalise(table.getChild("k")!.data[0].values.buffer);
    assert.equal(await running, `${expectedSum},${ROWS}\n`, kind);
    conn.unregister("t");
  }
}

test("a registered buffer detached while queryAsync, queryArrowAsync, statements and cursors read it: correct results", async () => {
  await detachedWhileRunning(2);
});

test("a registered buffer detached as soon as queryAsync, queryArrowAsync, statements and cursors are called: correct results", async () => {
  await detachedWhileRunning(0);
});

test("a registered buffer detached while a stream reads it: correct results", () => {
  using conn = connect();
  const { table } = registeredColumns();
  conn.register("t", table);
  let total = 0n;
  let first = true;
  for (const batch of conn.streamArrow("SELECT a FROM arrowstream('t')")) {
    if (first) vandalise(table.getChild("a")!.data[0].values.buffer);
    first = false;
    const a = batch.getChild("a")!;
    for (let i = 0; i < a.length; i++) total += a.get(i) as bigint;
  }
  assert.equal(total, expectedSum);
});

test("register() of sliced tables checks and reads only the slice", () => {
  using conn = connect();
  const t = tableFromArrays({ id: Int32Array.from({ length: 100 }, (_, i) => i), s: Array.from({ length: 100 }, (_, i) => `v${i}`) });
  conn.register("part", t.slice(10, 20));
  assert.equal(conn.query("SELECT sum(id), min(s), max(s), count() FROM arrowstream('part')").text(), '145,"v10","v19",10\n');
  const bytes = new TextEncoder().encode("abcdef");
  // The bad last offset lies outside the slice: the engine never reads it, so it is accepted.
  const column = tableOf("s", utf8Column(new Int32Array([0, 3, 6, 6000]), bytes, 3));
  conn.register("ok", column.slice(0, 2));
  assert.equal(conn.query("SELECT groupArray(s) FROM arrowstream('ok')", "TSV").text(), "['abc','def']\n");
  refused(column.slice(1, 3), /column "s"/, /last offset 6000/);
});
