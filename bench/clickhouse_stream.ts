// Benchmark: reading a JSONEachRow result with ResultSet.stream() through @clickhouse/client, on
// our connection (chdb-ffi/clickhouse) and on chdb-node's (chdb/connection), alternating rounds
// (one child process per contender and round: see clickhouse_peer.ts); then the peak RSS over the
// baseline while RSS_ROWS rows stream through each, and through the client over HTTP from a server in
// another process (json_rows_server.ts): the client's own share, a floor for any backend.
// Run under Node (chdb-node is a Node addon): node scripts/run.mjs bench node bench/clickhouse_stream.ts
// ROWS=1000000, RSS_ROWS=10000000, ROUNDS=5 (0: the RSS part only), RSS_CONTENDERS=chdb-ffi,chdb-node,http-floor.
import { spawn } from "node:child_process";
import process from "node:process";
import { childContender, type Client, clientFor, compareContenders, type Contender, runChild } from "./clickhouse_peer.ts";

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const RSS_ROWS = Number(process.env.RSS_ROWS ?? 10_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
/** Settings for the streamed query, as JSON (e.g. CLICKHOUSE_SETTINGS='{"max_block_size":8192}'). */
const SETTINGS = JSON.parse(process.env.CLICKHOUSE_SETTINGS ?? "{}");
const RSS_CONTENDERS = (process.env.RSS_CONTENDERS ?? "chdb-ffi,chdb-node,http-floor").split(",") as Contender[];

async function streamAll(client: Client, n: number, onBatch?: () => void): Promise<void> {
  const query = `SELECT number, toString(number) AS s FROM numbers(${n})`;
  const rs = await client.query({ query, format: "JSONEachRow", clickhouse_settings: SETTINGS });
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
  if (ROUNDS > 0) compareContenders(`${ROWS} rows JSONEachRow via ResultSet.stream()`, ROUNDS);
  process.env.FLOOR_URL = await startFloorServer();
  for (const c of RSS_CONTENDERS) {
    const { base, peak } = runChild(c, ["--rss"]);
    console.log(`${RSS_ROWS} rows through ${c}: peak RSS ${((peak - base) / 1e6).toFixed(0)} MB over the baseline of ${(base / 1e6).toFixed(0)} MB`);
  }
  process.exit(0); // the floor server child ends with this process
}

/** Starts json_rows_server beside this script (compiled .js under Node) and returns its URL. */
async function startFloorServer(): Promise<string> {
  const port = 18000 + Math.floor(Math.random() * 1000);
  const file = new URL(`./json_rows_server.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url);
  const server = spawn(process.execPath, [...process.execArgv, file.pathname, String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  process.on("exit", () => server.kill());
  await new Promise<void>((resolve, reject) => {
    server.stdout.once("data", () => resolve());
    server.once("exit", (code) => reject(new Error(`json_rows_server exited (${code})`)));
  });
  return `http://127.0.0.1:${port}`;
}
