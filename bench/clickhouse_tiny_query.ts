// Benchmark: a tiny query through @clickhouse/client on our connection (chdb-ffi/clickhouse)
// against this library's own queryAsync, in the same process and run (alternating rounds), with
// the layers between them measured in the same rounds: the library's stream (the route a
// streamable result takes: one engine call for a small result, whose end the shim finds with its
// first chunk), the same with a queryId and a signal (what the client's cancellation adds), and
// our connection without the client (createConnection), and the client on a canned backend that
// hands back a finished one-row stream at no cost: the client's own layers, a floor for any backend.
// On Deno and Bun also libchdb's own C API called straight from JS (no shim, no hop, synchronous),
// whole and through its streaming functions: what the engine's streamed route costs by itself.
// Target: <= 1.3x. Run: deno run -A bench/clickhouse_tiny_query.ts | bun ... | node (compiled).
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import { type ChdbClientConfig, createClient, createConnection } from "../clickhouse.ts";
import { type CancelOptions, connect, type StreamOptions } from "../mod.ts";
import { median, runtimeName } from "./stats.ts";
import { type RawConnection, rawConnect } from "./raw_libchdb.ts";

const ROUNDS = 11;
const CALLS = 200;
const SQL = "SELECT 1 AS x";
const client = createClient({ url: "chdb://memory" });
const backend = createConnection({ url: "chdb://memory" });
const conn = connect();
const cannedRow = Buffer.from('{"x":1}\n');
const canned = createClient({
  connection: {
    query: () =>
      Promise.resolve({
        stream: Readable.from([cannedRow]),
        query_id: "canned",
        response_headers: { "x-clickhouse-format": "JSONEachRow" },
        http_status_code: 200,
      }),
    close: () => Promise.resolve(),
  } as unknown as ChdbClientConfig["connection"],
});
let n = 0;
// Node has no raw route (bench/raw_ffi.ts).
const raw: RawConnection | undefined = "Deno" in globalThis || "Bun" in globalThis ? rawConnect() : undefined;

const routes: [string, () => Promise<void>][] = [
  ["@clickhouse/client on chdb-ffi", async () => {
    await (await client.query({ query: SQL, format: "JSONEachRow" })).json();
  }],
  ["conn.queryAsync", async () => {
    (await conn.queryAsync(SQL, "JSONEachRow")).json();
  }],
  ["conn.stream", async () => {
    const s = conn.stream(SQL, "JSONEachRow");
    while (await s.nextAsync() !== null);
  }],
  ["conn.stream + queryId, signal", async () => {
    const options: StreamOptions & CancelOptions = { queryId: `b-${n++}`, signal: new AbortController().signal };
    const s = conn.stream(SQL, "JSONEachRow", options);
    while (await s.nextAsync() !== null);
  }],
  ["createConnection().query", async () => {
    const r = await backend.query({ query: `${SQL} FORMAT JSONEachRow` });
    for await (const _ of r.stream);
  }],
  ["client on a canned backend", async () => {
    await (await canned.query({ query: SQL, format: "JSONEachRow" })).json();
  }],
];
if (raw !== undefined) {
  routes.push(
    ["libchdb whole (C API, sync)", () => Promise.resolve(void raw.query(SQL, "JSONEachRow"))],
    ["libchdb streamed (C API, sync)", () => Promise.resolve(void raw.stream(SQL, "JSONEachRow"))],
  );
}

async function msPerCall(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) await fn();
  return (performance.now() - start) / CALLS;
}

for (let i = 0; i < 100; i++) for (const [, fn] of routes) await fn();
const times = routes.map(() => [] as number[]);
const ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < routes.length; k++) times[k].push(await msPerCall(routes[k][1]));
  ratios.push(times[0][r] / times[1][r]);
}
console.log(`# ${runtimeName()}: ${SQL} as JSONEachRow, ${ROUNDS} rounds x ${CALLS} awaited calls, alternating`);
for (let k = 0; k < routes.length; k++) {
  console.log(`${routes[k][0].padEnd(32)} median ${(median(times[k]) * 1000).toFixed(0)} µs/query`);
}
console.log(`ratio client / queryAsync           median ${median(ratios).toFixed(2)}x (target <= 1.3x)`);
if (raw !== undefined) {
  // queryAsync plus what the engine's streamed route costs over a whole query, plus the client's layers
  const [asyncMs, cannedMs, wholeMs, streamedMs] = [1, 5, 6, 7].map((k) => median(times[k]));
  const floor = asyncMs + (streamedMs - wholeMs) + cannedMs;
  console.log(`floor (queryAsync + engine's streamed - whole + canned client) ${(floor * 1000).toFixed(0)} µs = ${(floor / asyncMs).toFixed(2)}x`);
}
await client.close();
await canned.close();
await backend.close();
conn.close();
