// The one import of apache-arrow: every other source file takes its Arrow names from here, so the
// sources resolve the package wherever they are imported from (issue 13). Deno resolves a bare
// "apache-arrow" only with a configuration (deno.json, package.json) in the folder it runs in, and
// Node, Bun and tsc do not understand `npm:` specifiers:
// - the types come from `npm:` (a type import: Bun and tsc erase it, Deno resolves it anywhere);
// - the values come from the bare name first: in a checkout, the npm package and on Node and Bun that
//   is the one copy the user's own `apache-arrow` imports get too (so `instanceof` holds across them).
//   Only Deno without a configuration fails it; then `npm:`, and if that fails too, the first error.
// The version in both specifiers is package.json's (tests/npm_dependencies.test.ts). The npm package
// (scripts/build_npm.ts) imports the bare name statically instead: no top-level await, which would keep
// CommonJS from require()-ing it, and no `npm:`, which Node and TypeScript users cannot resolve.
/**
 * apache-arrow's own names, documented by apache-arrow: `@ignore` keeps `deno doc` from taking them for
 * private types of this package where the public API names them (as it did for the bare import).
 * @module
 * @ignore
 */
import type * as Arrow from "npm:apache-arrow@21.2.0";

const arrow: typeof Arrow = await import("apache-arrow").catch((bare) =>
  import("npm:apache-arrow@21.2.0").catch(() => {
    throw bare;
  })
);

export type { Data, TypeMap } from "npm:apache-arrow@21.2.0";

// Values with explicit types (JSR wants them); each class and enum also as the type of the same name.
export const Binary: typeof Arrow.Binary = arrow.Binary;
export type Binary = Arrow.Binary;
export const Bool: typeof Arrow.Bool = arrow.Bool;
export type Bool = Arrow.Bool;
export const DataType: typeof Arrow.DataType = arrow.DataType;
export type DataType<T extends Arrow.Type = Arrow.Type, C extends Arrow.TypeMap = any> = Arrow.DataType<T, C>;
export const DateDay: typeof Arrow.DateDay = arrow.DateDay;
export type DateDay = Arrow.DateDay;
export const DateMillisecond: typeof Arrow.DateMillisecond = arrow.DateMillisecond;
export type DateMillisecond = Arrow.DateMillisecond;
export const DateUnit: typeof Arrow.DateUnit = arrow.DateUnit;
export type DateUnit = Arrow.DateUnit;
export const Decimal: typeof Arrow.Decimal = arrow.Decimal;
export type Decimal = Arrow.Decimal;
export const DenseUnion: typeof Arrow.DenseUnion = arrow.DenseUnion;
export type DenseUnion = Arrow.DenseUnion;
export const Dictionary: typeof Arrow.Dictionary = arrow.Dictionary;
/** The index types a Dictionary takes (apache-arrow's TKeys, which it does not export). */
type Keys = Arrow.Dictionary["indices"];
export type Dictionary<T extends Arrow.DataType = any, K extends Keys = Keys> = Arrow.Dictionary<T, K>;
export const Duration: typeof Arrow.Duration = arrow.Duration;
export type Duration = Arrow.Duration;
export const Field: typeof Arrow.Field = arrow.Field;
export type Field<T extends Arrow.DataType = any> = Arrow.Field<T>;
export const FixedSizeBinary: typeof Arrow.FixedSizeBinary = arrow.FixedSizeBinary;
export type FixedSizeBinary = Arrow.FixedSizeBinary;
export const FixedSizeList: typeof Arrow.FixedSizeList = arrow.FixedSizeList;
export type FixedSizeList<T extends Arrow.DataType = any> = Arrow.FixedSizeList<T>;
export const Float16: typeof Arrow.Float16 = arrow.Float16;
export type Float16 = Arrow.Float16;
export const Float32: typeof Arrow.Float32 = arrow.Float32;
export type Float32 = Arrow.Float32;
export const Float64: typeof Arrow.Float64 = arrow.Float64;
export type Float64 = Arrow.Float64;
export const Int8: typeof Arrow.Int8 = arrow.Int8;
export type Int8 = Arrow.Int8;
export const Int16: typeof Arrow.Int16 = arrow.Int16;
export type Int16 = Arrow.Int16;
export const Int32: typeof Arrow.Int32 = arrow.Int32;
export type Int32 = Arrow.Int32;
export const Int64: typeof Arrow.Int64 = arrow.Int64;
export type Int64 = Arrow.Int64;
export const Interval: typeof Arrow.Interval = arrow.Interval;
export type Interval = Arrow.Interval;
export const LargeBinary: typeof Arrow.LargeBinary = arrow.LargeBinary;
export type LargeBinary = Arrow.LargeBinary;
export const LargeList: typeof Arrow.LargeList = arrow.LargeList;
export type LargeList<T extends Arrow.DataType = any> = Arrow.LargeList<T>;
export const LargeUtf8: typeof Arrow.LargeUtf8 = arrow.LargeUtf8;
export type LargeUtf8 = Arrow.LargeUtf8;
export const List: typeof Arrow.List = arrow.List;
export type List<T extends Arrow.DataType = any> = Arrow.List<T>;
export const Map_: typeof Arrow.Map_ = arrow.Map_;
export type Map_<K extends Arrow.DataType = any, V extends Arrow.DataType = any> = Arrow.Map_<K, V>;
export const Null: typeof Arrow.Null = arrow.Null;
export type Null = Arrow.Null;
export const RecordBatch: typeof Arrow.RecordBatch = arrow.RecordBatch;
export type RecordBatch<T extends Arrow.TypeMap = any> = Arrow.RecordBatch<T>;
export const Schema: typeof Arrow.Schema = arrow.Schema;
export type Schema<T extends Arrow.TypeMap = any> = Arrow.Schema<T>;
export const SparseUnion: typeof Arrow.SparseUnion = arrow.SparseUnion;
export type SparseUnion = Arrow.SparseUnion;
export const Struct: typeof Arrow.Struct = arrow.Struct;
export type Struct<T extends Arrow.TypeMap = any> = Arrow.Struct<T>;
export const Table: typeof Arrow.Table = arrow.Table;
export type Table<T extends Arrow.TypeMap = any> = Arrow.Table<T>;
export const Time: typeof Arrow.Time = arrow.Time;
export type Time = Arrow.Time;
export const Timestamp: typeof Arrow.Timestamp = arrow.Timestamp;
export type Timestamp = Arrow.Timestamp;
export const TimestampMillisecond: typeof Arrow.TimestampMillisecond = arrow.TimestampMillisecond;
export type TimestampMillisecond = Arrow.TimestampMillisecond;
export const TimeUnit: typeof Arrow.TimeUnit = arrow.TimeUnit;
export type TimeUnit = Arrow.TimeUnit;
export const Type: typeof Arrow.Type = arrow.Type;
export type Type = Arrow.Type;
export const Uint8: typeof Arrow.Uint8 = arrow.Uint8;
export type Uint8 = Arrow.Uint8;
export const Uint16: typeof Arrow.Uint16 = arrow.Uint16;
export type Uint16 = Arrow.Uint16;
export const Uint32: typeof Arrow.Uint32 = arrow.Uint32;
export type Uint32 = Arrow.Uint32;
export const Uint64: typeof Arrow.Uint64 = arrow.Uint64;
export type Uint64 = Arrow.Uint64;
export const Utf8: typeof Arrow.Utf8 = arrow.Utf8;
export type Utf8 = Arrow.Utf8;
export const Vector: typeof Arrow.Vector = arrow.Vector;
export type Vector<T extends Arrow.DataType = any> = Arrow.Vector<T>;
export const makeBuilder: typeof Arrow.makeBuilder = arrow.makeBuilder;
export const makeData: typeof Arrow.makeData = arrow.makeData;
export const makeVector: typeof Arrow.makeVector = arrow.makeVector;
export const vectorFromArray: typeof Arrow.vectorFromArray = arrow.vectorFromArray;
