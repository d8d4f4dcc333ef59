// Server throughput: Bun.serve / Deno.serve handlers over the same 10k-row table for chdb-ffi,
// @duckdb/node-api and SQLite (bun:sqlite on Bun, node:sqlite on Deno), in one run. Each engine
// serves from a child process of its own (same runtime, so RSS is the engine's); autocannon runs
// from Node, as a third process, against 127.0.0.1 (bench/server_load.mjs).
// Routes over a Memory table: /groupby (GROUP BY, 10 rows), /range?lo=N (parameterised 21-row lookup), /arrow (an
// Arrow result turned into JSON, 50 rows), /async (the GROUP BY off the JS thread), /select1.
// Run: deno run -A bench/server.ts [--seconds 20] [--connections 50] [--engines chdb,duckdb,sqlite] [--routes a,b]
//      bun bench/server.ts [same flags]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { runtimeName } from "./stats.ts";

type Handler = (url: URL) => Response | Promise<Response>;
type Routes = Record<string, Handler>;

const ROUTES = ["groupby", "range", "arrow", "async", "select1"];
const ENGINES = ["chdb", "chdb-pool", "chdb-default", "duckdb", "sqlite"];
const isDeno = "Deno" in globalThis;

const GROUP_BY = "SELECT category, count() AS n, avg(value) AS mean FROM t GROUP BY category ORDER BY category";
const ARROW_ROWS = "SELECT id, category, value FROM t WHERE category = 'c3' AND id < 500 ORDER BY id";
const json = (body: string | Uint8Array) =>
  new Response(body as BodyInit, { headers: { "content-type": "application/json" } });
const lowOf = (url: URL) => Number(url.searchParams.get("lo") ?? 0);

// "chdb-pool": every route through createPool() (off the JS thread, N queries at once, as
// DuckDB's node-api runs every query on libuv's threads).
async function chdbPoolRoutes(): Promise<Routes> {
  const { connect, createPool, SMALL_QUERY_SETTINGS } = await import("../mod.ts");
  const settings = { output_format_json_array_of_rows: 1, ...SMALL_QUERY_SETTINGS };
  const setup = connect(":memory:");
  setup.query("CREATE TABLE t (id UInt32, category String, value Float64) ENGINE = Memory");
  setup.query(
    "INSERT INTO t SELECT number, concat('c', toString(number % 10)), ((number * 7919) % 1000) / 10 FROM numbers(10000)",
  );
  const pool = createPool({ size: 4, settings });
  const rows = async (sql: string, params?: Record<string, number>) =>
    json((await pool.queryAsync(sql, "JSONEachRow", { params })).bytes());
  return {
    groupby: () => rows(GROUP_BY),
    range: (url) =>
      rows("SELECT id, value FROM t WHERE id BETWEEN {lo:UInt32} AND {lo:UInt32} + 20", { lo: lowOf(url) }),
    arrow: async () => {
      using table = await pool.queryArrowAsync(ARROW_ROWS);
      return json(JSON.stringify(table.toArray()));
    },
    async: () => rows(GROUP_BY),
    select1: () => rows("SELECT 1 AS x"),
  };
}

// "chdb": the settings for small queries and a pool for the async route; "chdb-default": engine
// defaults and one connection (the baseline of the breakdown in bench/README.md).
async function chdbRoutes(tuned: boolean): Promise<Routes> {
  const { connect, createPool, SMALL_QUERY_SETTINGS } = await import("../mod.ts");
  // JSONEachRow as one JSON array: the engine writes the response body.
  const settings = { output_format_json_array_of_rows: 1, ...(tuned ? SMALL_QUERY_SETTINGS : {}) };
  const conn = connect(":memory:", { settings });
  const pool = tuned ? createPool({ size: 4, settings }) : undefined;
  conn.query("CREATE TABLE t (id UInt32, category String, value Float64) ENGINE = Memory");
  conn.query(
    "INSERT INTO t SELECT number, concat('c', toString(number % 10)), ((number * 7919) % 1000) / 10 FROM numbers(10000)",
  );
  return {
    groupby: () => json(conn.query(GROUP_BY, "JSONEachRow").bytes()),
    range: (url) =>
      json(
        conn.query("SELECT id, value FROM t WHERE id BETWEEN {lo:UInt32} AND {lo:UInt32} + 20", "JSONEachRow", {
          params: { lo: lowOf(url) },
        }).bytes(),
      ),
    arrow: () => {
      using table = conn.queryArrow(ARROW_ROWS);
      return json(JSON.stringify(table.toArray()));
    },
    async: async () => json((await (pool ? pool.queryAsync(GROUP_BY, "JSONEachRow") : conn.queryAsync(GROUP_BY, "JSONEachRow"))).bytes()),
    select1: () => json(conn.query("SELECT 1 AS x", "JSONEachRow").bytes()),
  };
}

async function duckdbRoutes(): Promise<Routes> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  await conn.run(
    "CREATE TABLE t AS SELECT i::UINTEGER AS id, 'c' || (i % 10) AS category, ((i * 7919) % 1000) / 10 AS value FROM range(10000) r(i)",
  );
  const range = await conn.prepare("SELECT id, value FROM t WHERE id BETWEEN $1 AND $1 + 20");
  const duckGroupBy = GROUP_BY.replace("count()", "count(*)");
  return {
    groupby: async () => json(JSON.stringify((await conn.runAndReadAll(duckGroupBy)).getRowObjectsJson())),
    range: async (url) => {
      range.bindUInteger(1, lowOf(url));
      return json(JSON.stringify((await range.runAndReadAll()).getRowObjectsJson()));
    },
    arrow: async () => json(JSON.stringify((await conn.runAndReadAll(ARROW_ROWS)).getRowObjectsJson())),
    async: async () => json(JSON.stringify((await conn.runAndReadAll(duckGroupBy)).getRowObjectsJson())),
    select1: async () => json(JSON.stringify((await conn.runAndReadAll("SELECT 1 AS x")).getRowObjectsJson())),
  };
}

interface SqliteDb {
  exec(sql: string): unknown;
  prepare(sql: string): { all(...params: unknown[]): unknown[] };
}

async function sqliteRoutes(): Promise<Routes> {
  let db: SqliteDb;
  if (isDeno) {
    const { DatabaseSync } = await import("node:sqlite");
    db = new DatabaseSync(":memory:") as unknown as SqliteDb;
  } else {
    const { Database } = await import("bun:sqlite" as string);
    db = new Database(":memory:") as SqliteDb;
  }
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, category TEXT, value REAL)");
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
    INSERT INTO t SELECT i, 'c' || (i % 10), ((i * 7919) % 1000) / 10.0 FROM n`);
  const groupBy = db.prepare(GROUP_BY.replace("count()", "count(*)"));
  const range = db.prepare("SELECT id, value FROM t WHERE id BETWEEN ?1 AND ?1 + 20");
  const rows = db.prepare(ARROW_ROWS);
  const one = db.prepare("SELECT 1 AS x");
  return {
    groupby: () => json(JSON.stringify(groupBy.all())),
    range: (url) => json(JSON.stringify(range.all(lowOf(url)))),
    arrow: () => json(JSON.stringify(rows.all())), // no Arrow in SQLite: its rows, as the others' JSON
    async: () => json(JSON.stringify(groupBy.all())), // no async API: the same call, synchronous
    select1: () => json(JSON.stringify(one.all())),
  };
}

/** Child process: serve one engine's routes on a free port and print it. */
async function serve(engine: string): Promise<void> {
  const routes = await {
    chdb: () => chdbRoutes(true),
    "chdb-default": () => chdbRoutes(false),
    "chdb-pool": chdbPoolRoutes,
    duckdb: duckdbRoutes,
    sqlite: sqliteRoutes,
  }[engine]!();
  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const route = routes[url.pathname.slice(1)];
    if (!route) return new Response("no such route", { status: 404 });
    try {
      return await route(url);
    } catch (e) {
      return new Response(String(e), { status: 500 });
    }
  };
  // Every route answers once before the load starts (and must answer 200).
  for (const name of ROUTES) {
    const res = await handle(new Request(`http://127.0.0.1/${name}?lo=5`));
    if (res.status !== 200) throw new Error(`${engine} /${name}: ${res.status} ${await res.text()}`);
  }
  if (isDeno) {
    const deno = (globalThis as unknown as { Deno: { serve: (o: object, h: typeof handle) => unknown } }).Deno;
    deno.serve({
      port: 0,
      hostname: "127.0.0.1",
      onListen: ({ port }: { port: number }) => console.log(`PORT ${port}`),
    }, handle);
  } else {
    const bun = (globalThis as unknown as { Bun: { serve: (o: object) => { port: number } } }).Bun;
    const server = bun.serve({ port: 0, hostname: "127.0.0.1", fetch: handle });
    console.log(`PORT ${server.port}`);
  }
}

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function rssMiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]) / 1024;
}

/** CPU seconds (user + system, all threads) the process has used. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function runNode(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("node", args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`load generator exited ${code}`))));
  });
}

interface Load {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
}

async function drive(): Promise<void> {
  const seconds = flag("seconds", "20");
  const connections = flag("connections", "50");
  const engines = flag("engines", ENGINES.join(",")).split(",");
  const routes = flag("routes", ROUTES.join(",")).split(",");
  const script = fileURLToPath(import.meta.url);
  const loader = fileURLToPath(new URL("./server_load.mjs", import.meta.url));
  console.log(`# ${runtimeName()}: ${connections} connections, ${seconds} s per route, autocannon from Node`);
  console.log("engine        route     req/s    p50 ms  p99 ms  errors  RSS MiB  CPU ms/req");
  console.log(
    "# CPU ms/req: the server process's CPU time (all its threads) per answered request; less noisy than req/s on a loaded machine",
  );
  for (const engine of engines) {
    const args = isDeno ? ["run", "-A", script, "--serve", engine] : [script, "--serve", engine];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d) => {
        out += d;
        const m = /PORT (\d+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on("exit", (code) => reject(new Error(`${engine} server exited ${code}`)));
    });
    try {
      for (const route of routes) {
        const url = `http://127.0.0.1:${port}/${route}${route === "range" ? "?lo={lo}" : ""}`;
        const cpuBefore = cpuSeconds(child.pid!);
        const load = JSON.parse(await runNode([loader, url, connections, seconds])) as Load;
        const cpuPerRequest = (cpuSeconds(child.pid!) - cpuBefore) * 1000 / Math.max(load.total, 1);
        console.log(
          `${engine.padEnd(13)} ${route.padEnd(8)} ${load.requestsPerSecond.toFixed(0).padStart(6)}  ${
            load.p50.toFixed(0).padStart(7)
          } ${load.p99.toFixed(0).padStart(7)} ${String(load.errors).padStart(7)}  ${
            rssMiB(child.pid!, "VmRSS").toFixed(0).padStart(6)
          }  ${cpuPerRequest.toFixed(2).padStart(6)}`,
        );
      }
      console.log(`${engine.padEnd(13)} peak RSS ${rssMiB(child.pid!, "VmHWM").toFixed(0)} MiB`);
    } finally {
      child.removeAllListeners("exit");
      child.kill();
    }
  }
}

if (process.argv.includes("--serve")) await serve(flag("serve", "chdb"));
else await drive();
