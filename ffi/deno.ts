// The Deno backend: Deno.dlopen over the neutral symbol table.
import { type FfiType, symbols } from "./symbols.ts";
import type { NativeLib, Pointer, ShimFunctions } from "./types.ts";

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

export function openDeno(shimPath: string): NativeLib {
  const definitions = Object.fromEntries(
    Object.entries(symbols).map(([name, spec]) => [name, {
      parameters: spec.parameters.map((t) => denoTypes[t]),
      result: denoTypes[spec.result],
    }]),
  ) as Record<string, Deno.ForeignFunction>;
  const library = Deno.dlopen(shimPath, definitions);
  return {
    runtime: "deno",
    fn: library.symbols as unknown as ShimFunctions,
    pointer: (address) => Deno.UnsafePointer.create(address) as unknown as Pointer | null,
    copy(address, length) {
      const out = new Uint8Array(length);
      const source = Deno.UnsafePointer.create(address);
      if (length > 0 && source !== null) Deno.UnsafePointerView.copyInto(source, out);
      return out;
    },
    cString(pointer) {
      const p = pointer as unknown as DenoPointer;
      return p === null ? null : Deno.UnsafePointerView.getCString(p);
    },
    onExit(hook) {
      globalThis.addEventListener("unload", () => {
        hook();
        // Deno unloads libraries after "unload"; an engine thread still running then crashes the
        // process after all output was printed. Exiting here, once the engine is stopped, avoids it.
        Deno.exit(Deno.exitCode);
      });
    },
  };
}
