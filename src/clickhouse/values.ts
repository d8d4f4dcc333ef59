// Insert input as the engine takes it: chunks of bytes from a string, a Node stream, a web
// ReadableStream or any (async) iterable of strings and bytes, gathered into appends of about
// 1 MB (object-mode streams yield one row per chunk; one engine call per row would be slow).
import { ChdbArgumentError } from "../core/errors.ts";

const APPEND_BYTES = 1 << 20;
const encoder = new TextEncoder();

export type InsertInput =
  | string
  | Uint8Array
  | ReadableStream<unknown>
  | AsyncIterable<unknown>
  | Iterable<unknown>;

function bytesOf(chunk: unknown): Uint8Array {
  if (typeof chunk === "string") return encoder.encode(chunk);
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new ChdbArgumentError(`insert values must be strings or bytes, got ${typeof chunk}`);
}

function isWebStream(v: unknown): v is ReadableStream<unknown> {
  return typeof (v as { getReader?: unknown }).getReader === "function";
}

async function* chunksOf(values: InsertInput): AsyncGenerator<unknown> {
  if (typeof values === "string" || values instanceof Uint8Array) {
    yield values;
  } else if (isWebStream(values) && !(Symbol.asyncIterator in (values as object))) {
    const reader = (values as ReadableStream<unknown>).getReader();
    try {
      for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
    } finally {
      reader.releaseLock();
    }
  } else {
    yield* values as AsyncIterable<unknown>;
  }
}

/** The input in appends of about 1 MB (one chunk larger than that passes as it is). */
export async function* appendsOf(values: InsertInput): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let size = 0;
  const flush = (): Uint8Array => {
    const out = parts.length === 1 ? parts[0] : concat(parts, size);
    parts = [];
    size = 0;
    return out;
  };
  for await (const chunk of chunksOf(values)) {
    const bytes = bytesOf(chunk);
    if (bytes.length === 0) continue;
    parts.push(bytes);
    size += bytes.length;
    if (size >= APPEND_BYTES) yield flush();
  }
  if (size > 0) yield flush();
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The whole input as one string (for SQL that carries its data inline). */
export async function textOf(values: InsertInput): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const bytes of appendsOf(values)) text += decoder.decode(bytes, { stream: true });
  return text + decoder.decode();
}
