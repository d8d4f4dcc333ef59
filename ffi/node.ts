// The Node.js backend: koffi over neutral symbol tables (koffi represents pointers as BigInt).
// koffi runs every call on a stack of its own, where the engine refuses to run: calls marked
// `engine` in the symbol table go through chffi_call_blocking, which runs them on a shim thread
// with an ordinary stack. Off the JS thread, a lane runs that same blocking call through koffi's
// async calls (on libuv's thread pool), so the event loop never waits for the engine.
import { createRequire } from "node:module";
import process from "node:process";
import { type FfiType, Status, symbols, type SymbolSpec } from "./symbols.ts";
import type { Lane, NativeLib, OffThreadFunctions, Pointer, ShimFunctions } from "./types.ts";

// The slice of koffi used here, declared locally so the module type-checks without koffi's types.
type KoffiFunction = ((...args: unknown[]) => unknown) & {
  async(...args: unknown[]): void;
};
interface KoffiLibrary {
  func(name: string, result: string, parameters: string[]): KoffiFunction;
  /** The address of an exported symbol. */
  symbol(name: string): bigint;
}
interface Koffi {
  load(path: string): KoffiLibrary;
  address(value: unknown): bigint;
  view(pointer: bigint, length: number): ArrayBuffer;
  decode: { string(pointer: bigint): string };
}

const koffiTypes: Record<FfiType, string> = {
  void: "void",
  i32: "int32_t",
  u32: "uint32_t",
  usize: "size_t",
  f64: "double",
  pointer: "void *",
  buffer: "void *",
};

type NodePointer = bigint | null;
const native = (p: Pointer | null) => p as unknown as NodePointer;

function loadKoffi(): Koffi {
  try {
    return createRequire(import.meta.url)("koffi") as Koffi;
  } catch (e) {
    throw new Error(`chdb-ffi on Node needs the koffi package (npm install koffi): ${(e as Error).message}`);
  }
}

export function openNode(shimPath: string): NativeLib {
  const koffi = loadKoffi();
  const word = (type: FfiType, value: unknown): bigint => {
    if (type === "buffer") {
      const view = value as ArrayBufferView;
      return view.byteLength === 0 ? 0n : koffi.address(view);
    }
    if (type === "pointer") return (value as NodePointer) ?? 0n;
    return BigInt(value as number);
  };
  const words = (spec: SymbolSpec, args: unknown[]) =>
    new BigUint64Array(args.map((a, i) => word(spec.parameters[i], a)));

  const functionsOf = (library: KoffiLibrary, table: Record<string, SymbolSpec>) =>
    Object.fromEntries(
      Object.entries(table).map(([name, spec]) => [
        name,
        library.func(name, koffiTypes[spec.result], spec.parameters.map((t) => koffiTypes[t])),
      ]),
    );
  const library = koffi.load(shimPath);
  const direct = functionsOf(library, symbols);
  const callBlocking = direct.chffi_call_blocking;
  const engineCall = (name: string, spec: SymbolSpec) => {
    const address = library.symbol(name);
    const isVoid = spec.result === "void";
    return (...args: unknown[]) => {
      const status = callBlocking(address, words(spec, args), args.length) as number;
      return isVoid ? undefined : status;
    };
  };
  const fn = Object.fromEntries(
    Object.entries(symbols).map(([name, spec]) => [name, "engine" in spec ? engineCall(name, spec) : direct[name]]),
  ) as unknown as ShimFunctions;

  // Arguments of async calls in flight: nothing they point to may be collected before the call returns.
  const inFlight = new Set<unknown[]>();
  const offThread = Object.fromEntries(
    Object.entries(symbols).filter(([, spec]) => "nonblocking" in spec).map(([name, spec]) => {
      const address = library.symbol(name);
      return [name, (...args: unknown[]) =>
        new Promise<number>((resolve) => {
          const argWords = words(spec, args);
          const held = [args, argWords];
          inFlight.add(held);
          callBlocking.async(address, argWords, args.length, (error: unknown, status: number) => {
            inFlight.delete(held);
            // A koffi failure is the shim's failure to run the call (no exception leaves ffi/).
            resolve(error ? Status.INTERNAL : status);
          });
        })];
    }),
  ) as OffThreadFunctions;
  const lane: Lane = { fn: offThread, close() {} };

  return {
    runtime: "node",
    zeroCopyViews: false,
    fn,
    openLane: () => lane,
    pointer: (address) => (address === 0n ? null : address as unknown as Pointer),
    address: (pointer) => native(pointer) ?? 0n,
    addressOf: (view) => koffi.address(view),
    copy(address, length) {
      if (length === 0 || address === 0n) return new Uint8Array(0);
      return new Uint8Array(koffi.view(address, length).slice(0));
    },
    view(address, length) {
      // koffi's views cannot be detached, and a view that outlives its native memory would read
      // freed memory: Node gets a copy instead of a zero-copy view.
      if (length === 0 || address === 0n) return new ArrayBuffer(0);
      return koffi.view(address, length).slice(0);
    },
    cString(pointer) {
      const p = native(pointer);
      return p === null ? null : koffi.decode.string(p);
    },
    onExit(hook) {
      process.once("exit", hook);
    },
  };
}
