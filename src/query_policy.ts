// What a connection's options say about each query it runs: the sandbox check (src/sandbox.ts),
// the resource limits (src/limits.ts) and the id that lets a query be cancelled (src/cancel.ts).
import { Status } from "../ffi/symbols.ts";
import type { Lane, Pointer } from "../ffi/types.ts";
import { type CancelOptions, markSql, queryIdOf } from "./cancel.ts";
import { utf8 } from "./encoding.ts";
import { ChdbError } from "./errors.ts";
import { type Limits, limitArgs, limitsOf, perQuerySettings } from "./limits.ts";
import { native } from "./native.ts";
import { errorOf, ResultSlots } from "./native_result.ts";
import { checkParams, type QueryParams } from "./params.ts";
import { checkSandboxed, type Sandbox, sandboxDefaults, type SandboxOptions, sandboxOf, sandboxSettings } from "./sandbox.ts";

/** The connection options that confine what its queries may do: the sandbox and resource limits. */
export interface PolicyOptions extends Limits {
  /** Confines SQL (see README "Running untrusted SQL"): `true`, or `{ allowRead: [dirs] }`. */
  sandbox?: boolean | SandboxOptions;
}

export interface QueryPolicyOptions extends Limits, CancelOptions {
  params?: QueryParams;
  signal?: AbortSignal;
}

/** How one query runs: its id (when it may be cancelled) and its own limits. */
export interface QueryPlan {
  /** The SQL to send: with the id in front when there is one. */
  readonly mark: (sql: string) => string;
  readonly queryId: string | undefined;
  readonly settings: { set: string[]; restore: string[] } | undefined;
}

export class QueryPolicy {
  readonly sandbox: Sandbox | undefined;
  /** The connection's limits (the sandbox's defaults where it names none). */
  readonly limits: Limits;

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
    if (this.sandbox) checkSandboxed(this.sandbox, this.path, sql, params);
  }

  /** Refuses what the sandbox never allows, e.g. streaming INSERT. */
  refuseInSandbox(what: string): void {
    if (this.sandbox) throw new ChdbError(`refused by the sandbox: ${what}`);
  }

  plan(options: QueryPolicyOptions | undefined): QueryPlan {
    const cancellable = options?.queryId !== undefined || options?.signal !== undefined;
    const queryId = cancellable ? queryIdOf(options?.queryId) : undefined;
    return {
      mark: (sql) => queryId === undefined ? sql : markSql(sql, queryId),
      queryId,
      settings: perQuerySettings(limitsOf(options as Record<string, unknown>), this.limits),
    };
  }
}

function runStatementSync(handle: Pointer, sql: string): void {
  const lib = native();
  const text = utf8(sql);
  const slots = new ResultSlots();
  const none = new Uint8Array(0);
  const format = utf8("TSV");
  const status = lib.fn.chffi_query(handle, text, text.length, format, format.length, none, 0, slots.out, slots.info);
  try {
    if (status !== Status.OK) throw errorOf(status, slots.info);
  } finally {
    lib.fn.chffi_result_free(lib.pointer(slots.out[0]));
  }
}

async function runStatementOnLane(lane: Lane, handle: Pointer, sql: string): Promise<void> {
  const lib = native();
  const text = utf8(sql);
  const slots = new ResultSlots();
  const none = new Uint8Array(0);
  const format = utf8("TSV");
  const status = await lane.fn.chffi_query(handle, text, text.length, format, format.length, none, 0, slots.out, slots.info);
  try {
    if (status !== Status.OK) throw errorOf(status, slots.info);
  } finally {
    lib.fn.chffi_result_free(lib.pointer(slots.out[0]));
  }
}

/** Tags a result or error with the query's id. */
function tag<T>(value: T, queryId: string | undefined): T {
  if (queryId !== undefined && typeof value === "object" && value !== null) {
    (value as { queryId?: string }).queryId = queryId;
  }
  return value;
}

/** Runs `run` under the plan's own limits (set before, the connection's put back after). */
export function runPlanned<T>(handle: Pointer, plan: QueryPlan, run: () => T): T {
  try {
    if (plan.settings) for (const s of plan.settings.set) runStatementSync(handle, s);
    try {
      return tag(run(), plan.queryId);
    } finally {
      if (plan.settings) for (const s of plan.settings.restore) runStatementSync(handle, s);
    }
  } catch (e) {
    throw tag(e, plan.queryId);
  }
}

/** runPlanned() for a call running on the connection's lane. */
export async function runPlannedOnLane<T>(lane: Lane, handle: Pointer, plan: QueryPlan, run: () => Promise<T>): Promise<T> {
  try {
    if (plan.settings) for (const s of plan.settings.set) await runStatementOnLane(lane, handle, s);
    try {
      return tag(await run(), plan.queryId);
    } finally {
      if (plan.settings) for (const s of plan.settings.restore) await runStatementOnLane(lane, handle, s);
    }
  } catch (e) {
    throw tag(e, plan.queryId);
  }
}
