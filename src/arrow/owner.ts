// Ownership of native Arrow memory viewed from JS without a copy. One owner per chffi_arrow:
// close() detaches every view (so no JS object can reach the memory) and then frees it. Each
// view keeps its owner reachable (a WeakMap entry), so the FinalizationRegistry can free the
// memory only once no view of it is left, including views held by tables derived with
// slice()/select() after the original table was dropped.
import type { Pointer } from "../../ffi/types.ts";
import { native } from "../native.ts";

/** Detaches a buffer; Node 20 lacks ArrayBuffer.prototype.transfer, where a transferring clone does it. */
function detach(buffer: ArrayBuffer): void {
  if (typeof buffer.transfer === "function") buffer.transfer(0);
  else structuredClone(buffer, { transfer: [buffer] });
}

const ownerOfView = new WeakMap<ArrayBuffer, NativeArrowMemory>();

const forgotten = new FinalizationRegistry<Pointer>((handle) => {
  native().fn.chffi_arrow_free(handle);
});

export class NativeArrowMemory {
  #handle: Pointer | null;
  #views: ArrayBuffer[] = [];

  constructor(handle: Pointer) {
    this.#handle = handle;
    forgotten.register(this, handle, this);
  }

  get closed(): boolean {
    return this.#handle === null;
  }

  /** A zero-copy view of `length` bytes at `address`, owned by this memory. */
  view(address: bigint, length: number): ArrayBuffer {
    if (length === 0 || address === 0n) return new ArrayBuffer(0);
    const buffer = native().view(address, length);
    this.#views.push(buffer);
    ownerOfView.set(buffer, this);
    return buffer;
  }

  /** Detaches every view, then frees the native memory. Idempotent. */
  close(): void {
    const handle = this.#handle;
    if (handle === null) return;
    this.#handle = null;
    forgotten.unregister(this);
    for (const buffer of this.#views) detach(buffer);
    this.#views = [];
    native().fn.chffi_arrow_free(handle);
  }
}
