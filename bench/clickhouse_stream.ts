// Benchmark: reading a JSONEachRow result with ResultSet.stream() through @clickhouse/client, on
// our connection (chdb-ffi/clickhouse) and on chdb-node's (chdb/connection), alternating rounds
// (one child process per contender and round: see clickhouse_peer.ts); then the peak RSS over the
// baseline while RSS_ROWS rows stream through ours.
// Run under Node (chdb-node is a Node addon): node scripts/run.mjs bench node bench/clickhouse_stream.ts
// ROWS=1000000, RSS_ROWS=10000000, ROUNDS=5.
import process from "node:process";
import { childContender, type Client, clientFor, compareContenders, runChild } from "./clickhouse_peer.ts";

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const RSS_ROWS = Number(process.env.RSS_ROWS ?? 10_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

async function streamAll(client: Client, n: number, onBatch?: () => void): Promise<void> {
  const rs = await client.query({ query: `SELECT number, toString(number) AS s FROM numbers(${n})`, format: "JSONEachRow" });
  let rows = 0;
  for await (const batch of rs.stream()) {
    for (const row of batch) {
      row.json();
      rows++;
    }
    onBatch?.();
  }
  if (rows !== n) throw new Error(`read ${rows} rows, expected ${n}`);
}

const contender = childContender();
if (contender !== undefined) {
  const client = await clientFor(contender);
  await streamAll(client, 10_000);
  if (process.argv.includes("--rss")) {
    const base = process.memoryUsage().rss;
    let peak = base;
    await streamAll(client, RSS_ROWS, () => peak = Math.max(peak, process.memoryUsage().rss));
    console.log(JSON.stringify({ base, peak }));
  } else {
    const t = performance.now();
    await streamAll(client, ROWS);
    console.log(JSON.stringify({ ms: performance.now() - t }));
  }
  await client.close();
} else {
  compareContenders(`${ROWS} rows JSONEachRow via ResultSet.stream()`, ROUNDS);
  for (const c of ["chdb-ffi", "chdb-node"] as const) {
    const { base, peak } = runChild(c, ["--rss"]);
    console.log(`${RSS_ROWS} rows through ${c}: peak RSS ${((peak - base) / 1e6).toFixed(0)} MB over the baseline of ${(base / 1e6).toFixed(0)} MB`);
  }
}
