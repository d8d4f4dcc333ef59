// Benchmark: a tiny query through @clickhouse/client on our connection (chdb-ffi/clickhouse)
// against this library's own queryAsync, in the same process and run (alternating rounds).
// Target: <= 1.3x. Run: deno run -A bench/clickhouse_tiny_query.ts | bun ... | node (compiled).
import { createClient } from "../clickhouse.ts";
import { connect } from "../mod.ts";
import { median, runtimeName } from "./stats.ts";

const ROUNDS = 11;
const CALLS = 200;
const client = createClient({ url: "chdb://memory" });
const conn = connect();

async function viaClient(): Promise<void> {
  const rs = await client.query({ query: "SELECT 1 AS x", format: "JSONEachRow" });
  await rs.json();
}
async function viaQueryAsync(): Promise<void> {
  (await conn.queryAsync("SELECT 1 AS x", "JSONEachRow")).json();
}
async function msPerCall(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) await fn();
  return (performance.now() - start) / CALLS;
}

for (let i = 0; i < 100; i++) {
  await viaClient();
  await viaQueryAsync();
}
const a: number[] = [];
const b: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const x = await msPerCall(viaClient);
  const y = await msPerCall(viaQueryAsync);
  a.push(x);
  b.push(y);
  ratios.push(x / y);
}
console.log(`# ${runtimeName()}: SELECT 1 as JSONEachRow + json(), ${ROUNDS} rounds x ${CALLS} awaited calls, alternating`);
console.log(`@clickhouse/client on chdb-ffi  median ${(median(a) * 1000).toFixed(0)} µs/query`);
console.log(`conn.queryAsync                 median ${(median(b) * 1000).toFixed(0)} µs/query`);
console.log(`ratio                           median ${median(ratios).toFixed(2)}x (target <= 1.3x)`);
await client.close();
conn.close();
