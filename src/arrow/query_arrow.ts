// Arrow results: chffi_query_arrow gathers the result as Arrow C Data Interface arrays (built by
// the shim from the engine's Native stream, or the engine's own export), and the whole result
// becomes an ArrowTable over zero-copy views of those native buffers.
// src/arrow/ is rank 2 (Arrow results, JS data as tables): it imports only src/core/ and ffi/.
import { RESULT_INFO_WORDS, Status } from "../../ffi/symbols.ts";
import type { Lane, NativeLib, Pointer } from "../../ffi/types.ts";
import { utf8 } from "../core/encoding.ts";
import { ChdbArgumentError, ChdbError } from "../core/errors.ts";
import { native } from "../core/native.ts";
import { errorOf, statsOf } from "../core/native_result.ts";
import type { QueryStats } from "../core/result.ts";
import { encodeParams, type QueryParams } from "../core/params.ts";
import { importLayout } from "./import_layout.ts";
import { NativeArrowMemory } from "./native_arrow_memory.ts";
import { withRestoredTypes } from "./with_restored_types.ts";
import { ArrowTable } from "./arrow_table.ts";

/** Options of the Arrow queries (`queryArrow()`, format "ArrowTable"). */
export interface ArrowQueryOptions {
  /** Values bound server-side to `{name:Type}` placeholders. */
  params?: QueryParams;
  /** Types with no faithful Arrow mapping (JSON, Dynamic, AggregateFunction) come out as binary instead of failing. */
  unsupportedAsBinary?: boolean;
  /** LowCardinality columns as Arrow dictionaries instead of their plain type. */
  lowCardinalityAsDictionary?: boolean;
  /** String columns as Arrow Binary (for non-UTF-8 data) instead of Utf8. */
  stringAsBinary?: boolean;
  /**
   * DateTime columns as Timestamp(SECOND, their timezone) and Enum columns as dictionaries of
   * their names (default true). The engine exports them as plain Uint32 seconds and Int8/Int16
   * codes. The result the shim builds (the default, `stats` not true) carries each field's
   * ClickHouse type as "clickhouse.type" metadata, which says which columns they are; a result
   * the engine exports (`stats: true`, or types the shim does not build) costs a DESCRIBE of the
   * query when it has Uint32, Int8 or Int16 columns. false keeps the engine's types.
   */
  restoreTypes?: boolean;
  /**
   * queryArrow() only (streams never carry metrics). false (default): the engine streams the
   * result in its Native format and the shim builds the Arrow buffers while the next block is
   * produced (about twice as fast as the engine's own Arrow export for large results); the
   * streaming API reports no metrics, so `table.stats` is undefined. true: the engine exports
   * Arrow itself after the query and its metrics come in `table.stats`. Queries with `params`
   * always take the streaming path.
   */
  stats?: boolean;
}

/** chffi_query_arrow flag: stream the result and build the Arrow batches in the shim (CHFFI_ARROW_STREAMED). */
const STREAMED = 8;
/** chffi_query_arrow flag: fields carry their ClickHouse types, or the rows come as RowBinaryWithNamesAndTypes (CHFFI_ARROW_FOR_ROWS). */
const FOR_ROWS = 16;
/** chffi_query_arrow flag: fields the shim builds carry their ClickHouse types (CHFFI_ARROW_TYPE_NAMES). */
const TYPE_NAMES = 32;

/** Out-parameters of one chffi_query_arrow call (off-thread calls each need their own). */
class ArrowSlots {
  readonly arrow = new BigUint64Array(1);
  readonly result = new BigUint64Array(1);
  readonly info = new BigUint64Array(RESULT_INFO_WORDS);
}
const scratch = new ArrowSlots();
const layoutWords = new BigUint64Array(1);

export function arrowFlags(options: ArrowQueryOptions): number {
  if (options === null || typeof options !== "object") throw new ChdbArgumentError("options must be an object");
  return (options.unsupportedAsBinary ? 1 : 0) | (options.lowCardinalityAsDictionary ? 2 : 0) |
    (options.stringAsBinary ? 4 : 0);
}

/** Copies the layout of a chffi_arrow out of native memory. */
export function layoutOf(lib: NativeLib, arrow: Pointer): BigUint64Array {
  const address = lib.address(lib.fn.chffi_arrow_layout(arrow, layoutWords));
  const bytes = lib.copy(address, Number(layoutWords[0]) * 8);
  return new BigUint64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}

/** Wraps a chffi_arrow (taking ownership) as RecordBatches; frees it if wrapping fails. */
export function adoptArrow(lib: NativeLib, arrow: Pointer) {
  const memory = new NativeArrowMemory(arrow);
  try {
    return { memory, ...importLayout(layoutOf(lib, arrow), memory) };
  } catch (e) {
    memory.close();
    throw e;
  }
}

/** The encoded arguments of a chffi_query_arrow call. */
function argumentsOf(handle: Pointer, sql: string, options: ArrowQueryOptions, slots: ArrowSlots, extraFlags = 0) {
  if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
  // The types of the fields the shim builds spare withRestoredTypes() its DESCRIBE.
  const flags = arrowFlags(options) | (options.stats === true ? 0 : STREAMED) | (options.restoreTypes === false ? 0 : TYPE_NAMES) |
    extraFlags;
  const sqlBytes = utf8(sql);
  const paramBytes = encodeParams(options.params);
  slots.arrow[0] = 0n;
  return [
    handle,
    sqlBytes,
    sqlBytes.length,
    paramBytes,
    paramBytes.length,
    flags,
    slots.arrow,
    slots.result,
    slots.info,
  ] as const;
}

/** Whether chffi_query_arrow took the streaming path, which reports no metrics. */
function streamed(args: ReturnType<typeof argumentsOf>): boolean {
  return (args[5] & STREAMED) !== 0 || args[4] !== 0;
}

/**
 * A finished chffi_query_arrow call: its Arrow result (null when the shim returned none), its
 * metrics and, with `keepData`, the bytes of its result data; throws its error. Frees the
 * native result either way.
 */
function takeArrowCall(lib: NativeLib, status: number, slots: ArrowSlots, keepData: boolean) {
  const result = lib.pointer(slots.result[0]);
  let data: Uint8Array = new Uint8Array(0);
  try {
    if (status !== Status.OK) throw errorOf(status, slots.info);
    if (keepData) data = lib.copy(slots.info[0], Number(slots.info[1]));
  } finally {
    lib.fn.chffi_result_free(result);
  }
  const arrow = lib.pointer(slots.arrow[0]);
  return { arrow: arrow === null ? null : adoptArrow(lib, arrow), data, stats: statsOf(slots.info) };
}

/** The Table of a finished chffi_query_arrow call (or its error). */
function tableOf(lib: NativeLib, status: number, slots: ArrowSlots, withStats: boolean): ArrowTable {
  const { arrow, stats } = takeArrowCall(lib, status, slots, false);
  if (arrow === null) throw new ChdbError("the shim reported success but returned no Arrow result");
  return new ArrowTable(arrow.schema, arrow.batches, [arrow.memory], withStats ? stats : undefined);
}

export function queryArrow(handle: Pointer, sql: string, options: ArrowQueryOptions = {}): ArrowTable {
  const lib = native();
  const args = argumentsOf(handle, sql, options, scratch);
  const table = tableOf(lib, lib.fn.chffi_query_arrow(...args), scratch, !streamed(args));
  return finish(table, handle, sql, options, args[3]);
}

function finish(
  table: ArrowTable,
  handle: Pointer,
  sql: string,
  options: ArrowQueryOptions,
  params: Uint8Array,
): ArrowTable {
  if (options.restoreTypes === false) return table;
  try {
    return withRestoredTypes(table, handle, sql, params);
  } catch (e) {
    table.close();
    throw e;
  }
}

/** queryArrow() on a lane: the engine works off the JS thread. */
export async function queryArrowOffThread(
  lane: Lane,
  handle: Pointer,
  sql: string,
  options: ArrowQueryOptions,
): Promise<ArrowTable> {
  const slots = new ArrowSlots();
  const args = argumentsOf(handle, sql, options, slots);
  const status = await lane.fn.chffi_query_arrow(...args);
  // The DESCRIBE for DateTime columns runs on the JS thread: it only analyses the query.
  return finish(tableOf(native(), status, slots, !streamed(args)), handle, sql, options, args[3]);
}

/**
 * A statement's result for row readers (cursors): an Arrow table whose fields carry their
 * ClickHouse type as "clickhouse.type" metadata (the shim built it), or, for results it does not
 * build, the rows as RowBinaryWithNamesAndTypes bytes. The metrics are those of the call.
 */
export interface RowsResult {
  table: ArrowTable | null;
  rowBinary: Uint8Array;
  stats: QueryStats;
}

function rowsResultOf(lib: NativeLib, status: number, slots: ArrowSlots): RowsResult {
  const { arrow, data, stats } = takeArrowCall(lib, status, slots, true);
  const table = arrow === null ? null : new ArrowTable(arrow.schema, arrow.batches, [arrow.memory]);
  return { table, rowBinary: data, stats };
}

export function queryRows(handle: Pointer, sql: string, params: QueryParams | undefined): RowsResult {
  const lib = native();
  return rowsResultOf(lib, lib.fn.chffi_query_arrow(...argumentsOf(handle, sql, { params }, scratch, FOR_ROWS)), scratch);
}

/** queryRows() on a lane: the engine works off the JS thread. */
export async function queryRowsOffThread(lane: Lane, handle: Pointer, sql: string, params: QueryParams | undefined): Promise<RowsResult> {
  const slots = new ArrowSlots();
  const status = await lane.fn.chffi_query_arrow(...argumentsOf(handle, sql, { params }, slots, FOR_ROWS));
  return rowsResultOf(native(), status, slots);
}
