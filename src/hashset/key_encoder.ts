// JS strings to UTF-8 key bytes for the native set, without a new allocation per key.
import { ChdbArgumentError } from "../core/errors.ts";

const encoder = new TextEncoder();

/**
 * A key must be a well-formed string: a lone surrogate has no UTF-8 form, and encoding it as
 * U+FFFD (what TextEncoder does) would silently make different strings equal.
 */
export function checkKey(value: unknown): asserts value is string {
  if (typeof value !== "string") {
    throw new ChdbArgumentError(`StringHashSet values must be strings, got ${value === null ? "null" : typeof value}`);
  }
  if (!value.isWellFormed()) throw new ChdbArgumentError("the string contains a lone surrogate (not valid Unicode)");
}

/** Encodes one key at a time into a reused buffer; the returned view is valid until the next call. */
export class KeyEncoder {
  #buffer = new Uint8Array(256);

  encode(value: string): Uint8Array {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (value.length * 3 > this.#buffer.length) this.#buffer = new Uint8Array(value.length * 3);
    const { written } = encoder.encodeInto(value, this.#buffer);
    return this.#buffer.subarray(0, written);
  }
}
