// The Bun backend: bun:ffi's dlopen over neutral symbol tables.
import { type FfiType, Status, type SymbolSpec, symbols } from "./symbols.ts";
import type { FunctionsOf, Lane, NativeLib, OffThreadFunctions, Pointer, ShimFunctions } from "./types.ts";

// The slice of bun:ffi used here, declared locally so the module type-checks under Deno too.
interface BunFfi {
  dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): {
    symbols: Record<string, (...args: unknown[]) => unknown>;
  };
  toArrayBuffer(pointer: number, byteOffset: number, byteLength: number): ArrayBuffer;
  ptr(view: ArrayBufferView): number;
  CString: new (pointer: number) => string;
  JSCallback: new (
    fn: (...args: never[]) => void,
    definition: { args: string[]; returns: string; threadsafe?: boolean },
  ) => { readonly ptr: number };
}

interface PendingCall {
  readonly resolve: (status: number) => void;
  /** The call's arguments, referenced until it finishes so that no buffer is collected under it. */
  readonly args: unknown[];
}

/**
 * Bun has no nonblocking FFI calls: a lane is a shim-owned worker thread (native/async_worker.cpp)
 * that reports each finished call through one thread-safe JSCallback, which Bun runs on the JS thread.
 */
function laneFactory(ffi: BunFfi, fn: ShimFunctions): () => Lane {
  const pending = new Map<number, PendingCall>();
  let nextTag = 1;
  let done: { readonly ptr: number } | undefined; // created on first use, lives as long as the process
  // The callback alone does not keep Bun's event loop alive: a timer does while calls are pending.
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  const settle = (tag: number, status: number) => {
    const call = pending.get(tag);
    pending.delete(tag);
    if (pending.size === 0 && keepAlive !== undefined) {
      clearInterval(keepAlive);
      keepAlive = undefined;
    }
    call?.resolve(status);
  };
  const word = (type: FfiType, value: unknown): bigint => {
    if (type === "buffer") {
      const view = value as ArrayBufferView;
      return view.byteLength === 0 ? 0n : BigInt(ffi.ptr(view));
    }
    return value === null ? 0n : BigInt(value as number);
  };
  const all = fn as unknown as Record<string, { ptr: number }>;
  return () => {
    done ??= new ffi.JSCallback(settle, { args: ["u32", "i32"], returns: "void", threadsafe: true });
    const out = new BigUint64Array(1);
    // A lane whose thread could not start answers every call with that status (no exception
    // leaves ffi/: src/ turns statuses into errors).
    const started = fn.chffi_worker_new(done.ptr as unknown as Pointer, out);
    const worker = Number(out[0]) as unknown as Pointer;
    let closed = started !== Status.OK;
    const offThread = Object.fromEntries(
      Object.entries(symbols).filter(([, spec]) => "nonblocking" in spec).map(([name, spec]) => {
        const address = all[name].ptr as unknown as Pointer;
        return [name, (...args: unknown[]) => {
          if (closed) return Promise.resolve(started !== Status.OK ? started : Status.MISUSE);
          const words = new BigUint64Array(args.map((a, i) => word(spec.parameters[i], a)));
          const tag = nextTag;
          nextTag = nextTag >= 0xffffffff ? 1 : nextTag + 1;
          return new Promise<number>((resolve) => {
            pending.set(tag, { resolve, args });
            keepAlive ??= setInterval(() => {}, 1 << 30);
            const submitted = fn.chffi_worker_submit(worker, address, words, words.length, tag);
            if (submitted !== 0) settle(tag, submitted);
          });
        }];
      }),
    ) as OffThreadFunctions;
    return {
      fn: offThread,
      close() {
        if (closed) return;
        closed = true;
        fn.chffi_worker_free(worker);
      },
    };
  };
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
  const fn = openLibrary(shimPath, symbols) as ShimFunctions;
  return {
    runtime: "bun",
    zeroCopyViews: true,
    fn,
    openLane: laneFactory(ffi, fn),
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
