// The shim's Arrow calls (native/arrow_export.cpp): whole results and streams of batches as
// chffi_arrow handles, and the flat layout words that describe one (read by src/arrow/).
import { ResultInfo } from "./abi.ts";
import { native } from "./native.ts";
import type { Lane, Pointer } from "./native.ts";
import { ErrorSlot, statsOf } from "./native_result.ts";
import type { QueryStats } from "./result.ts";

/** An Arrow query: its SQL (UTF-8), parameters (a string list) and ArrowFlag bits. */
export interface ArrowRequest {
  readonly sql: Uint8Array;
  readonly params: Uint8Array;
  readonly flags: number;
}

/** What chffi_query_arrow handed back. */
export interface ArrowCall {
  /** The Arrow result (owned by the caller from now on), or null when the rows came in `data`. */
  readonly arrow: Pointer | null;
  /** The result's data (RowBinaryWithNamesAndTypes rows with ArrowFlag.FOR_ROWS), when asked for. */
  readonly data: Uint8Array;
  readonly stats: QueryStats;
}

/** Out-params of one chffi_query_arrow call (calls in flight at the same time need one each). */
class ArrowSlots extends ErrorSlot {
  readonly arrow = new BigUint64Array(1);
  readonly result = new BigUint64Array(1);
  readonly info = new BigUint64Array(ResultInfo.WORDS);
}
const scratch = new ArrowSlots();

// A request as the shim's Arrow calls take it: each buffer followed by its length, then the flags.
function requestArguments(r: ArrowRequest) {
  return [r.sql, r.sql.length, r.params, r.params.length, r.flags] as const;
}

function argumentsOf(handle: Pointer, r: ArrowRequest, slots: ArrowSlots) {
  slots.arrow[0] = 0n;
  return [handle, ...requestArguments(r), slots.arrow, slots.result, slots.info, slots.error] as const;
}

/** A finished call's outcome (its error thrown); frees the native result. */
function take(status: number, slots: ArrowSlots, keepData: boolean): ArrowCall {
  slots.check(status);
  const lib = native();
  let data: Uint8Array = new Uint8Array(0);
  try {
    if (keepData) data = lib.copy(slots.info[ResultInfo.DATA], Number(slots.info[ResultInfo.DATA_LEN]));
  } finally {
    lib.fn.chffi_result_free(lib.pointer(slots.result[0]));
  }
  return { arrow: lib.pointer(slots.arrow[0]), data, stats: statsOf(slots.info) };
}

/** Runs one query for its whole result as Arrow; `keepData` keeps the result's data (rows for FOR_ROWS). */
export function queryArrow(handle: Pointer, r: ArrowRequest, keepData: boolean): ArrowCall {
  return take(native().fn.chffi_query_arrow(...argumentsOf(handle, r, scratch)), scratch, keepData);
}

/** queryArrow() off the JS thread. */
export async function queryArrowOnLane(
  lane: Lane,
  handle: Pointer,
  r: ArrowRequest,
  keepData: boolean,
): Promise<ArrowCall> {
  const slots = new ArrowSlots();
  return take(await lane.fn.chffi_query_arrow(...argumentsOf(handle, r, slots)), slots, keepData);
}

const layoutWords = new BigUint64Array(1);

/** The layout words of an Arrow result, copied out of native memory. */
export function arrowLayout(arrow: Pointer): BigUint64Array {
  const lib = native();
  const address = lib.address(lib.fn.chffi_arrow_layout(arrow, layoutWords));
  const bytes = lib.copy(address, Number(layoutWords[0]) * 8);
  return new BigUint64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}

/** Whether every buffer of the result is the shim's (so that it can be quarantined when freed). */
export function arrowViewable(arrow: Pointer): boolean {
  return native().fn.chffi_arrow_viewable(arrow) !== 0;
}

/** Releases an Arrow result. */
export function freeArrow(arrow: Pointer): void {
  native().fn.chffi_arrow_free(arrow);
}

/** Releases an Arrow result that zero-copy views may still point into: its memory is never reused. */
export function freeArrowQuarantined(arrow: Pointer): void {
  native().fn.chffi_arrow_free_quarantined(arrow);
}

const outStream = new BigUint64Array(1);
const slot = new ErrorSlot();

/** Starts a streaming Arrow query; the stream (free it with freeArrowStream). */
export function openArrowStream(handle: Pointer, r: ArrowRequest): Pointer {
  const lib = native();
  slot.check(
    lib.fn.chffi_stream_arrow_open(handle, ...requestArguments(r), outStream, slot.error),
  );
  return lib.pointer(outStream[0])!;
}

/** The next batch as a one-batch Arrow result; at the end once one with the schema and no batch, then null. */
export function nextArrowBatch(stream: Pointer): Pointer | null {
  const lib = native();
  slot.check(lib.fn.chffi_stream_arrow_next(stream, outStream, slot.error));
  return lib.pointer(outStream[0]);
}

/** Cancels the query if it has not finished and frees the stream. */
export function freeArrowStream(stream: Pointer): void {
  native().fn.chffi_stream_arrow_free(stream);
}
