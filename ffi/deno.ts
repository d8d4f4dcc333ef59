// The Deno backend: Deno.dlopen over neutral symbol tables.
import { type FfiType, type SymbolSpec, symbols } from "./symbols.ts";
import type { FunctionsOf, Lane, NativeLib, OffThreadFunctions, Pointer, ShimFunctions } from "./types.ts";

const denoTypes = {
  void: "void",
  i32: "i32",
  u32: "u32",
  usize: "usize",
  f64: "f64",
  pointer: "pointer",
  buffer: "buffer",
} as const satisfies Record<FfiType, Deno.NativeResultType>;

type DenoPointer = Deno.PointerObject | null;
const native = (p: Pointer | null) => p as unknown as DenoPointer;

/** Suffix of the Promise-returning twin of a symbol marked `nonblocking`. */
const OFF_THREAD = "$offThread";

function openLibrary<T extends Record<string, SymbolSpec>>(path: string, table: T): FunctionsOf<T> {
  const definitions = Object.fromEntries(
    Object.entries(table).flatMap(([name, spec]) => {
      const definition = { parameters: spec.parameters.map((t) => denoTypes[t]), result: denoTypes[spec.result] };
      return spec.nonblocking
        ? [[name, definition], [name + OFF_THREAD, { ...definition, name, nonblocking: true }]]
        : [[name, definition]];
    }),
  ) as Record<string, Deno.ForeignFunction>;
  return Deno.dlopen(path, definitions).symbols as unknown as FunctionsOf<T>;
}

/** Deno runs nonblocking symbols on its own thread pool: a lane needs no thread of its own. */
function offThreadFunctions(fn: ShimFunctions): OffThreadFunctions {
  const all = fn as unknown as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(symbols).filter(([, spec]) => "nonblocking" in spec).map(([name]) => [name, all[name + OFF_THREAD]]),
  ) as OffThreadFunctions;
}

export function openDeno(shimPath: string): NativeLib {
  const fn = openLibrary(shimPath, symbols) as ShimFunctions;
  const lane: Lane = { fn: offThreadFunctions(fn), close() {} };
  return {
    runtime: "deno",
    zeroCopyViews: true,
    fn,
    openLane: () => lane,
    pointer: (address) => Deno.UnsafePointer.create(address) as unknown as Pointer | null,
    address: (pointer) => BigInt(Deno.UnsafePointer.value(native(pointer))),
    addressOf: (view) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(view as Uint8Array<ArrayBuffer>))),
    copy(address, length) {
      const out = new Uint8Array(length);
      const source = Deno.UnsafePointer.create(address);
      if (length > 0 && source !== null) Deno.UnsafePointerView.copyInto(source, out);
      return out;
    },
    view(address, length) {
      const source = Deno.UnsafePointer.create(address);
      return length > 0 && source !== null
        ? Deno.UnsafePointerView.getArrayBuffer(source, length)
        : new ArrayBuffer(0);
    },
    cString(pointer) {
      const p = native(pointer);
      return p === null ? null : Deno.UnsafePointerView.getCString(p);
    },
    onExit(hook) {
      // "unload" ends this module's event loop (under `deno test`, one per test file); the engine
      // itself is stopped later, at process exit, by the shim.
      globalThis.addEventListener("unload", hook);
    },
  };
}
