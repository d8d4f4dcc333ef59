// Soak benchmark: one repeated operation, RSS sampled along the way; a leak shows as a slope.
// Run one case per process (RSS is the whole process's), with the garbage collector exposed:
//   deno run -A --v8-flags=--expose-gc bench/soak.ts CASE [COUNT]
//   bun bench/soak.ts CASE [COUNT]
//   node --expose-gc dist/node-tests/bench/soak.js CASE [COUNT]   (compiled: scripts/run.mjs)
// or every case on one runtime: bench/soak_all.ts. Prints one JSON line (the last line of output).
// tests/soak.test.ts runs it with small counts and bounds the growth.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { connect, Session } from "../mod.ts";

const MB = 1024 * 1024;

/** Full garbage collection, then a turn of the event loop so that finalizers run. */
async function collect(): Promise<void> {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else if (g.gc) g.gc();
  else throw new Error("run with the garbage collector exposed (deno: --v8-flags=--expose-gc, node: --expose-gc)");
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

interface SoakCase {
  count: number;
  /** Collect garbage every this many operations (the dropped-object cases rely on finalizers). */
  collectEvery: number;
  setup?: () => void;
  op: (i: number) => void;
  teardown?: () => void;
}

// ~17 MB as an Arrow table (1M rows of UInt64 + String): the size of the result seen never freed.
const LARGE = "SELECT number AS a, toString(number) AS s FROM numbers(1000000)";

function sessionWork(sess: Session): void {
  sess.query("CREATE TABLE IF NOT EXISTS t (a UInt64, s String) ENGINE = MergeTree ORDER BY a");
  sess.query("INSERT INTO t SELECT number, toString(number) FROM numbers(100)");
  if (sess.query("SELECT count() > 0 FROM t").text() !== "1\n") throw new Error("wrong count");
}

function sessionCase(count: number, open: () => Session, afterClose = () => {}): SoakCase {
  return {
    count,
    collectEvery: 50,
    op: () => {
      const sess = open();
      sessionWork(sess);
      sess.close();
      afterClose();
    },
  };
}

function makeCase(name: string, count: number | undefined): SoakCase {
  const conn = connect();
  let dir = "";
  switch (name) {
    case "queries": // a 110 KB CSV result each
      return {
        count: count ?? 10_000,
        collectEvery: 500,
        op: () => {
          if (conn.query("SELECT number FROM numbers(20000)").bytes().length < 100_000) throw new Error("short result");
        },
      };
    case "connects":
      return {
        count: count ?? 1000,
        collectEvery: 100,
        op: () => {
          const c = connect();
          c.query("SELECT 1");
          c.close();
        },
      };
    case "sessions-same": // one directory reopened
      conn.close();
      dir = mkdtempSync(join(tmpdir(), "chdb-ffi-soak-"));
      return {
        ...sessionCase(count ?? 1000, () => new Session(dir)),
        teardown: () => {
          Session.releasePath(); // the engine, still booted on dir, would write in it while it is removed
          rmSync(dir, { recursive: true });
        },
      };
    case "sessions-held": { // the baseline of sessions-same: the same work on one session never closed
      conn.close();
      dir = mkdtempSync(join(tmpdir(), "chdb-ffi-soak-"));
      const held = new Session(dir);
      return {
        count: count ?? 1000,
        collectEvery: 50,
        op: () => sessionWork(held),
        teardown: () => {
          held.close();
          Session.releasePath();
          rmSync(dir, { recursive: true });
        },
      };
    }
    case "sessions-temporary":
      conn.close();
      return sessionCase(count ?? 1000, () => Session.temporary());
    case "sessions-reboot": // the baseline: temporary sessions with the engine let go after each (as before)
      conn.close();
      return sessionCase(count ?? 200, () => Session.temporary(), () => Session.releasePath());
    case "dropped-arrow": // never closed: only the finalizer frees them
      return {
        count: count ?? 100,
        collectEvery: 5,
        op: () => {
          if (conn.queryArrow(LARGE).numRows !== 1_000_000) throw new Error("wrong row count");
        },
      };
    case "dropped-streams": // a batch read, then the stream (and its connection) dropped
      conn.close();
      return {
        count: count ?? 1000,
        collectEvery: 20,
        op: () => {
          const stream = connect().streamArrow(`${LARGE} SETTINGS max_block_size = 65536`);
          const first = stream[Symbol.iterator]().next();
          if (first.done || first.value.numRows === 0) throw new Error("no batch");
        },
      };
    default:
      throw new Error(`unknown case ${name}`);
  }
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const [name, countArg] = process.argv.slice(2);
if (name === undefined) throw new Error("usage: soak.ts CASE [COUNT]");
const soak = makeCase(name, countArg === undefined ? undefined : Number(countArg));
soak.setup?.();
// Warm-up (engine boot, caches, JIT): 10 % of the run, not measured.
const warmup = Math.max(5, Math.round(soak.count / 10));
for (let i = 0; i < warmup; i++) soak.op(i);
await collect();
const start = process.memoryUsage.rss();
const ops: number[] = [0];
const rss: number[] = [start];
let peak = start;
const began = performance.now();
const every = Math.max(1, Math.min(soak.collectEvery, Math.round(soak.count / 20)));
// A leak this large is reported at once rather than filling a shared machine's memory.
const STOP_AT_GROWTH = 2048 * MB;
let done = 0;
for (let i = 0; i < soak.count; i++) {
  soak.op(i);
  done = i + 1;
  if (done % every === 0 || done === soak.count) {
    await collect();
    const now = process.memoryUsage.rss();
    peak = Math.max(peak, now);
    ops.push(done);
    rss.push(now);
    if (now - start > STOP_AT_GROWTH) break;
  }
}
const seconds = (performance.now() - began) / 1000;
soak.teardown?.();
const end = rss[rss.length - 1];
const versions = process.versions as Record<string, string>;
const runtime = versions.bun ? `bun ${versions.bun}` : versions.deno ? `deno ${versions.deno}` : `node ${versions.node}`;
const half = Math.floor(ops.length / 2);
const result = {
  case: name,
  runtime,
  count: done,
  stoppedEarly: done < soak.count, // grew past STOP_AT_GROWTH
  rssStartMB: +(start / MB).toFixed(1),
  rssEndMB: +(end / MB).toFixed(1),
  rssPeakMB: +(peak / MB).toFixed(1),
  growthMB: +((end - start) / MB).toFixed(1),
  // MB per 1000 operations over the whole run, and over its second half (after caches settle)
  slopeMBPer1000: +(slope(ops, rss) * 1000 / MB).toFixed(1),
  lateSlopeMBPer1000: +(slope(ops.slice(half), rss.slice(half)) * 1000 / MB).toFixed(1),
  seconds: +seconds.toFixed(1),
  msPerOp: +(seconds * 1000 / done).toFixed(2),
};
console.log(JSON.stringify(result));
