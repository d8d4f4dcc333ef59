// Benchmark: client.insert() of 1M row objects (JSONEachRow) through @clickhouse/client, on our
// connection and on chdb-node's, alternating rounds (one child process per contender and round:
// see clickhouse_peer.ts). Run under Node: node scripts/run.mjs bench node bench/clickhouse_insert.ts
// ROWS=1000000, ROUNDS=3.
import process from "node:process";
import { childContender, clientFor, compareContenders } from "./clickhouse_peer.ts";

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
  compareContenders(`insert() of ${ROWS} row objects as JSONEachRow`, ROUNDS);
}
