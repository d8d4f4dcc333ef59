// The one rule for turning JS values into query parameters. Values travel to the engine as
// text bound to `{name:Type}` placeholders and parsed there by Type: they are never spliced
// into the SQL, so no value can change what the query does.
//
//   string            the text itself (escaped for the engine's parameter syntax)
//   number            decimal text; NaN -> nan, ±Infinity -> ±inf
//   bigint            decimal text
//   boolean           1 / 0 (parses as Bool and as any integer type); true / false inside arrays
//   Date              epoch seconds[.fff] (as the official ClickHouse client sends it), which
//                     DateTime and DateTime64 of any timezone read as that instant
//   null, undefined   NULL (the placeholder's type must be Nullable)
//   array             [a, b, ...] for Array(T) (elements follow the same rule)
//   Map, plain object {key: value, ...} for Map(K, V)
// Anything else (functions, symbols, other objects) is a ChdbArgumentError, and so are (checked
// against the SQL's placeholders, see checkParams) an integer outside its placeholder's type and
// a string with a lone surrogate (it has no UTF-8 form).
import { encodeStringList } from "./encoding.ts";
import { ChdbArgumentError } from "./errors.ts";

/** A value for a `{name:Type}` placeholder (see the rules at the top of src/core/params.ts): it travels as text the engine parses by Type. */
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

/** Values for the `{name:Type}` placeholders of a query, by name. */
export type QueryParams = Record<string, QueryParamValue>;

/**
 * A parameter already in the engine's escaped-text syntax, passed verbatim (the form
 * @clickhouse/client sends as HTTP `param_x`; used by src/clickhouse/).
 */
export class ParamText {
  /** Wraps `text`, already in the engine's escaped parameter syntax. */
  constructor(readonly text: string) {}
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Epoch seconds: no timezone to get wrong (a wall-clock text would be read in the server's). */
function dateText(d: Date): string {
  const t = d.getTime();
  if (Number.isNaN(t)) throw new ChdbArgumentError("parameter is an invalid Date");
  const seconds = Math.floor(t / 1000);
  const ms = t - seconds * 1000;
  // Ten digits at least: the engine reads a shorter number as a date, not as a timestamp.
  return `${seconds < 0 ? "-" : ""}${pad(Math.abs(seconds), 10)}${ms ? `.${pad(ms, 3)}` : ""}`;
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

const integerBits: Record<string, [bigint, bigint]> = {};
for (const bits of [8, 16, 32, 64, 128, 256]) {
  integerBits[`UInt${bits}`] = [0n, (1n << BigInt(bits)) - 1n];
  integerBits[`Int${bits}`] = [-(1n << BigInt(bits - 1)), (1n << BigInt(bits - 1)) - 1n];
}

const PLACEHOLDER = /\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*((?:[^{}]|\{[^{}]*\})+?)\s*\}/g;

/** The integer range of a type (through Nullable/LowCardinality/Array), or undefined. */
function integerRange(type: string): { range: [bigint, bigint]; array: number } | undefined {
  let t = type.trim();
  let array = 0;
  for (;;) {
    const m = /^(Nullable|LowCardinality|Array)\s*\((.*)\)$/s.exec(t);
    if (!m) break;
    if (m[1] === "Array") array++;
    t = m[2].trim();
  }
  const range = integerBits[t];
  return range ? { range, array } : undefined;
}

function checkInteger(name: string, type: string, range: [bigint, bigint], v: unknown): void {
  let n: bigint | undefined;
  if (typeof v === "bigint") n = v;
  else if (typeof v === "number" && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v)) n = BigInt(v.trim());
  if (n !== undefined && (n < range[0] || n > range[1])) {
    throw new ChdbArgumentError(`parameter ${name} = ${String(v)} is out of range for ${type} (${range[0]}..${range[1]})`);
  }
}

function checkWellFormed(v: unknown, where: string): void {
  if (typeof v === "string") {
    if (!v.isWellFormed()) throw new ChdbArgumentError(`${where} contains a lone surrogate (not valid Unicode)`);
  } else if (Array.isArray(v)) {
    for (const x of v) checkWellFormed(x, where);
  } else if (v instanceof Map) {
    for (const [k, x] of v) {
      checkWellFormed(k, where);
      checkWellFormed(x, where);
    }
  } else if (typeof v === "object" && v !== null && !(v instanceof Date)) {
    for (const [k, x] of Object.entries(v)) {
      checkWellFormed(k, where);
      checkWellFormed(x, where);
    }
  }
}

/**
 * Checks what the engine would silently get wrong: a lone surrogate in the SQL or a parameter
 * (TextEncoder turns it into U+FFFD), and an integer outside its placeholder's type (the engine
 * wraps it: UInt8 300 becomes 44). The types come from the `{name:Type}` placeholders of `sql`.
 */
export function checkParams(sql: string, params: QueryParams | undefined): void {
  if (typeof sql === "string" && !sql.isWellFormed()) throw new ChdbArgumentError("the SQL contains a lone surrogate (not valid Unicode)");
  if (params === undefined || params === null || typeof params !== "object") return;
  for (const [name, value] of Object.entries(params)) checkWellFormed(value, `parameter ${name}`);
  if (typeof sql !== "string") return;
  for (const [, name, type] of sql.matchAll(PLACEHOLDER)) {
    if (!Object.hasOwn(params, name)) continue;
    const int = integerRange(type);
    if (!int) continue;
    let values: unknown[] = [params[name]];
    for (let depth = 0; depth < int.array; depth++) values = values.flatMap((v) => (Array.isArray(v) ? v : [v]));
    for (const v of values) checkInteger(name, type, int.range, v);
  }
}
