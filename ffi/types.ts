// The runtime-neutral face of the native library that src/ programs against.
import type { FfiType, SymbolSpec, SymbolTable } from "./symbols.ts";

/** An opaque native address as the runtime represents it; only ffi/ looks inside. */
export type Pointer = { readonly __nativePointer: unique symbol };

type JsArg<T extends FfiType> = T extends "pointer" ? Pointer | null
  : T extends "buffer" ? ArrayBufferView
  : number;
type JsResult<T extends FfiType> = T extends "void" ? void
  : T extends "pointer" ? Pointer | null
  : number;
type JsArgs<P extends readonly FfiType[]> = { -readonly [K in keyof P]: P[K] extends FfiType ? JsArg<P[K]> : never };

/** JS functions for a neutral symbol table. */
export type FunctionsOf<T extends Record<string, SymbolSpec>> = {
  [Name in keyof T]: (...args: JsArgs<T[Name]["parameters"]>) => JsResult<T[Name]["result"]>;
};

/** The shim's functions, typed from its symbol table. */
export type ShimFunctions = FunctionsOf<SymbolTable>;

/** The symbols marked `nonblocking` in the table. */
export type NonblockingName = {
  [Name in keyof SymbolTable]: SymbolTable[Name] extends { nonblocking: true } ? Name : never;
}[keyof SymbolTable];

/** The nonblocking symbols as calls that run off the JS thread and resolve with their status. */
export type OffThreadFunctions = {
  [Name in NonblockingName]: (...args: Parameters<ShimFunctions[Name]>) => Promise<number>;
};

/**
 * Runs the shim's blocking calls off the JS thread (the event loop keeps running meanwhile).
 * The caller starts a call only after the lane's previous call settled, and keeps every buffer
 * it passed alive until then; calls on different lanes may run in parallel.
 */
export interface Lane {
  readonly fn: OffThreadFunctions;
  /** Releases the lane (its thread, if it has one). Only once no call is in flight. */
  close(): void;
}

export interface NativeLib {
  readonly runtime: "deno" | "bun" | "node";
  readonly fn: ShimFunctions;
  /** The pointer for a native address (0n gives null). */
  pointer(address: bigint): Pointer | null;
  /** The native address of a pointer (null gives 0n). */
  address(pointer: Pointer | null): bigint;
  /** The native address of a JS buffer's first byte (valid while the buffer is alive and not detached). */
  addressOf(view: ArrayBufferView): bigint;
  /** Copies `length` bytes at a native address into a new JS-owned Uint8Array. */
  copy(address: bigint, length: number): Uint8Array;
  /**
   * A zero-copy ArrayBuffer over native memory. The caller owns the lifetime: detach it with
   * `transfer(0)` before the memory is freed. (Node: a copy, since koffi's views cannot be detached.)
   */
  view(address: bigint, length: number): ArrayBuffer;
  /** Whether view() is zero-copy (Deno, Bun): such buffers can be moved away by the program. */
  readonly zeroCopyViews: boolean;
  /** Reads a NUL-terminated UTF-8 string; null pointer gives null. */
  cString(pointer: Pointer | null): string | null;
  /** A new lane for running blocking shim calls off the JS thread (one per connection). */
  openLane(): Lane;
  /**
   * Runs `hook` when this JS program ends normally (its event loop drained, or process exit).
   * Native teardown does not depend on it: the shim stops the engine in a C exit handler.
   */
  onExit(hook: () => void): void;
}
