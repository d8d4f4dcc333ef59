// Resource limits, per connection and per query, mapped to the engine's own settings: the engine
// enforces them (a query over a limit fails with the engine's error; none is checked in JS).
//
//   timeout         ms      max_execution_time (seconds; the engine checks it between blocks)
//   maxMemory       bytes   max_memory_usage (per query)
//   maxRowsRead     rows    max_rows_to_read (rows read from tables, files and table functions)
//   maxResultBytes  bytes   max_result_bytes (the uncompressed result)
//
// 0 means no limit (the engine's default for all four outside the sandbox).
import { ChdbArgumentError } from "../core/errors.ts";

/** Per-query resource limits the engine enforces (each one stops the query with its own error code). */
export interface Limits {
  /** Wall time in milliseconds after which the engine stops the query (TIMEOUT_EXCEEDED, 159). */
  timeout?: number;
  /** Memory one query may use, in bytes (MEMORY_LIMIT_EXCEEDED, 241). */
  maxMemory?: number;
  /** Rows a query may read (TOO_MANY_ROWS, 158). */
  maxRowsRead?: number;
  /** Bytes of result a query may produce (TOO_MANY_ROWS_OR_BYTES, 396). */
  maxResultBytes?: number;
}

const settingOf = {
  timeout: "max_execution_time",
  maxMemory: "max_memory_usage",
  maxRowsRead: "max_rows_to_read",
  maxResultBytes: "max_result_bytes",
} as const satisfies Record<keyof Limits, string>;

const names = Object.keys(settingOf) as (keyof Limits)[];

/** The engine names of the limits (the only per-query settings a sandboxed query may set). */
export const limitSettingNames: ReadonlySet<string> = new Set(Object.values(settingOf));

/** The limits given in `options` (other keys ignored), checked. */
export function limitsOf(options: Record<string, unknown> | undefined): Limits {
  const out: Limits = {};
  for (const name of names) {
    const value = options?.[name];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (name !== "timeout" && !Number.isInteger(value))) {
      throw new ChdbArgumentError(`${name} must be a non-negative ${name === "timeout" ? "number of milliseconds" : "integer"}, got ${String(value)}`);
    }
    out[name] = value;
  }
  return out;
}

/** The engine settings of `limits` as name -> text. */
export function limitSettings(limits: Limits): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of names) {
    const value = limits[name];
    if (value === undefined) continue;
    out.set(settingOf[name], name === "timeout" ? String(value / 1000) : String(value));
  }
  return out;
}

/** `--name=value` connection arguments for `limits`. */
export function limitArgs(limits: Limits): string[] {
  return [...limitSettings(limits)].map(([name, value]) => `--${name}=${value}`);
}

/**
 * The statements that set a query's own limits before it runs and the ones that put the
 * connection's back after it (the engine has no per-call settings for arbitrary SQL).
 */
export function perQuerySettings(query: Limits, connection: Limits): { set: string[]; restore: string[] } | undefined {
  const settings = limitSettings(query);
  if (settings.size === 0) return undefined;
  const base = limitSettings(connection);
  const set = [...settings].map(([name, value]) => `SET ${name} = ${value}`);
  const restore = [...settings.keys()].map((name) => `SET ${name} = ${base.get(name) ?? 0}`);
  return { set, restore };
}
