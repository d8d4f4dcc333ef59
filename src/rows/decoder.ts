// decoder(): the RowBinary decoder of one ClickHouse type, a function from a Reader to a JS value
// (the value conventions: src/rows/row_set.ts). The generated row loops (row_loop.ts) call it for
// the types they do not read inline.
import { ChdbNotImplementedError } from "../core/errors.ts";
import { child, literal, parseType, type TypeNode } from "./parse_type.ts";
import type { Reader } from "./reader.ts";
import { DAY_MS, decimalText } from "./row_set.ts";

/** Reads one value. */
export type Decode = (r: Reader) => unknown;

function bigintOf(r: Reader, bytes: number, signed: boolean): bigint {
  const at = r.need(bytes);
  let v = 0n;
  for (let k = bytes - 8; k >= 0; k -= 8) v = (v << 64n) | r.view.getBigUint64(at + k, true);
  return signed ? BigInt.asIntN(bytes * 8, v) : v;
}

function hex(bytes: Uint8Array, at: number, n: number): string {
  let s = "";
  for (let k = 0; k < n; k++) s += bytes[at + k].toString(16).padStart(2, "0");
  return s;
}

function enumDecoder(t: TypeNode, width: 1 | 2): Decode {
  const names = new Map<number, string>();
  for (const a of t.args) {
    const m = "literal" in a ? /^'((?:[^'\\]|\\.)*)'\s*=\s*(-?\d+)$/.exec(a.literal) : null;
    if (m) names.set(Number(m[2]), m[1].replace(/\\(.)/g, "$1"));
  }
  return (r) => {
    const code = width === 1 ? r.view.getInt8(r.need(1)) : r.view.getInt16(r.need(2), true);
    return names.get(code) ?? String(code);
  };
}

// Geo types are aliases of nested arrays of (x, y) tuples.
const geo: Record<string, string> = {
  Point: "Tuple(Float64, Float64)",
  Ring: "Array(Tuple(Float64, Float64))",
  LineString: "Array(Tuple(Float64, Float64))",
  MultiLineString: "Array(Array(Tuple(Float64, Float64)))",
  Polygon: "Array(Array(Tuple(Float64, Float64)))",
  MultiPolygon: "Array(Array(Array(Tuple(Float64, Float64))))",
};

/** The decoder of values of type `t`. */
export function decoder(t: TypeNode): Decode {
  switch (t.name) {
    case "UInt8":
      return (r) => r.bytes[r.need(1)];
    case "Int8":
      return (r) => r.view.getInt8(r.need(1));
    case "UInt16":
      return (r) => r.view.getUint16(r.need(2), true);
    case "Int16":
      return (r) => r.view.getInt16(r.need(2), true);
    case "UInt32":
      return (r) => r.view.getUint32(r.need(4), true);
    case "Int32":
      return (r) => r.view.getInt32(r.need(4), true);
    case "UInt64":
      return (r) => r.view.getBigUint64(r.need(8), true);
    case "Int64":
    case "IntervalNanosecond": case "IntervalMicrosecond": case "IntervalMillisecond": case "IntervalSecond":
    case "IntervalMinute": case "IntervalHour": case "IntervalDay": case "IntervalWeek": case "IntervalMonth":
    case "IntervalQuarter": case "IntervalYear":
      return (r) => r.view.getBigInt64(r.need(8), true);
    case "UInt128":
      return (r) => bigintOf(r, 16, false);
    case "Int128":
      return (r) => bigintOf(r, 16, true);
    case "UInt256":
      return (r) => bigintOf(r, 32, false);
    case "Int256":
      return (r) => bigintOf(r, 32, true);
    case "Float32":
      return (r) => r.view.getFloat32(r.need(4), true);
    case "Float64":
      return (r) => r.view.getFloat64(r.need(8), true);
    case "Bool":
      return (r) => r.bytes[r.need(1)] !== 0;
    case "String":
      return (r) => r.string();
    case "FixedString": {
      const n = Number(literal(t, 0));
      return (r) => {
        const at = r.need(n);
        let end = at + n;
        while (end > at && r.bytes[end - 1] === 0) end--; // the engine pads with NUL bytes
        return r.text(at, end - at);
      };
    }
    case "Date":
      return (r) => new Date(r.view.getUint16(r.need(2), true) * DAY_MS);
    case "Date32":
      return (r) => new Date(r.view.getInt32(r.need(4), true) * DAY_MS);
    case "DateTime":
      return (r) => new Date(r.view.getUint32(r.need(4), true) * 1000);
    case "DateTime64": {
      const scale = Number(literal(t, 0));
      const perMs = 10 ** (scale - 3);
      return (r) => new Date(Number(r.view.getBigInt64(r.need(8), true)) / perMs);
    }
    case "Decimal": case "Decimal32": case "Decimal64": case "Decimal128": case "Decimal256": {
      const [precision, scale] = t.name === "Decimal"
        ? [Number(literal(t, 0)), Number(literal(t, 1))]
        : [{ Decimal32: 9, Decimal64: 18, Decimal128: 38, Decimal256: 76 }[t.name]!, Number(literal(t, 0))];
      const bytes = precision <= 9 ? 4 : precision <= 18 ? 8 : precision <= 38 ? 16 : 32;
      return (r) => decimalText(bytes === 4 ? BigInt(r.view.getInt32(r.need(4), true)) : bigintOf(r, bytes, true), scale);
    }
    case "UUID":
      return (r) => {
        const at = r.need(16);
        const b = r.bytes;
        // Two little-endian UInt64 halves, high half first.
        const h = (k: number) => hex(Uint8Array.of(b[k + 7], b[k + 6], b[k + 5], b[k + 4], b[k + 3], b[k + 2], b[k + 1], b[k]), 0, 8);
        const s = h(at) + h(at + 8);
        return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
      };
    case "IPv4":
      return (r) => {
        const v = r.view.getUint32(r.need(4), true);
        return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
      };
    case "IPv6":
      return (r) => {
        const at = r.need(16);
        const groups = Array.from({ length: 8 }, (_, k) => r.view.getUint16(at + 2 * k, false).toString(16));
        return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::").replace(/:{3,}/, "::");
      };
    case "Enum8":
      return enumDecoder(t, 1);
    case "Enum16":
      return enumDecoder(t, 2);
    case "Nothing":
      return () => null;
    case "LowCardinality":
      return decoder(child(t, 0));
    case "Nullable": {
      const inner = decoder(child(t, 0));
      return (r) => (r.bytes[r.need(1)] !== 0 ? null : inner(r));
    }
    case "Array": {
      const inner = decoder(child(t, 0));
      return (r) => {
        const n = r.varint();
        const out = new Array(n);
        for (let k = 0; k < n; k++) out[k] = inner(r);
        return out;
      };
    }
    case "Tuple": {
      const parts = t.args.map((_, k) => decoder(child(t, k)));
      const fields = t.args.map((a) => ("node" in a ? a.field : undefined));
      if (fields.every((f) => f !== undefined)) {
        return (r) => {
          const out: Record<string, unknown> = {};
          for (let k = 0; k < parts.length; k++) out[fields[k]!] = parts[k](r);
          return out;
        };
      }
      return (r) => parts.map((p) => p(r));
    }
    case "Point": case "Ring": case "LineString": case "MultiLineString": case "Polygon": case "MultiPolygon":
      return decoder(parseType(geo[t.name]));
    case "Map": {
      const key = decoder(child(t, 0));
      const value = decoder(child(t, 1));
      return (r) => {
        const n = r.varint();
        const out: Record<string, unknown> = {};
        for (let k = 0; k < n; k++) out[String(key(r))] = value(r);
        return out;
      };
    }
  }
  throw new ChdbNotImplementedError(
    `values of type ${t.name} cannot be decoded into JS values yet: CAST the column to String (or another type)`,
  );
}
