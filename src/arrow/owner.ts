// Ownership of native Arrow memory viewed from JS without a copy. One owner per chffi_arrow:
// close() detaches every view (so no JS object can reach the memory) and then frees it. Each
// view keeps its owner reachable (a WeakMap entry), so the FinalizationRegistry can free the
// memory only once no view of it is left, including views held by tables derived with
// slice()/select() after the original table was dropped.
//
// A view can also be moved away by the program: ArrayBuffer.prototype.transfer(),
// structuredClone(..., { transfer }) or postMessage give its memory to a new ArrayBuffer that
// this owner does not know and cannot detach (neither Deno nor Bun lets a native deallocator
// follow the memory: Bun's toArrayBuffer deallocator runs when the *original* object dies, with
// the moved buffer still alive). So memory that a moved buffer may reach is never freed for
// reuse: it is quarantined (chffi_arrow_free_quarantined: emptied, left mapped, never reused;
// the moved buffer then reads zeros and its writes land in private pages). close() knows: a view
// it finds already detached was moved (or thrown away) by the program. The garbage collector's
// path cannot know (the original views are gone by then), so a result freed that way is always
// quarantined. Results whose buffers are not the shim's (the engine's own Arrow export) cannot
// be quarantined: they are copied into JS memory instead of viewed.
import type { Pointer } from "../../ffi/types.ts";
import { native } from "../native.ts";

/** Detaches a buffer; Node 20 lacks ArrayBuffer.prototype.transfer, where a transferring clone does it. */
function detach(buffer: ArrayBuffer): void {
  if (typeof buffer.transfer === "function") buffer.transfer(0);
  else structuredClone(buffer, { transfer: [buffer] });
}

const ownerOfView = new WeakMap<ArrayBuffer, NativeArrowMemory>();

/** What the finalizer needs: the handle, and whether views of it were handed out. */
interface Held {
  handle: Pointer;
  viewed: boolean;
}

const forgotten = new FinalizationRegistry<Held>(({ handle, viewed }) => {
  if (viewed) native().fn.chffi_arrow_free_quarantined(handle);
  else native().fn.chffi_arrow_free(handle);
});

export class NativeArrowMemory {
  #held: Held | null;
  #views: ArrayBuffer[] = [];
  /** Zero-copy views are possible: the runtime makes them and the shim can quarantine the memory. */
  readonly #zeroCopy: boolean;

  constructor(handle: Pointer) {
    const lib = native();
    this.#zeroCopy = lib.zeroCopyViews && lib.fn.chffi_arrow_viewable(handle) !== 0;
    this.#held = { handle, viewed: false };
    forgotten.register(this, this.#held, this);
  }

  get closed(): boolean {
    return this.#held === null;
  }

  /**
   * A view of `length` bytes at `address`, owned by this memory: a copy when it cannot be
   * zero-copy (detached by close() all the same, so that a closed table reads the same everywhere).
   */
  view(address: bigint, length: number): ArrayBuffer {
    if (length === 0 || address === 0n) return new ArrayBuffer(0);
    const lib = native();
    let buffer: ArrayBuffer;
    if (this.#zeroCopy) {
      buffer = lib.view(address, length);
      this.#held!.viewed = true;
    } else {
      buffer = lib.copy(address, length).buffer as ArrayBuffer;
    }
    this.#views.push(buffer);
    ownerOfView.set(buffer, this);
    return buffer;
  }

  /**
   * Detaches every view, then frees the native memory, or quarantines it when a view was
   * already detached by someone else (moved away). Idempotent; never throws.
   */
  close(): void {
    const held = this.#held;
    if (held === null) return;
    this.#held = null;
    forgotten.unregister(this);
    let moved = false;
    for (const buffer of this.#views) {
      // Views are never empty, so an empty one was detached by the program.
      if (buffer.byteLength === 0) moved = true;
      else {
        try {
          detach(buffer);
        } catch {
          moved = true;
        }
      }
    }
    this.#views = [];
    if (moved && held.viewed) native().fn.chffi_arrow_free_quarantined(held.handle);
    else native().fn.chffi_arrow_free(held.handle);
  }
}
