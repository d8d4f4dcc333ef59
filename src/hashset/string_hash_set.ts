// StringHashSet: a set of strings that lives in native memory (the shim's arena + swiss table),
// so it can be kept across many batches, files and queries and filter Arrow columns in place.
// src/hashset/ is rank 3 (native string sets, hash filters): it imports only src/arrow/ and src/core/.
import type { Vector } from "../arrow/apache_arrow.ts";
import { Operation } from "../core/abi.ts";
import { ChdbArgumentError } from "../core/errors.ts";
import {
  clearHashset,
  freeHashset,
  hashsetKey,
  hashsetKeys,
  hashsetStats,
  type KeyCall,
  loadHashset,
  newHashset,
  saveHashset,
} from "../core/hashset_calls.ts";
import { native, type Pointer } from "../core/native.ts";
import { NativeHandle } from "../core/native_handle.ts";
import { applyOperation, type BoolVector, type NullVector, type StringColumn } from "./apply_operation.ts";
import { checkKey, KeyEncoder } from "./key_encoder.ts";

// Set while load() builds the object around a handle the shim already made.
let adopting: Pointer | null = null;

// Set by StringHashSet's static block: the hash-filter expressions reach a set's handle through it.
let nativeHandleOf: (set: StringHashSet) => Pointer;

/** The native handle of `set` for a column kernel; throws once the set is closed. */
export function setHandle(set: StringHashSet): Pointer {
  return nativeHandleOf(set);
}

function pathBytes(path: string): Uint8Array {
  if (typeof path !== "string" || path === "") throw new ChdbArgumentError("path must be a non-empty string");
  if (path.includes("\0")) throw new ChdbArgumentError("path contains a NUL byte");
  return new TextEncoder().encode(path);
}

/**
 * A set of strings in native memory: kept across batches, files and queries, saved to and loaded
 * from files, and used by the hash-filter expressions to filter Arrow columns in place. Close it
 * (or `using`) when done.
 *
 * @example
 * ```ts
 * import { StringHashSet } from "./mod.ts";
 * using seen = new StringHashSet();
 * seen.extend(["a", "b", "a"]);
 * console.log(seen.contains("a"), seen.size); // true 2
 * console.log(seen.notInAndUpdate(["b", "c"]).toArray()); // [false, true]
 * ```
 */
export class StringHashSet implements Disposable, Iterable<string> {
  static {
    nativeHandleOf = (set) => set.#nativeHandle();
  }
  // Freed once, by close(), garbage collection or exit (src/core/native_handle.ts).
  readonly #handle: NativeHandle;
  readonly #keys = new KeyEncoder();

  /** An empty set; `capacity` reserves room for that many keys. */
  constructor(capacity = 0) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new ChdbArgumentError(`capacity must be a non-negative integer, got ${capacity}`);
    }
    const handle = adopting ?? newHashset(capacity);
    adopting = null;
    this.#handle = new NativeHandle(this, handle, freeHashset, { what: "the StringHashSet" });
  }

  /** An empty set with room for `capacity` keys before it grows. */
  static withCapacity(capacity: number): StringHashSet {
    return new StringHashSet(capacity);
  }

  /** A set holding the given values (null and undefined are skipped). */
  static fromValues(values: Iterable<string | null | undefined>): StringHashSet {
    const set = new StringHashSet();
    try {
      set.extend(values);
    } catch (e) {
      set.close();
      throw e;
    }
    return set;
  }

  /** Reads a set written by save(); a truncated, corrupted or foreign file throws, nothing is half-loaded. */
  static load(path: string): StringHashSet {
    adopting = loadHashset(pathBytes(path), `loading ${path}`);
    return new StringHashSet();
  }

  /** The native handle; throws once the set is closed. */
  #nativeHandle(): Pointer {
    return this.#handle.use()!;
  }

  /** The set's native address: stable for the set's whole life, however it is used. */
  get ptr(): bigint {
    return native().address(this.#nativeHandle());
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#handle.closed;
  }

  #keyCall(call: KeyCall, value: string): boolean {
    checkKey(value);
    const handle = this.#nativeHandle();
    return hashsetKey(call, handle, this.#keys.encode(value));
  }

  /** Adds a value; true if it was new. */
  insert(value: string): boolean {
    return this.#keyCall("insert", value);
  }

  /** True when `value` is in the set. */
  contains(value: string): boolean {
    return this.#keyCall("contains", value);
  }

  /** Removes a value; true if it was there. */
  remove(value: string): boolean {
    return this.#keyCall("remove", value);
  }

  /** Adds every value (an iterable of strings, or an Arrow string vector); nulls are skipped. */
  extend(values: Iterable<string | null | undefined> | StringColumn): void {
    // Anything but an object with an iterator goes to applyOperation as it is, which refuses it
    // with a ChdbTypeError (Array.from would throw a TypeError of its own).
    const iterable = typeof values === "object" && values !== null && Symbol.iterator in values;
    const column = isVector(values) || Array.isArray(values) || !iterable
      ? values as StringColumn
      : Array.from(values as Iterable<string | null | undefined>);
    applyOperation(this.#nativeHandle(), Operation.UPDATE, column);
  }

  /** Removes every value. */
  clear(): void {
    clearHashset(this.#nativeHandle());
  }

  #stats() {
    return hashsetStats(this.#nativeHandle());
  }

  /** The number of values. */
  get size(): number {
    return this.#stats().keys;
  }

  /** True when the set holds no value. */
  isEmpty(): boolean {
    return this.size === 0;
  }

  /** Native bytes held (key arena + table); the keys themselves take `keyBytes`. */
  get memoryBytes(): number {
    return this.#stats().memoryBytes;
  }

  /** The total UTF-8 length of all keys. */
  get keyBytes(): number {
    return this.#stats().keyBytes;
  }

  /** Copies every value out (in no particular order). */
  toArray(): string[] {
    return hashsetKeys(this.#nativeHandle());
  }

  /** The polars-hashfilter name for toArray(). */
  toList(): string[] {
    return this.toArray();
  }

  /** The values (a snapshot taken when the iteration starts). */
  [Symbol.iterator](): Iterator<string> {
    return this.toArray()[Symbol.iterator]();
  }

  /**
   * Writes the set to `path` atomically (a temporary file beside it, synced, then renamed), in a
   * versioned format with a checksum.
   */
  save(path: string): void {
    const bytes = pathBytes(path);
    saveHashset(this.#nativeHandle(), bytes, `saving to ${path}`);
  }

  // ---- the seven operations over a column (string[] or an Arrow string vector) ----

  /** true where the value is in the set; null rows give null. */
  isIn(column: StringColumn): BoolVector {
    return applyOperation(this.#nativeHandle(), Operation.IS_IN, column) as BoolVector;
  }

  /** true where the value is not in the set; null rows give null. */
  notIn(column: StringColumn): BoolVector {
    return applyOperation(this.#nativeHandle(), Operation.NOT_IN, column) as BoolVector;
  }

  /**
   * Batch semantics: every row is checked against the set as it was before this call (so all
   * copies of a new value are true), then every value is inserted.
   */
  notInAndUpdate(column: StringColumn): BoolVector {
    return applyOperation(this.#nativeHandle(), Operation.NOT_IN_AND_UPDATE, column) as BoolVector;
  }

  /** Row-by-row semantics: true only for a new value's first occurrence, which is then inserted. */
  notInAndUpdateRowwise(column: StringColumn): BoolVector {
    return applyOperation(this.#nativeHandle(), Operation.NOT_IN_AND_UPDATE_ROWWISE, column) as BoolVector;
  }

  /** Inserts every value; yields a column of nulls (a side effect only). */
  update(column: StringColumn): NullVector {
    return applyOperation(this.#nativeHandle(), Operation.UPDATE, column) as NullVector;
  }

  /** Inserts every value; yields the input itself, for chaining. */
  updateChain<C extends StringColumn>(column: C): C {
    applyOperation(this.#nativeHandle(), Operation.UPDATE, column);
    return column;
  }

  /** Inserts row by row; true where the value was newly inserted. */
  updateBool(column: StringColumn): BoolVector {
    return applyOperation(this.#nativeHandle(), Operation.UPDATE_BOOL, column) as BoolVector;
  }

  /** Frees the native set. Idempotent; using the set afterwards throws ChdbClosedError. */
  close(): void {
    this.#handle.close();
  }

  /** Frees the set (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `[object StringHashSet]`. */
  get [Symbol.toStringTag](): string {
    return "StringHashSet";
  }
}

function isVector(value: unknown): value is Vector {
  return typeof value === "object" && value !== null && Array.isArray((value as { data?: unknown }).data) &&
    "type" in value;
}
