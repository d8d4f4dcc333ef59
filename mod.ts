// chdb-ffi: in-process ClickHouse for Deno and Bun.
export { closeDefaultConnection, connect, query, queryAsync, sql } from "./src/default.ts";
export { cancelQuery, configureDefaultConnection } from "./src/default.ts";
export type { CancelOptions } from "./src/cancel.ts";
export type { Limits } from "./src/limits.ts";
export type { QuerySettings, SettingsOption } from "./src/query_settings.ts";
export type { SandboxOptions } from "./src/sandbox.ts";
export type { AsyncOptions } from "./src/async.ts";
export { type ColumnDescription, Cursor } from "./src/cursor.ts";
export { dbapi, DbapiConnection } from "./src/dbapi.ts";
export { type Row, type RunResult, Statement } from "./src/statement.ts";
export { type Column, ROWS_FORMAT } from "./src/rows.ts";
export { udf, type UdfOptions } from "./src/udf.ts";
export { InsertStream, type InsertStreamOptions, QueryStream, type StreamOptions } from "./src/stream.ts";
export { type ConnectOptions, Connection, type QueryOptions, type RegisterData } from "./src/connection.ts";
export { Session, type SessionOptions } from "./src/session.ts";
export { type QueryStats, Result } from "./src/result.ts";
export { ArrowTable } from "./src/arrow/table.ts";
export type { ArrowQueryOptions } from "./src/arrow/query.ts";
export { ArrowBatchStream, type ArrowStreamOptions } from "./src/arrow/stream.ts";
export { TableReader } from "./src/arrow/convert.ts";
export type { QueryParams, QueryParamValue } from "./src/params.ts";
export { engineVersion } from "./src/native.ts";
export {
  ChdbArgumentError,
  ChdbBusyError,
  ChdbClosedError,
  ChdbConnectionError,
  ChdbError,
  ChdbLoadError,
  ChdbNotImplementedError,
  ChdbPathConflictError,
  ChdbQueryError,
  ChdbTypeError,
} from "./src/errors.ts";
export { StringHashSet } from "./src/hashset.ts";
export { col, Expr, filter, HashfilterNamespace, isInHashset, notInHashset } from "./src/hashfilter.ts";
export type { BoolVector, NullVector, StringColumn } from "./src/hashfilter_ops.ts";
export { LazyQuery } from "./src/lazy.ts";
export type { Progress, ProgressOptions } from "./src/progress.ts";
export type { Int64Mode, Int64Option } from "./src/int64.ts";
export type { InsertData } from "./src/insert.ts";
export { createPool, Pool, type PoolOptions, SMALL_QUERY_SETTINGS } from "./src/pool.ts";
export type { Format, FormatName } from "./src/format.ts";
export type { Dbapi } from "./src/dbapi.ts";
export type { PolicyOptions } from "./src/query_policy.ts";
export type { ParamText } from "./src/params.ts";
export type { Frame } from "./src/hashfilter.ts";
export type { HasNativeSet } from "./src/hashfilter_ops.ts";
export type { Pointer } from "./ffi/types.ts";
export type { ArrowVector } from "./src/hashfilter_ops.ts";
