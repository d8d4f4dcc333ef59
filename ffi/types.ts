// The runtime-neutral face of the native library that src/ programs against.
import type { FfiType, SymbolTable } from "./symbols.ts";

/** An opaque native address as the runtime represents it; only ffi/ looks inside. */
export type Pointer = { readonly __nativePointer: unique symbol };

type JsArg<T extends FfiType> = T extends "pointer" ? Pointer | null
  : T extends "buffer" ? ArrayBufferView
  : number;
type JsResult<T extends FfiType> = T extends "void" ? void
  : T extends "pointer" ? Pointer | null
  : number;
type JsArgs<P extends readonly FfiType[]> = { -readonly [K in keyof P]: P[K] extends FfiType ? JsArg<P[K]> : never };

/** The shim's functions, typed from the symbol table. */
export type ShimFunctions = {
  [Name in keyof SymbolTable]: (...args: JsArgs<SymbolTable[Name]["parameters"]>) => JsResult<SymbolTable[Name]["result"]>;
};

export interface NativeLib {
  readonly runtime: "deno" | "bun";
  readonly fn: ShimFunctions;
  /** The pointer for a native address (0n gives null). */
  pointer(address: bigint): Pointer | null;
  /** Copies `length` bytes at a native address into a new JS-owned Uint8Array. */
  copy(address: bigint, length: number): Uint8Array;
  /** Reads a NUL-terminated UTF-8 string; null pointer gives null. */
  cString(pointer: Pointer | null): string | null;
  /** Runs `hook` once when the process is about to exit normally (after the event loop drains). */
  onExit(hook: () => void): void;
}
