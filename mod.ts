// chdb-ffi: in-process ClickHouse for Deno and Bun.
export { closeDefaultConnection, connect, query, sql } from "./src/default.ts";
export { type ConnectOptions, Connection, type QueryOptions } from "./src/connection.ts";
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
