// The format argument's type: the engine's format names, checked where a literal is written.

/**
 * The names of the formats the engine reads or writes (`SELECT name FROM system.formats` on the
 * bundled libchdb), as `query()`, `queryAsync()`, `stream()` and `insertStream()` take them.
 * Regenerate with that query when the engine is upgraded.
 */
export type FormatName =
  | "Arrow" | "ArrowStream" | "Avro" | "AvroConfluent" | "BSONEachRow" | "Buffers" | "CSV" | "CSVWithNames"
  | "CSVWithNamesAndTypes" | "CustomSeparated" | "CustomSeparatedIgnoreSpaces"
  | "CustomSeparatedIgnoreSpacesWithNames" | "CustomSeparatedIgnoreSpacesWithNamesAndTypes"
  | "CustomSeparatedWithNames" | "CustomSeparatedWithNamesAndTypes" | "DWARF" | "Form" | "GeoJSON" | "Hash" | "JSON"
  | "JSONAsObject" | "JSONAsString" | "JSONColumns" | "JSONColumnsWithMetadata" | "JSONCompact"
  | "JSONCompactColumns" | "JSONCompactEachRow" | "JSONCompactEachRowWithNames"
  | "JSONCompactEachRowWithNamesAndTypes" | "JSONCompactEachRowWithProgress" | "JSONCompactStrings"
  | "JSONCompactStringsEachRow" | "JSONCompactStringsEachRowWithNames" | "JSONCompactStringsEachRowWithNamesAndTypes"
  | "JSONCompactStringsEachRowWithProgress" | "JSONEachRow" | "JSONEachRowWithProgress" | "JSONL" | "JSONLines"
  | "JSONObjectEachRow" | "JSONStrings" | "JSONStringsEachRow" | "JSONStringsEachRowWithProgress" | "LineAsString"
  | "LineAsStringWithNames" | "LineAsStringWithNamesAndTypes" | "Markdown" | "MD" | "MsgPack" | "MySQLDump"
  | "MySQLWire" | "Native" | "NDJSON" | "Npy" | "Null" | "ODBCDriver2" | "One" | "ORC" | "Parquet"
  | "ParquetMetadata" | "PNG" | "PostgreSQLWire" | "Pretty" | "PrettyCompact" | "PrettyCompactMonoBlock"
  | "PrettyCompactNoEscapes" | "PrettyCompactNoEscapesMonoBlock" | "PrettyJSONEachRow" | "PrettyJSONLines"
  | "PrettyMonoBlock" | "PrettyNDJSON" | "PrettyNoEscapes" | "PrettyNoEscapesMonoBlock" | "PrettySpace"
  | "PrettySpaceMonoBlock" | "PrettySpaceNoEscapes" | "PrettySpaceNoEscapesMonoBlock" | "Prometheus" | "Protobuf"
  | "ProtobufList" | "ProtobufSingle" | "Raw" | "RawBLOB" | "RawWithNames" | "RawWithNamesAndTypes" | "Regexp"
  | "RowBinary" | "RowBinaryWithDefaults" | "RowBinaryWithNames" | "RowBinaryWithNamesAndTypes"
  | "RowBinaryWithNamesAndTypesAndDefaults" | "SQLInsert" | "TabSeparated" | "TabSeparatedRaw"
  | "TabSeparatedRawWithNames" | "TabSeparatedRawWithNamesAndTypes" | "TabSeparatedWithNames"
  | "TabSeparatedWithNamesAndTypes" | "Template" | "TemplateIgnoreSpaces" | "TSKV" | "TSV" | "TSVRaw"
  | "TSVRawWithNames" | "TSVRawWithNamesAndTypes" | "TSVWithNames" | "TSVWithNamesAndTypes" | "Values" | "Vertical"
  | "XML";

/**
 * The format argument: a literal must be one of {@link FormatName} (a typo such as
 * `"JSONEachRowz"` is a type error), while a value typed `string` (a name chosen at run time, or a
 * format newer than this list) passes unchecked and the engine judges it. `F` is inferred from the
 * argument; callers never write it.
 *
 * @example
 * ```ts
 * import { query } from "./mod.ts";
 * query("SELECT 1", "JSONEachRow"); // checked
 * const fromConfig: string = "CSVWithNames";
 * query("SELECT 1", fromConfig); // the escape hatch: any string value
 * ```
 */
export type Format<F extends string = string> = F extends FormatName ? F : string extends F ? F : FormatName;
