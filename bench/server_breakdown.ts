// Where a small query's time goes, in process (no HTTP): the routes of bench/server.ts on a
// 10k-row Memory table, with the engine's default settings and with each change that cuts it.
// Wall and CPU (all threads) per query; CPU is the steadier figure on a loaded machine.
// Run: deno run -A bench/server_breakdown.ts   |   bun bench/server_breakdown.ts
import process from "node:process";
import { connect, SMALL_QUERY_SETTINGS } from "../mod.ts";
import { runtimeName } from "./stats.ts";

const CALLS = 300;

function perCall(fn: () => void): string {
  for (let i = 0; i < 30; i++) fn();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) fn();
  const wall = (performance.now() - start) / CALLS;
  const used = process.cpuUsage(cpu);
  return `${wall.toFixed(2)}/${((used.user + used.system) / 1000 / CALLS).toFixed(2)}`;
}

const variants: Record<string, Record<string, number>> = {
  "engine defaults": {},
  "no parallel formatting": { output_format_parallel_formatting: 0 },
  "SMALL_QUERY_SETTINGS": { ...SMALL_QUERY_SETTINGS },
  "+ query profiler off": {
    ...SMALL_QUERY_SETTINGS,
    query_profiler_real_time_period_ns: 0,
    query_profiler_cpu_time_period_ns: 0,
  },
  "+ old analyzer (not advised)": { ...SMALL_QUERY_SETTINGS, enable_analyzer: 0 },
};

const setup = connect();
setup.query("CREATE TABLE t (id UInt32, category String, value Float64) ENGINE = Memory");
setup.query(
  "INSERT INTO t SELECT number, concat('c', toString(number % 10)), ((number * 7919) % 1000) / 10 FROM numbers(10000)",
);
const GROUP_BY = "SELECT category, count() AS n, avg(value) AS mean FROM t GROUP BY category ORDER BY category";
const RANGE = "SELECT id, value FROM t WHERE id BETWEEN {lo:UInt32} AND {lo:UInt32} + 20";
const ARROW = "SELECT id, category, value FROM t WHERE category = 'c3' AND id < 500 ORDER BY id";
console.log(`# ${runtimeName()}: ms per query, wall/CPU, ${CALLS} calls each`);
console.log("settings                        groupby    range      select1    arrow+JSON  arrow, no DESCRIBE");
for (const [name, settings] of Object.entries(variants)) {
  using conn = connect(":memory:", { settings });
  const cells = [
    perCall(() => conn.query(GROUP_BY, "JSONEachRow")),
    perCall(() => conn.query(RANGE, "JSONEachRow", { params: { lo: 500 } })),
    perCall(() => conn.query("SELECT 1 AS x", "JSONEachRow")),
    perCall(() => {
      using t = conn.queryArrow(ARROW);
      JSON.stringify(t.toArray());
    }),
    // restoreTypes: false skips what restoring DateTime/Enum columns may cost (a DESCRIBE, unless
    // the result carries its ClickHouse types)
    perCall(() => {
      using t = conn.queryArrow(ARROW, { restoreTypes: false });
      JSON.stringify(t.toArray());
    }),
  ];
  console.log(`${name.padEnd(31)} ${cells.map((c) => c.padEnd(10)).join(" ")}`);
}
setup.close();

// Per-query `settings` (src/policy/query_settings.ts): SELECT 1 without options, with a setting given per
// query (three statements of ours around it), and with the same setting in the SQL. On a checkout
// without the option the second column runs without it (the option is ignored).
{
  using conn = connect(":memory:", { settings: { ...SMALL_QUERY_SETTINGS } });
  const cells = [
    perCall(() => conn.query("SELECT 1 AS x", "JSONEachRow")),
    perCall(() => conn.query("SELECT 1 AS x", "JSONEachRow", { settings: { max_threads: 1 } } as never)),
    perCall(() => conn.query("SELECT 1 AS x SETTINGS max_threads = 1", "JSONEachRow")),
  ];
  console.log("\nSELECT 1 (SMALL_QUERY_SETTINGS)  no options  settings option  SETTINGS clause");
  console.log(`${"".padEnd(31)} ${cells.map((c) => c.padEnd(16)).join(" ")}`);
}
