// clickhouse_settings as the engine takes them: the statement that gives one engine connection
// exactly the settings of a request, and the HTTP-only names that have no engine meaning.
import { ChdbArgumentError } from "../core/errors.ts";

/** Settings of ClickHouse's HTTP handler (or the client's HTTP layer), not of queries. */
const httpOnly = new Set([
  "wait_end_of_query",
  "send_progress_in_http_headers",
  "http_headers_progress_interval_ms",
  "http_response_buffer_size",
  "http_send_progress_interval_ms",
  "enable_http_compression",
  "http_zlib_compression_level",
  "http_native_compression_disable_checksumming_on_decompress",
  "http_response_compression_method",
]);

const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** A setting value as text, as the client's HTTP layer sends it (booleans as 1/0). */
function valueText(value: unknown): string {
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "string") return String(value);
  // SettingsMap and other objects that print themselves in ClickHouse syntax
  if (typeof value === "object" && value !== null && value.toString !== Object.prototype.toString) return String(value);
  throw new ChdbArgumentError(`setting value ${String(value)} has no ClickHouse form`);
}

export interface RequestSettings {
  /** Settings to apply, by name, as text. */
  values: Map<string, string>;
  /** `default_format`: the output format of SQL without a FORMAT clause (an HTTP URL parameter). */
  defaultFormat: string | undefined;
}

/**
 * Engine defaults that differ from a server's and change what SQL means: with implicit_select
 * the engine reads `foobar` as `SELECT foobar` where a server reports a syntax error.
 */
const serverDefaults: [string, string][] = [["implicit_select", "0"]];

/** Settings every request sets (the server defaults): never put back, so never read first. */
export function setByEveryRequest(name: string): boolean {
  return serverDefaults.some(([n]) => n === name);
}

export function requestSettings(settings: Record<string, unknown> | undefined): RequestSettings {
  const values = new Map<string, string>(serverDefaults);
  let defaultFormat: string | undefined;
  for (const [name, value] of Object.entries(settings ?? {})) {
    if (value === undefined || httpOnly.has(name)) continue;
    if (!NAME.test(name)) throw new ChdbArgumentError(`invalid setting name: ${JSON.stringify(name)}`);
    if (name === "default_format") defaultFormat = valueText(value);
    else values.set(name, valueText(value));
  }
  return { values, defaultFormat };
}

/** A setting's text as a string literal: the engine parses every setting type from one (as HTTP). */
export function settingLiteral(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * The SET statement that turns settings `applied` into `wanted` (settings no longer wanted go
 * back to `own`'s literal, or their defaults), or null when they are the same.
 */
export function settingsChange(
  applied: ReadonlyMap<string, string>,
  wanted: ReadonlyMap<string, string>,
  own?: ReadonlyMap<string, string>,
): string | null {
  const parts: string[] = [];
  for (const [name, text] of wanted) if (applied.get(name) !== text) parts.push(`${name} = ${settingLiteral(text)}`);
  for (const name of applied.keys()) if (!wanted.has(name)) parts.push(`${name} = ${own?.get(name) ?? "DEFAULT"}`);
  return parts.length === 0 ? null : `SET ${parts.join(", ")}`;
}
