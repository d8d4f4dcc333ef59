// Benchmark: client.insert() of 1M row objects (JSONEachRow) through @clickhouse/client, on our
// connection and on chdb-node's, alternating rounds (one child process per contender and round:
// see clickhouse_peer.ts). Run under Node: node scripts/run.mjs bench node bench/clickhouse_insert.ts
// ROWS=1000000, ROUNDS=3.
import process from "node:process";
import { childContender, clientFor, runChild } from "./clickhouse_peer.ts";
import { median, runtimeName } from "./stats.ts";

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

const contender = childContender();
if (contender !== undefined) {
  const client = await clientFor(contender);
  const rows = Array.from({ length: ROWS }, (_, i) => ({ id: i, name: `user_${i}`, score: i * 0.5 }));
  await client.command({ query: "CREATE TABLE warm (id UInt32, name String, score Float64) ENGINE = MergeTree ORDER BY id" });
  await client.insert({ table: "warm", values: rows.slice(0, 1000), format: "JSONEachRow" });
  await client.command({ query: "CREATE TABLE bench (id UInt32, name String, score Float64) ENGINE = MergeTree ORDER BY id" });
  const t = performance.now();
  await client.insert({ table: "bench", values: rows, format: "JSONEachRow" });
  const ms = performance.now() - t;
  const rs = await client.query({ query: "SELECT count() AS n FROM bench", format: "JSONEachRow" });
  const n = Number((await rs.json<{ n: number | string }>())[0].n);
  if (n !== ROWS) throw new Error(`${n} rows inserted, expected ${ROWS}`);
  console.log(JSON.stringify({ ms }));
  await client.close();
} else {
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(runChild("chdb-ffi").ms);
    theirs.push(runChild("chdb-node").ms);
  }
  console.log(`# ${runtimeName()}: insert() of ${ROWS} row objects as JSONEachRow, median of ${ROUNDS}, alternating`);
  console.log(`chdb-ffi/clickhouse   ${median(ours).toFixed(0)} ms`);
  console.log(`chdb/connection       ${median(theirs).toFixed(0)} ms   (ours ${(median(theirs) / median(ours)).toFixed(2)}x faster)`);
}
