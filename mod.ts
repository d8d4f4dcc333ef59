// chdb-ffi: in-process ClickHouse for Deno, Bun and Node.
// Exports only, grouped by folder in rank order (README "Layout"); nothing internal.

// src/core/: the opaque native pointer (what Connection's protected handle() gives a subclass),
// errors, results, parameters, format names, async options, the engine's version.
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
export { type QueryStats, Result } from "./src/core/result.ts";
export type { ParamText, QueryParams, QueryParamValue } from "./src/core/params.ts";
export type { Format, FormatName } from "./src/core/format.ts";
export type { AsyncOptions } from "./src/core/abortable.ts";
export { engineVersion, type Pointer } from "./src/core/native.ts";

// src/arrow/: Arrow results over engine memory, JS data as tables.
export { ArrowTable } from "./src/arrow/arrow_table.ts";
export type { ArrowQueryOptions } from "./src/arrow/query_arrow.ts";
export { TableReader } from "./src/arrow/to_arrow_table.ts";

// src/rows/: rows of JS values and how wide integers reach JS.
export type { Column } from "./src/rows/row_set.ts";
export type { Int64Mode, Int64Option } from "./src/rows/int64_mode.ts";

// src/stream/: streamed results and streaming INSERT.
export { InsertStream, type InsertStreamOptions, QueryStream, type StreamOptions } from "./src/stream/query_stream.ts";
export { ArrowBatchStream, type ArrowStreamOptions } from "./src/stream/arrow_batch_stream.ts";

// src/hashset/: native string sets and hash-filter expressions.
export { StringHashSet } from "./src/hashset/string_hash_set.ts";
export {
  col,
  Expr,
  filter,
  type Frame,
  HashfilterNamespace,
  isInHashset,
  notInHashset,
} from "./src/hashset/hashfilter.ts";
export type { ArrowVector, BoolVector, NullVector, StringColumn } from "./src/hashset/apply_operation.ts";

// src/policy/: the sandbox, limits, per-query settings, cancellation and progress.
export type { SandboxOptions } from "./src/policy/sandbox.ts";
export type { Limits } from "./src/policy/limits.ts";
export type { QuerySettings, SettingsOption } from "./src/policy/query_settings.ts";
export type { PolicyOptions } from "./src/policy/query_policy.ts";
export type { CancelOptions } from "./src/policy/kill_query.ts";
export type { Progress, ProgressOptions } from "./src/policy/progress_watch.ts";

// src/connection/: a connection, its cursors, statements, lazy queries and inserts.
export { Connection, type ConnectOptions, type RegisterData } from "./src/connection/connection.ts";
export type { QueryOptions } from "./src/connection/query_options.ts";
export { type ColumnDescription, Cursor } from "./src/connection/cursor.ts";
export { type Row, type RunResult, Statement } from "./src/connection/statement.ts";
export { LazyQuery } from "./src/connection/lazy_query.ts";
export type { InsertData } from "./src/connection/insert.ts";

// src/api/: query() on the default connection, connect(), sessions, DB-API, UDFs, pools.
export {
  cancelQuery,
  closeDefaultConnection,
  configureDefaultConnection,
  connect,
  query,
  queryAsync,
  sql,
} from "./src/api/default_connection.ts";
export { Session, type SessionOptions } from "./src/api/session.ts";
export { type Dbapi, dbapi, DbapiConnection } from "./src/api/dbapi.ts";
export { udf, type UdfOptions } from "./src/api/udf.ts";
export { createPool, Pool, type PoolOptions, SMALL_QUERY_SETTINGS } from "./src/api/pool.ts";
