// The API fuzzer's arguments: options, paths and SQL for a call, usually sensible, sometimes odd.
// deno-lint-ignore-file no-explicit-any -- wrong-typed calls are the point of the fuzzer
import { join } from "node:path";
import { BOUNDED_SQL, oddValue, paramsPool, SQL_POOL } from "./values.ts";
import type { World } from "./world.ts";

export type Step = (w: World) => void | Promise<void>;
export const loose = (o: unknown) => o as any;

/** Options for a query call: usually sensible, sometimes odd. */
export function queryOptions(w: World): unknown {
  const { rng } = w;
  if (rng.chance(0.1)) return oddValue(rng);
  const o: Record<string, unknown> = {};
  if (rng.chance(0.5)) o.params = paramsPool(rng);
  if (rng.chance(0.3)) o.signal = w.signal();
  if (rng.chance(0.3)) o.queryId = rng.chance(0.9) ? w.newQueryId() : oddValue(rng);
  if (rng.chance(0.1)) {
    o.settings = rng.pick<unknown>([{ max_threads: 1 }, { no_such_setting: 1 }, { max_threads: "x" }, 5]);
  }
  if (rng.chance(0.05)) o.timeout = rng.pick<unknown>([1, 0, -5, "x"]);
  return o;
}

export function pathArg(w: World): unknown {
  return w.rng.pick<unknown>([":memory:", undefined, w.tempDir, join(w.tempDir, "sub", ".."), "a\0b", 5, null]);
}

export function connectOptions(w: World): unknown {
  return w.rng.pick<unknown>([
    undefined,
    {},
    { settings: { max_threads: 1 } },
    { settings: { no_such_setting: 1 } },
    { sandbox: true },
    { timeout: 1000 },
    { int64: "number" },
    { int64: "nope" },
    oddValue(w.rng),
  ]);
}

/** SQL and options for an off-thread call: SQL that would run for minutes gets a signal that aborts. */
export function asyncQuery(w: World): [unknown, unknown] {
  const sql = w.rng.pick(SQL_POOL);
  const opts = queryOptions(w);
  if (BOUNDED_SQL.includes(sql)) return [sql, opts];
  return [sql, { ...(typeof opts === "object" ? opts : {}), signal: w.signal(true) }];
}

export function boundedSql(w: World): unknown {
  return w.rng.chance(0.05) ? oddValue(w.rng) : w.rng.pick(BOUNDED_SQL);
}
