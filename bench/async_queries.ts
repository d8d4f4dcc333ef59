// Benchmark: (1) an awaited tiny query (queryAsync, off the JS thread) against the synchronous
// query() on the same connection; (2) N queries on N connections at once (Promise.all) against
// the same N queries awaited one by one.
// Run: deno run -A bench/async_queries.ts   |   bun bench/async_queries.ts
import { connect } from "../mod.ts";
import { median, runtimeName, timePerCall } from "./stats.ts";

const ROUNDS = 15;
const CALLS = 200;

async function timePerCallAsync(fn: () => Promise<unknown>, calls: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < calls; i++) await fn();
  return (performance.now() - start) / calls;
}

const conn = connect();
for (let i = 0; i < 300; i++) {
  conn.query("SELECT 1");
  await conn.queryAsync("SELECT 1");
}
const syncMs: number[] = [];
const asyncMs: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  syncMs.push(timePerCall(() => conn.query("SELECT 1"), CALLS));
  asyncMs.push(await timePerCallAsync(() => conn.queryAsync("SELECT 1"), CALLS));
}
const sync = median(syncMs) * 1000;
const async_ = median(asyncMs) * 1000;
console.log(`# ${runtimeName()}: SELECT 1, ${ROUNDS} rounds x ${CALLS} calls, alternating`);
console.log(`query()              ${sync.toFixed(1)} µs/query`);
console.log(`await queryAsync()   ${async_.toFixed(1)} µs/query   (+${(async_ - sync).toFixed(1)} µs, ${(async_ / sync).toFixed(2)}x)`);
conn.close();

const workloads = {
  "CPU-bound (sum(cityHash64) over 40M rows, max_threads=1)":
    "SELECT sum(cityHash64(number)) FROM numbers(40000000) SETTINGS max_threads = 1",
  "waiting (SELECT sleep(0.1))": "SELECT sleep(0.1)",
};
for (const n of [2, 4, 8]) {
  const conns = Array.from({ length: n }, () => connect());
  for (const [label, sql] of Object.entries(workloads)) {
    await Promise.all(conns.map((c) => c.queryAsync(sql))); // warm-up
    const serial: number[] = [];
    const parallel: number[] = [];
    for (let r = 0; r < 5; r++) {
      let start = performance.now();
      for (const c of conns) await c.queryAsync(sql);
      serial.push(performance.now() - start);
      start = performance.now();
      await Promise.all(conns.map((c) => c.queryAsync(sql)));
      parallel.push(performance.now() - start);
    }
    const s = median(serial);
    const p = median(parallel);
    console.log(`N=${n} ${label}: one by one ${s.toFixed(0)} ms, concurrent ${p.toFixed(0)} ms, speed-up ${(s / p).toFixed(2)}x`);
  }
  conns.forEach((c) => c.close());
}
