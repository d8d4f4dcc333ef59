// Running one query (chffi_query) on the JS thread or on a lane: the output as a Result, or the
// engine's error as a ChdbError.
import type { Lane, Pointer } from "./native.ts";
import { native } from "./native.ts";
import { ResultSlots, takeResult } from "./native_result.ts";
import type { Result } from "./result.ts";

// Out-params of the synchronous calls: JS runs them one at a time on this thread. An off-thread
// call has its own.
const scratch = new ResultSlots();

// chffi_query's arguments, with `slots` for its out-params.
function queryArguments(handle: Pointer, sql: Uint8Array, format: Uint8Array, params: Uint8Array, slots: ResultSlots) {
  return [
    handle,
    sql,
    sql.length,
    format,
    format.length,
    params,
    params.length,
    slots.out,
    slots.info,
    slots.error,
  ] as const;
}

/** Runs `sql` (UTF-8) on the connection; `format` is the output format's name, `params` a parameter string list. */
export function runQuery(
  handle: Pointer,
  sql: Uint8Array,
  format: Uint8Array,
  params: Uint8Array,
  formatName: string,
): Result {
  return takeResult(
    native().fn.chffi_query(...queryArguments(handle, sql, format, params, scratch)),
    scratch,
    formatName,
  );
}

/** runQuery() off the JS thread, on the connection's lane. */
export async function runQueryOnLane(
  lane: Lane,
  handle: Pointer,
  sql: Uint8Array,
  format: Uint8Array,
  params: Uint8Array,
  formatName: string,
): Promise<Result> {
  const slots = new ResultSlots();
  return takeResult(
    await lane.fn.chffi_query(...queryArguments(handle, sql, format, params, slots)),
    slots,
    formatName,
  );
}
