// The response headers a ClickHouse server sends with a result, made from what the engine did:
// code written against the client reads the format, the query id and the summary from them.
import type { ClickHouseSummary } from "./clickhouse_summary.ts";

/** The Content-Type a server gives each output format (its getContentType()). */
function contentType(format: string): string {
  const f = format.toLowerCase();
  if (f === "csv") return "text/csv; charset=UTF-8; header=absent";
  if (f.startsWith("csvwithnames")) return "text/csv; charset=UTF-8; header=present";
  if (f === "tsv" || f.startsWith("tabseparated") || f.startsWith("tsv")) return "text/tab-separated-values; charset=UTF-8";
  if (f === "jsoneachrow" || f === "ndjson" || f === "jsonlines" || f === "jsonl") return "application/x-ndjson; charset=UTF-8";
  if (f.startsWith("json")) return "application/json; charset=UTF-8";
  if (f === "xml") return "application/xml; charset=UTF-8";
  if (/^(parquet|arrow|arrowstream|orc|avro|native|rowbinary|msgpack|protobuf|capnproto|bson|npy|rawblob)/.test(f)) {
    return "application/octet-stream";
  }
  return "text/plain; charset=UTF-8";
}

/** The output format named by a trailing FORMAT clause, else `fallback`. */
export function formatOf(sql: string, fallback: string): string {
  // The regular expression only from the last "format" on: over the whole text it costs ~µs per request.
  const at = sql.toLowerCase().lastIndexOf("format");
  if (at < 0) return fallback;
  return /(?:^|\W)FORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*$/i.exec(sql.slice(Math.max(0, at - 1)))?.[1] ?? fallback;
}

export function responseHeaders(
  format: string,
  queryId: string,
  summary: ClickHouseSummary | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": contentType(format),
    "x-clickhouse-format": format,
    "x-clickhouse-query-id": queryId,
  };
  if (summary !== undefined) headers["x-clickhouse-summary"] = JSON.stringify(summary);
  return headers;
}
