// The one rule for turning JS values into query parameters. Values travel to the engine as
// text bound to `{name:Type}` placeholders and parsed there by Type: they are never spliced
// into the SQL, so no value can change what the query does.
//
//   string            the text itself (escaped for the engine's parameter syntax)
//   number            decimal text; NaN -> nan, ±Infinity -> ±inf
//   bigint            decimal text
//   boolean           1 / 0 (parses as Bool and as any integer type); true / false inside arrays
//   Date              "YYYY-MM-DD hh:mm:ss[.fff]" in UTC: use DateTime('UTC') / DateTime64(3, 'UTC')
//   null, undefined   NULL (the placeholder's type must be Nullable)
//   array             [a, b, ...] for Array(T) (elements follow the same rule)
//   Map, plain object {key: value, ...} for Map(K, V)
// Anything else (functions, symbols, other objects) is a ChdbArgumentError.
import { encodeStringList } from "./encoding.ts";
import { ChdbArgumentError } from "./errors.ts";

export type QueryParamValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | null
  | undefined
  | readonly QueryParamValue[]
  | Map<QueryParamValue, QueryParamValue>
  | ParamText
  | { [key: string]: QueryParamValue };

export type QueryParams = Record<string, QueryParamValue>;

/**
 * A parameter already in the engine's escaped-text syntax, passed verbatim (the form
 * @clickhouse/client sends as HTTP `param_x`; used by src/clickhouse/).
 */
export class ParamText {
  constructor(readonly text: string) {}
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function dateText(d: Date): string {
  const t = d.getTime();
  if (Number.isNaN(t)) throw new ChdbArgumentError("parameter is an invalid Date");
  const ms = d.getUTCMilliseconds();
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${ms ? `.${pad(ms, 3)}` : ""}`;
}

function numberText(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  return String(n);
}

function isPlainObject(v: object): v is Record<string, QueryParamValue> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function unsupported(v: unknown): never {
  const kind = typeof v === "object" ? (v as object).constructor?.name ?? "object" : typeof v;
  throw new ChdbArgumentError(`a query parameter cannot be a ${kind}`);
}

/** A value as a literal inside an Array/Map parameter: strings and dates quoted. */
function literal(v: QueryParamValue): string {
  switch (typeof v) {
    case "string":
      return `'${v.replace(/[\\']/g, (c) => `\\${c}`)}'`;
    case "number":
      return numberText(v);
    case "bigint":
      return v.toString();
    case "boolean":
      return v ? "true" : "false";
    case "undefined":
      return "NULL";
    case "object":
      if (v === null) return "NULL";
      if (v instanceof Date) return `'${dateText(v)}'`;
      if (Array.isArray(v)) return `[${v.map(literal).join(",")}]`;
      if (v instanceof Map) return `{${[...v].map(([k, x]) => `${literal(k)}:${literal(x)}`).join(",")}}`;
      if (isPlainObject(v)) return `{${Object.entries(v).map(([k, x]) => `${literal(k)}:${literal(x)}`).join(",")}}`;
  }
  return unsupported(v);
}

const escapes: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0" };

/** A top-level parameter's text: plain strings use the engine's escaped-text syntax. */
export function paramText(v: QueryParamValue): string {
  if (v instanceof ParamText) return v.text;
  if (typeof v === "string") return v.replace(/[\\\t\n\r\0]/g, (c) => escapes[c]);
  if (v === null || v === undefined) return "\\N";
  if (v instanceof Date) return dateText(v);
  if (typeof v === "boolean") return v ? "1" : "0";
  return literal(v);
}

/** Encodes `{ name: value }` as the shim's name/value string list. */
export function encodeParams(params: QueryParams | undefined): Uint8Array {
  if (params === undefined || params === null) return new Uint8Array(0);
  if (typeof params !== "object" || Array.isArray(params)) {
    throw new ChdbArgumentError("params must be an object of { name: value }");
  }
  const list: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (!NAME.test(name)) throw new ChdbArgumentError(`invalid parameter name: ${JSON.stringify(name)}`);
    list.push(name, paramText(value));
  }
  return encodeStringList(list);
}
