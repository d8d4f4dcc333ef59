// libchdb's own C API opened straight with the runtime's FFI (Deno.dlopen, bun:ffi), for the
// baselines that measure the engine without the shim and without this library (raw_libchdb.ts,
// reboot_leak.ts). Node has none here: libchdb refuses to run on koffi's call stack (ffi/node.ts).
// Pointers come back as the runtime represents them, the representation native()'s helpers take.
import { locateNative } from "./internals.ts";

type RawType = "void" | "i32" | "usize" | "pointer" | "buffer";
/** A C function: its parameter and result types. */
export interface RawSymbol {
  readonly parameters: readonly RawType[];
  readonly result: RawType;
}
// deno-lint-ignore no-explicit-any
type RawFunctions<T> = { [Name in keyof T]: (...args: any[]) => any };

// The slices of the runtimes' FFI used here, declared locally so that the file type-checks anywhere.
interface DenoFfi {
  dlopen(
    path: string,
    symbols: Record<string, { parameters: string[]; result: string }>,
  ): { symbols: Record<string, unknown> };
}
interface BunFfi {
  dlopen(
    path: string,
    symbols: Record<string, { args: string[]; returns: string }>,
  ): { symbols: Record<string, unknown> };
}

const bunTypes: Record<RawType, string> = { void: "void", i32: "i32", usize: "u64", pointer: "ptr", buffer: "buffer" };

/** Opens libchdb (the file the library loads) with `table`'s functions. */
export function openLibchdb<T extends Record<string, RawSymbol>>(table: T): RawFunctions<T> {
  const path = locateNative().libchdbPath;
  const g = globalThis as Record<string, unknown>;
  if ("Deno" in g) {
    const definitions = Object.fromEntries(
      Object.entries(table).map(([name, s]) => [name, { parameters: [...s.parameters], result: s.result }]),
    );
    return (g.Deno as DenoFfi).dlopen(path, definitions).symbols as RawFunctions<T>;
  }
  if ("Bun" in g) {
    const ffi = (import.meta as unknown as { require(id: string): BunFfi }).require("bun:ffi");
    const definitions = Object.fromEntries(
      Object.entries(table).map((
        [name, s],
      ) => [name, { args: s.parameters.map((t) => bunTypes[t]), returns: bunTypes[s.result] }]),
    );
    return ffi.dlopen(path, definitions).symbols as RawFunctions<T>;
  }
  throw new Error("the raw libchdb baselines run on Deno and Bun (libchdb refuses koffi's call stack on Node)");
}
