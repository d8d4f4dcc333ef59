// The shim's string hash set calls (native/hashset.cpp, native/hashfilter_kernels.cpp): a set of
// byte strings in native memory, its files, and the column kernels.
import type { Operation } from "./abi.ts";
import { fromUtf8 } from "./encoding.ts";
import { native, type Pointer } from "./native.ts";
import { checkStatus, ErrorSlot } from "./native_result.ts";

const outPointer = new BigUint64Array(1);
const outFlag = new Int32Array(1);
const stats = new BigUint64Array(3);
const exportView = new BigUint64Array(3);
const slot = new ErrorSlot();

/** A new empty set with room for `capacity` keys. */
export function newHashset(capacity: number): Pointer {
  const lib = native();
  checkStatus(lib.fn.chffi_hashset_new(capacity, outPointer), "creating a StringHashSet");
  return lib.pointer(outPointer[0])!;
}

/** Frees a set (no other thread may still use it). */
export function freeHashset(set: Pointer): void {
  native().fn.chffi_hashset_free(set);
}

/** The key operations: insert (true if the key was new), contains, remove (true if it was there). */
export type KeyCall = "insert" | "contains" | "remove";
const keyCalls = {
  insert: "chffi_hashset_insert",
  contains: "chffi_hashset_contains",
  remove: "chffi_hashset_remove",
} as const;

/** Runs one key operation with `key` (UTF-8); its answer. */
export function hashsetKey(call: KeyCall, set: Pointer, key: Uint8Array): boolean {
  const name = keyCalls[call];
  checkStatus(native().fn[name](set, key, key.length, outFlag), name);
  return outFlag[0] === 1;
}

/** Removes every key. */
export function clearHashset(set: Pointer): void {
  checkStatus(native().fn.chffi_hashset_clear(set), "clear");
}

/** The set's size: keys, bytes of all keys, bytes of memory held. */
export function hashsetStats(set: Pointer): { keys: number; keyBytes: number; memoryBytes: number } {
  checkStatus(native().fn.chffi_hashset_stats(set, stats), "stats");
  return { keys: Number(stats[0]), keyBytes: Number(stats[1]), memoryBytes: Number(stats[2]) };
}

/** Every key, copied out (in no particular order). */
export function hashsetKeys(set: Pointer): string[] {
  const lib = native();
  const status = lib.fn.chffi_hashset_export(set, outPointer, exportView);
  const bytesHandle = lib.pointer(outPointer[0]);
  try {
    checkStatus(status, "toArray");
    const length = Number(exportView[1]);
    const count = Number(exportView[2]);
    const bytes = lib.copy(exportView[0], length);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Array<string>(count);
    let pos = 0;
    for (let i = 0; i < count; i++) {
      const n = view.getUint32(pos, true);
      out[i] = fromUtf8(bytes.subarray(pos + 4, pos + 4 + n));
      pos += 4 + n;
    }
    return out;
  } finally {
    lib.fn.chffi_bytes_free(bytesHandle);
  }
}

/** Writes the set to `path` (UTF-8) atomically; `what` names the operation in errors. */
export function saveHashset(set: Pointer, path: Uint8Array, what: string): void {
  slot.check(native().fn.chffi_hashset_save(set, path, path.length, slot.error), what);
}

/** Reads a file written by saveHashset into a new set. */
export function loadHashset(path: Uint8Array, what: string): Pointer {
  const lib = native();
  slot.check(lib.fn.chffi_hashset_load(path, path.length, outPointer, slot.error), what);
  return lib.pointer(outPointer[0])!;
}

/** Runs one operation over `count` chunk descriptors (CHUNK_WORDS words each) under one lock. */
export function applyToHashset(set: Pointer, op: Operation, chunks: BigUint64Array, count: number): void {
  slot.check(native().fn.chffi_hashset_apply(set, op, chunks, count, slot.error), "the hash filter");
}
