// chdb-ffi: in-process ClickHouse for Deno and Bun.
export { closeDefaultConnection, connect, query, queryAsync, sql } from "./src/api/default_connection.ts";
export { cancelQuery, configureDefaultConnection } from "./src/api/default_connection.ts";
export type { CancelOptions } from "./src/policy/kill_query.ts";
export type { Limits } from "./src/policy/limits.ts";
export type { QuerySettings, SettingsOption } from "./src/policy/query_settings.ts";
export type { SandboxOptions } from "./src/policy/sandbox.ts";
export type { AsyncOptions } from "./src/core/abortable.ts";
export { type ColumnDescription, Cursor } from "./src/connection/cursor.ts";
export { dbapi, DbapiConnection } from "./src/api/dbapi.ts";
export { type Row, type RunResult, Statement } from "./src/connection/statement.ts";
export type { Column } from "./src/rows/row_set.ts";
export { udf, type UdfOptions } from "./src/api/udf.ts";
export { InsertStream, QueryStream, type StreamOptions } from "./src/stream/query_stream.ts";
export { type ConnectOptions, Connection, type RegisterData } from "./src/connection/connection.ts";
export type { QueryOptions } from "./src/connection/query_options.ts";
export { Session, type SessionOptions } from "./src/api/session.ts";
export { type QueryStats, Result } from "./src/core/result.ts";
export { ArrowTable } from "./src/arrow/arrow_table.ts";
export type { ArrowQueryOptions } from "./src/arrow/query_arrow.ts";
export { ArrowBatchStream, type ArrowStreamOptions } from "./src/stream/arrow_batch_stream.ts";
export { TableReader } from "./src/arrow/to_arrow_table.ts";
export type { QueryParams, QueryParamValue } from "./src/core/params.ts";
export { engineVersion } from "./src/core/native.ts";
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
} from "./src/core/errors.ts";
export { StringHashSet } from "./src/hashset/string_hash_set.ts";
export { col, Expr, filter, HashfilterNamespace, isInHashset, notInHashset } from "./src/hashset/hashfilter.ts";
export type { BoolVector, NullVector, StringColumn } from "./src/hashset/apply_operation.ts";
export { LazyQuery } from "./src/connection/lazy_query.ts";
export type { Progress, ProgressOptions } from "./src/policy/progress_watch.ts";
export type { Int64Mode, Int64Option } from "./src/rows/int64_mode.ts";
export type { InsertData } from "./src/connection/insert.ts";
export { createPool, Pool, type PoolOptions, SMALL_QUERY_SETTINGS } from "./src/api/pool.ts";
export type { Format, FormatName } from "./src/core/format.ts";
export type { Dbapi } from "./src/api/dbapi.ts";
export type { PolicyOptions } from "./src/policy/query_policy.ts";
export type { ParamText } from "./src/core/params.ts";
export type { Frame } from "./src/hashset/hashfilter.ts";
export type { HasNativeSet } from "./src/hashset/apply_operation.ts";
export type { Pointer } from "./ffi/types.ts";
export type { ArrowVector } from "./src/hashset/apply_operation.ts";
