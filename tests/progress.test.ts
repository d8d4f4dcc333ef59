// onProgress: the engine's process list, read from a second connection while a query runs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbArgumentError, ChdbQueryError, connect, type Progress } from "../mod.ts";

/** ~1 s of engine time reading `rows` rows one block at a time (cheap: it sleeps). */
const slowScan = (rows: number) =>
  `SELECT sum(sleepEachRow(${(1 / rows).toFixed(3)})) + count() FROM numbers(${rows}) SETTINGS max_block_size = 1`;

/** The processes (other than this check) whose text starts with `queryId`'s comment. */
async function running(conn: ReturnType<typeof connect>, queryId: string): Promise<number> {
  const r = await conn.queryAsync(
    "SELECT count() FROM system.processes WHERE position(query, {id:String}) > 0 AND query_id != queryID()",
    "TSV",
    { params: { id: `query ${queryId} */` } },
  );
  return Number(r.text());
}

function checkEvents(events: Progress[], rows: number, queryId?: string): void {
  assert.ok(events.length >= 2, `progress reported ${events.length} times`);
  const id = events[0].queryId;
  if (queryId === undefined) assert.match(id, /^chffi-[0-9a-z-]+$/); // the id given to the call
  else assert.equal(id, queryId);
  for (const [i, p] of events.entries()) {
    assert.equal(p.queryId, id);
    assert.ok(p.totalRowsApprox === rows || p.totalRowsApprox === 0, `total ${p.totalRowsApprox}`); // 0: not estimated yet
    assert.ok(p.readRows >= 0 && p.readRows <= rows, `readRows ${p.readRows}`);
    assert.ok(p.readBytes >= 0);
    assert.equal(p.writtenRows, 0);
    if (i > 0) {
      assert.ok(p.readRows >= events[i - 1].readRows, "readRows never goes back");
      assert.ok(p.elapsed >= events[i - 1].elapsed, "elapsed never goes back");
    }
  }
  assert.ok(events.some((p) => p.totalRowsApprox === rows));
  assert.ok(events.at(-1)!.readRows > events[0].readRows || events.at(-1)!.elapsed > events[0].elapsed);
}

test("onProgress: queryAsync reports rows read, the engine's total and elapsed while the query runs", async () => {
  await using conn = connect();
  const events: Progress[] = [];
  const r = await conn.queryAsync(slowScan(20), "CSV", { onProgress: (p) => events.push(p) });
  assert.equal(r.text(), "20\n");
  checkEvents(events, 20);
  const after = events.length;
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(events.length, after, "no report after the query settled");
});

test("onProgress: queryArrowAsync and stream (async iteration)", async () => {
  await using conn = connect();
  const arrowEvents: Progress[] = [];
  using t = await conn.queryArrowAsync(slowScan(16), { onProgress: (p) => arrowEvents.push(p) });
  assert.equal(t.numRows, 1);
  checkEvents(arrowEvents, 16);
  const streamEvents: Progress[] = [];
  let text = "";
  for await (const chunk of conn.stream(slowScan(24), "CSV", { onProgress: (p) => streamEvents.push(p) })) text += chunk.text();
  assert.equal(text, "24\n");
  checkEvents(streamEvents, 24);
});

test("onProgress: concurrent queries on two connections each see their own query", async () => {
  await using a = connect();
  await using b = connect();
  const ea: Progress[] = [];
  const eb: Progress[] = [];
  const [ra, rb] = await Promise.all([
    a.queryAsync(slowScan(20), "CSV", { onProgress: (p) => ea.push(p) }),
    b.queryAsync(slowScan(30), "CSV", { onProgress: (p) => eb.push(p) }),
  ]);
  assert.equal(ra.text(), "20\n");
  assert.equal(rb.text(), "30\n");
  checkEvents(ea, 20);
  checkEvents(eb, 30);
  assert.notEqual(ea[0].queryId, eb[0].queryId);
});

test("onProgress: a throwing callback stops the reports, not the query; a non-function is refused", async () => {
  await using conn = connect();
  let calls = 0;
  const r = await conn.queryAsync(slowScan(10), "CSV", {
    onProgress: () => {
      calls++;
      throw new Error("callback failed");
    },
  });
  assert.equal(r.text(), "10\n");
  assert.equal(calls, 1);
  await assert.rejects(
    conn.queryAsync("SELECT 1", "CSV", { onProgress: 5 as unknown as () => void }),
    ChdbArgumentError,
  );
  assert.equal((await conn.queryAsync("SELECT 2")).text(), "2\n");
});

/** Would read for hours, sending nothing before its end. */
const ENDLESS = "SELECT count() FROM numbers(1000000000000) WHERE NOT ignore(number) SETTINGS max_threads = 1";

test("cancel(): the queryId from onProgress stops the query in the engine (QUERY_WAS_CANCELLED)", async () => {
  await using conn = connect();
  await using side = connect();
  let killed: boolean | undefined;
  const call = conn.queryAsync(ENDLESS, "CSV", { onProgress: (p) => void (killed ??= side.cancel(p.queryId)) });
  await assert.rejects(call, (e: unknown) => e instanceof ChdbQueryError && e.code === 394);
  assert.equal(killed, true);
  assert.equal((await conn.queryAsync("SELECT 3")).text(), "3\n");
});

test("onProgress with a signal and a queryId: progress under the caller's id, the abort stops the engine", async () => {
  await using conn = connect();
  await using side = connect();
  // A bounded scan: progress is reported, the call ends normally.
  const scanEvents: Progress[] = [];
  const r = await conn.queryAsync(slowScan(20), "CSV", {
    queryId: "progress-scan-1",
    signal: new AbortController().signal,
    onProgress: (p) => scanEvents.push(p),
  });
  assert.equal(r.text(), "20\n");
  checkEvents(scanEvents, 20, "progress-scan-1");

  // queryAsync: aborted once progress is seen; the engine's process list is empty afterwards.
  const controller = new AbortController();
  const events: Progress[] = [];
  const call = conn.queryAsync(ENDLESS, "CSV", {
    queryId: "progress-abort-1",
    signal: controller.signal,
    onProgress: (p) => {
      events.push(p);
      controller.abort(new Error("stop"));
    },
  });
  await assert.rejects(call, /stop/);
  assert.ok(events.length >= 1 && events[0].queryId === "progress-abort-1");
  assert.equal((await conn.queryAsync("SELECT 4")).text(), "4\n"); // runs once the killed query has ended
  assert.equal(await running(side, "progress-abort-1"), 0);

  // stream: the same through the stream's signal, with the id given to the call.
  const streamController = new AbortController();
  const streamEvents: Progress[] = [];
  const stream = conn.stream(ENDLESS, "CSV", {
    signal: streamController.signal,
    onProgress: (p) => {
      streamEvents.push(p);
      streamController.abort();
    },
  });
  await assert.rejects(
    (async () => {
      for await (const _ of stream) assert.fail("the endless count sends nothing");
    })(),
    (e: unknown) => e instanceof ChdbQueryError && e.code === 394,
  );
  assert.ok(streamEvents.length >= 1);
  assert.equal((await conn.queryAsync("SELECT 5")).text(), "5\n"); // runs once the stream is freed
  assert.equal(await running(side, streamEvents[0].queryId), 0);
});
