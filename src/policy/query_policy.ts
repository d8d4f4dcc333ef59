// What a connection's options say about each query it runs: the sandbox check (src/policy/sandbox.ts),
// the resource limits (src/policy/limits.ts), the per-query settings (src/policy/query_settings.ts) and the id
// that lets a query be cancelled (src/policy/kill_query.ts).
// src/policy/ is rank 3 (sandbox, limits, settings, cancellation, progress, classification):
// it imports only src/core/.
import { type CancelOptions, markSql, queryIdOf } from "./kill_query.ts";
import { utf8 } from "../core/encoding.ts";
import { ChdbError } from "../core/errors.ts";
import { type Limits, limitArgs, limitSettingNames, limitsOf, limitSettings, perQuerySettings } from "./limits.ts";
import type { Lane, Pointer } from "../core/native.ts";
import { runQuery, runQueryOnLane } from "../core/query_calls.ts";
import { checkParams, type QueryParams } from "../core/params.ts";
import {
  currentValuesSql,
  type PlannedSettings,
  querySettingsOf,
  setFailure,
  SettingsMemory,
  type SettingsOption,
  setStatement,
} from "./query_settings.ts";
import { checkSandboxed, type Sandbox, sandboxDefaults, type SandboxOptions, sandboxOf, sandboxSettings } from "./sandbox.ts";

/** The connection options that confine what its queries may do: the sandbox and resource limits. */
export interface PolicyOptions extends Limits {
  /** Confines SQL (see README "Running untrusted SQL"): `true`, or `{ allowRead: [dirs] }`. */
  sandbox?: boolean | SandboxOptions;
}

export interface QueryPolicyOptions extends Limits, CancelOptions, SettingsOption {
  params?: QueryParams;
  signal?: AbortSignal;
}

/** How one query runs: its id (when it may be cancelled) and its own limits. */
export interface QueryPlan {
  /** The SQL to send: with the id in front when there is one. */
  readonly mark: (sql: string) => string;
  /** An error about `mark(sql)` as it is about `sql`: the positions it names counted in `sql`. */
  readonly unmark: (e: unknown, sql: string) => unknown;
  readonly queryId: string | undefined;
  /** The query's own limits: set before it, the connection's put back after. */
  readonly settings: { set: string[]; restore: string[] } | undefined;
  /** The query's `settings` option (the connection's values are read just before they are SET). */
  readonly querySettings: { values: PlannedSettings; memory: SettingsMemory; epoch: number } | undefined;
}

export class QueryPolicy {
  readonly sandbox: Sandbox | undefined;
  /** The connection's limits (the sandbox's defaults where it names none). */
  readonly limits: Limits;
  /** The connection's values of the settings its queries set per query. */
  readonly #settingsMemory = new SettingsMemory();

  constructor(readonly path: string, options: PolicyOptions) {
    this.sandbox = sandboxOf(options.sandbox);
    this.limits = { ...(this.sandbox ? sandboxDefaults : {}), ...limitsOf(options as Record<string, unknown>) };
  }

  /** `--name=value` arguments for the engine, after the user's own settings (these win). */
  connectArgs(): string[] {
    const sandbox = this.sandbox ? Object.entries(sandboxSettings).map(([k, v]) => `--${k}=${v}`) : [];
    return [...sandbox, ...limitArgs(this.limits)];
  }

  /** Throws for parameters the engine would get wrong and for SQL the sandbox refuses. */
  admit(sql: string, params: QueryParams | undefined): void {
    checkParams(sql, params);
    this.#settingsMemory.admit(sql);
    if (this.sandbox) checkSandboxed(this.sandbox, this.path, sql, params);
  }

  /** Refuses what the sandbox never allows, e.g. streaming INSERT. */
  refuseInSandbox(what: string): void {
    if (this.sandbox) throw new ChdbError(`refused by the sandbox: ${what}`);
  }

  plan(options: QueryPolicyOptions | undefined): QueryPlan {
    const cancellable = options?.queryId !== undefined || options?.signal !== undefined;
    const queryId = cancellable ? queryIdOf(options?.queryId) : undefined;
    const limits = limitsOf(options as Record<string, unknown>);
    const values = options?.settings === undefined
      ? undefined
      : querySettingsOf(options.settings, this.sandbox ? limitSettingNames : undefined, new Set(limitSettings(limits).keys()));
    return {
      mark: (sql) => queryId === undefined ? sql : markSql(sql, queryId),
      unmark: (e, sql) => queryId === undefined ? e : withUserPositions(e, sql, markSql("", queryId).length),
      queryId,
      settings: perQuerySettings(limits, this.limits),
      querySettings: values && { values, memory: this.#settingsMemory, epoch: this.#settingsMemory.epoch },
    };
  }
}

// A syntax error names where parsing stopped: `failed at position N (token)`, N counted in bytes
// from 1, then `(line L, col C)` for SQL of several lines. The engine counts in the text it ran,
// which starts with the id's comment (`offset` bytes); given back in the caller's SQL, the numbers
// are those the engine gives for that SQL alone. A later statement of a multi-statement query
// counts from its own start: its error is left as it is (the token is not at N - offset).
const SYNTAX_POSITION = /\bfailed at position (\d+) \(/;
const LINE_ONE_COLUMN = /^ \(line 1, col (\d+)\)/;
const END_OF_QUERY = /^end of query\)(?: \(line \d+, col \d+\))?: /;
const decoder = new TextDecoder();

function withUserPositions(e: unknown, sql: string, offset: number): unknown {
  if (!(e instanceof ChdbError)) return e;
  const found = SYNTAX_POSITION.exec(e.message);
  if (found === null) return e;
  const at = Number(found[1]) - 1 - offset; // where the token starts in `sql`, in bytes
  const bytes = utf8(sql);
  if (at < 0 || at > bytes.length) return e;
  const after = found.index + found[0].length; // the message goes on with `token)`
  const from = decoder.decode(bytes.subarray(at, at + 256)); // `sql` from the position on
  const token = tokenAt(e.message.slice(after), from);
  if (token === undefined) return e;
  const rest = e.message.slice(after + token.length + 1).replace(LINE_ONE_COLUMN, (_, col) => ` (line 1, col ${Number(col) - offset})`);
  e.message = `${e.message.slice(0, found.index)}failed at position ${at + 1} (${token})${rest}`;
  return e;
}

/**
 * The token `text` (the message after `(`) names, if `sql` (from the position on) starts with it.
 * At the end of a statement the token is `end of query`: then the text the message quotes from
 * the position on (after `: `) must be `sql`'s.
 */
function tokenAt(text: string, sql: string): string | undefined {
  const end = END_OF_QUERY.exec(text);
  if (end !== null) return text.startsWith(sql.slice(0, 16), end[0].length) ? "end of query" : undefined;
  for (let n = 1; n <= text.length && text[n - 1] === sql[n - 1]; n++) if (text[n] === ")") return text.slice(0, n);
  return undefined;
}

const none = new Uint8Array(0);
// The format of the statements run here: SET has no output; currentValuesSql() reads rows of JSON.
const FORMAT = "JSONCompactEachRow";
const formatBytes = utf8(FORMAT);

/** Runs one statement of ours on the connection and returns its output. */
function runStatementSync(handle: Pointer, sql: string): string {
  const text = utf8(sql);
  return runQuery(handle, text, formatBytes, none, FORMAT).text();
}

async function runStatementOnLane(lane: Lane, handle: Pointer, sql: string): Promise<string> {
  const text = utf8(sql);
  return (await runQueryOnLane(lane, handle, text, formatBytes, none, FORMAT)).text();
}

/** Tags a result or error with the query's id. */
function tag<T>(value: T, queryId: string | undefined): T {
  if (queryId !== undefined && typeof value === "object" && value !== null) {
    (value as { queryId?: string }).queryId = queryId;
  }
  return value;
}

/**
 * Runs `run` with `sql` as the engine gets it (plan.mark) under the plan's own limits and
 * settings: set before, the connection's values put back after, also when a SET or the query
 * fails (each restore is registered before its SET). Its errors are about `sql` (plan.unmark).
 */
export function runPlanned<T>(handle: Pointer, plan: QueryPlan, sql: string, run: (marked: string) => T): T {
  if (!plan.settings && !plan.querySettings) return runTagged(plan, sql, run);
  const restore: string[] = [];
  try {
    try {
      if (plan.settings) {
        restore.push(...plan.settings.restore);
        for (const s of plan.settings.set) runStatementSync(handle, s);
      }
      const own = plan.querySettings;
      if (own) {
        const looked = own.memory.lookup(own.values, own.epoch);
        const read = currentValuesSql(looked.read);
        restore.push(own.memory.restoreStatement(own.values, looked, read === undefined ? "" : runStatementSync(handle, read), own.epoch));
        try {
          runStatementSync(handle, setStatement(own.values));
        } catch (e) {
          throw setFailure(e, own.values);
        }
      }
      return tag(run(plan.mark(sql)), plan.queryId);
    } finally {
      for (const s of restore) runStatementSync(handle, s);
    }
  } catch (e) {
    throw tag(plan.unmark(e, sql), plan.queryId);
  }
}

function runTagged<T>(plan: QueryPlan, sql: string, run: (marked: string) => T): T {
  try {
    return tag(run(plan.mark(sql)), plan.queryId);
  } catch (e) {
    throw tag(plan.unmark(e, sql), plan.queryId);
  }
}

/** runPlanned() for a call running on the connection's lane. */
export async function runPlannedOnLane<T>(
  lane: Lane,
  handle: Pointer,
  plan: QueryPlan,
  sql: string,
  run: (marked: string) => Promise<T>,
): Promise<T> {
  const restore: string[] = [];
  try {
    try {
      if (plan.settings) {
        restore.push(...plan.settings.restore);
        for (const s of plan.settings.set) await runStatementOnLane(lane, handle, s);
      }
      const own = plan.querySettings;
      if (own) {
        const looked = own.memory.lookup(own.values, own.epoch);
        const read = currentValuesSql(looked.read);
        const rows = read === undefined ? "" : await runStatementOnLane(lane, handle, read);
        restore.push(own.memory.restoreStatement(own.values, looked, rows, own.epoch));
        try {
          await runStatementOnLane(lane, handle, setStatement(own.values));
        } catch (e) {
          throw setFailure(e, own.values);
        }
      }
      return tag(await run(plan.mark(sql)), plan.queryId);
    } finally {
      for (const s of restore) await runStatementOnLane(lane, handle, s);
    }
  } catch (e) {
    throw tag(plan.unmark(e, sql), plan.queryId);
  }
}
