// Arrow results: chffi_query_arrow gathers the result as Arrow C Data Interface arrays (built by
// the shim from the engine's Native stream, or the engine's own export), and the whole result
// becomes an ArrowTable over zero-copy views of those native buffers.
// src/arrow/ is rank 2 (Arrow results, JS data as tables): it imports only src/core/.
import { ArrowFlag } from "../core/abi.ts";
import {
  type ArrowCall,
  arrowLayout,
  type ArrowRequest,
  queryArrow as queryArrowCall,
  queryArrowOnLane,
} from "../core/arrow_calls.ts";
import { utf8 } from "../core/encoding.ts";
import { ChdbArgumentError, ChdbError } from "../core/errors.ts";
import type { Lane, Pointer } from "../core/native.ts";
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

const { STREAMED, FOR_ROWS, TYPE_NAMES } = ArrowFlag;

export function arrowFlags(options: ArrowQueryOptions): number {
  if (options === null || typeof options !== "object") throw new ChdbArgumentError("options must be an object");
  return (options.unsupportedAsBinary ? ArrowFlag.UNSUPPORTED_AS_BINARY : 0) |
    (options.lowCardinalityAsDictionary ? ArrowFlag.LOW_CARDINALITY_AS_DICTIONARY : 0) |
    (options.stringAsBinary ? ArrowFlag.STRING_AS_BINARY : 0);
}

/** Wraps a chffi_arrow (taking ownership) as RecordBatches; frees it if wrapping fails. */
export function adoptArrow(arrow: Pointer) {
  const memory = new NativeArrowMemory(arrow);
  try {
    return { memory, ...importLayout(arrowLayout(arrow), memory) };
  } catch (e) {
    memory.close();
    throw e;
  }
}

/** The encoded request of a chffi_query_arrow call. */
function requestOf(sql: string, options: ArrowQueryOptions, extraFlags = 0): ArrowRequest {
  if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
  // The types of the fields the shim builds spare withRestoredTypes() its DESCRIBE.
  const flags = arrowFlags(options) | (options.stats === true ? 0 : STREAMED) | (options.restoreTypes === false ? 0 : TYPE_NAMES) |
    extraFlags;
  return { sql: utf8(sql), params: encodeParams(options.params), flags };
}

/** Whether chffi_query_arrow took the streaming path, which reports no metrics. */
function streamed(r: ArrowRequest): boolean {
  return (r.flags & STREAMED) !== 0 || r.params.length !== 0;
}

/** The Arrow result of a finished call wrapped as RecordBatches (null when the shim returned none). */
function adopted(call: ArrowCall) {
  return call.arrow === null ? null : adoptArrow(call.arrow);
}

/** The Table of a finished chffi_query_arrow call. */
function tableOf(call: ArrowCall, withStats: boolean): ArrowTable {
  const arrow = adopted(call);
  if (arrow === null) throw new ChdbError("the shim reported success but returned no Arrow result");
  return new ArrowTable(arrow.schema, arrow.batches, [arrow.memory], withStats ? call.stats : undefined);
}

export function queryArrow(handle: Pointer, sql: string, options: ArrowQueryOptions = {}): ArrowTable {
  const r = requestOf(sql, options);
  return finish(tableOf(queryArrowCall(handle, r, false), !streamed(r)), handle, sql, options, r.params);
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
  const r = requestOf(sql, options);
  const call = await queryArrowOnLane(lane, handle, r, false);
  // The DESCRIBE for DateTime columns runs on the JS thread: it only analyses the query.
  return finish(tableOf(call, !streamed(r)), handle, sql, options, r.params);
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

function rowsResultOf(call: ArrowCall): RowsResult {
  const arrow = adopted(call);
  const table = arrow === null ? null : new ArrowTable(arrow.schema, arrow.batches, [arrow.memory]);
  return { table, rowBinary: call.data, stats: call.stats };
}

export function queryRows(handle: Pointer, sql: string, params: QueryParams | undefined): RowsResult {
  return rowsResultOf(queryArrowCall(handle, requestOf(sql, { params }, FOR_ROWS), true));
}

/** queryRows() on a lane: the engine works off the JS thread. */
export async function queryRowsOffThread(lane: Lane, handle: Pointer, sql: string, params: QueryParams | undefined): Promise<RowsResult> {
  return rowsResultOf(await queryArrowOnLane(lane, handle, requestOf(sql, { params }, FOR_ROWS), true));
}
