// The Bun backend: bun:ffi's dlopen over neutral symbol tables.
import { type FfiType, type SymbolSpec, symbols } from "./symbols.ts";
import type { FunctionsOf, NativeLib, Pointer, ShimFunctions } from "./types.ts";

// The slice of bun:ffi used here, declared locally so the module type-checks under Deno too.
interface BunFfi {
  dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): {
    symbols: Record<string, (...args: unknown[]) => unknown>;
  };
  toArrayBuffer(pointer: number, byteOffset: number, byteLength: number): ArrayBuffer;
  ptr(view: ArrayBufferView): number;
  CString: new (pointer: number) => string;
}

const bunTypes: Record<FfiType, string> = {
  void: "void",
  i32: "i32",
  u32: "u32",
  usize: "u64",
  f64: "f64",
  pointer: "ptr",
  buffer: "buffer",
};

export function openBun(shimPath: string): NativeLib {
  // A synchronous require keeps library loading lazy without making every API call async.
  const ffi = (import.meta as unknown as { require(id: string): BunFfi }).require("bun:ffi");
  const openLibrary = <T extends Record<string, SymbolSpec>>(path: string, table: T): FunctionsOf<T> => {
    const definitions = Object.fromEntries(
      Object.entries(table).map(([name, spec]) => [name, {
        args: spec.parameters.map((t) => bunTypes[t]),
        returns: bunTypes[spec.result],
      }]),
    );
    return ffi.dlopen(path, definitions).symbols as unknown as FunctionsOf<T>;
  };
  return {
    runtime: "bun",
    fn: openLibrary(shimPath, symbols) as ShimFunctions,
    openLibrary,
    pointer: (address) => (address === 0n ? null : Number(address) as unknown as Pointer),
    address: (pointer) => (pointer === null ? 0n : BigInt(pointer as unknown as number)),
    addressOf: (view) => BigInt(ffi.ptr(view)),
    copy(address, length) {
      if (length === 0 || address === 0n) return new Uint8Array(0);
      return new Uint8Array(ffi.toArrayBuffer(Number(address), 0, length).slice(0));
    },
    view(address, length) {
      return length > 0 && address !== 0n ? ffi.toArrayBuffer(Number(address), 0, length) : new ArrayBuffer(0);
    },
    cString(pointer) {
      return pointer === null ? null : String(new ffi.CString(pointer as unknown as number));
    },
    onExit(hook) {
      const process = (globalThis as unknown as { process: { once(e: string, f: () => void): void } }).process;
      process.once("exit", hook);
    },
  };
}
