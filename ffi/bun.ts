// The Bun backend: bun:ffi's dlopen over the neutral symbol table.
import { type FfiType, symbols } from "./symbols.ts";
import type { NativeLib, Pointer, ShimFunctions } from "./types.ts";

// The slice of bun:ffi used here, declared locally so the module type-checks under Deno too.
interface BunFfi {
  dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): {
    symbols: Record<string, (...args: unknown[]) => unknown>;
  };
  toArrayBuffer(pointer: number, byteOffset: number, byteLength: number): ArrayBuffer;
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
  const definitions = Object.fromEntries(
    Object.entries(symbols).map(([name, spec]) => [name, {
      args: spec.parameters.map((t) => bunTypes[t]),
      returns: bunTypes[spec.result],
    }]),
  );
  const library = ffi.dlopen(shimPath, definitions);
  return {
    runtime: "bun",
    fn: library.symbols as unknown as ShimFunctions,
    pointer: (address) => (address === 0n ? null : Number(address) as unknown as Pointer),
    copy(address, length) {
      if (length === 0 || address === 0n) return new Uint8Array(0);
      return new Uint8Array(ffi.toArrayBuffer(Number(address), 0, length).slice(0));
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
