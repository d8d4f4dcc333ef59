// Ownership of native Arrow memory viewed from JS without a copy. One owner per chffi_arrow, held
// through a NativeHandle (src/core/native_handle.ts: freed once, by close(), by the garbage collector
// or at exit): close() detaches every view (so no JS object can reach the memory) and then frees
// it. Each view keeps its owner reachable (a WeakMap entry), so the garbage collector's free
// comes only once no view of it is left, including views held by tables derived with
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
// path cannot know (the original views are gone by then), nor can the exit path (other exit
// tasks may still read views), so a result freed either way is always quarantined. Results whose buffers are not the shim's (the engine's own Arrow export) cannot
// be quarantined: they are copied into JS memory instead of viewed.
import { arrowViewable, freeArrow, freeArrowQuarantined } from "../core/arrow_calls.ts";
import { native, type Pointer } from "../core/native.ts";
import { type FreedBy, NativeHandle } from "../core/native_handle.ts";

/** Detaches a buffer; Node 20 lacks ArrayBuffer.prototype.transfer, where a transferring clone does it. */
function detach(buffer: ArrayBuffer): void {
  if (typeof buffer.transfer === "function") buffer.transfer(0);
  else structuredClone(buffer, { transfer: [buffer] });
}

const ownerOfView = new WeakMap<ArrayBuffer, NativeArrowMemory>();

/** What the free needs to choose free or quarantine; shared with the free, which must not reach the owner. */
interface Exposure {
  /** Zero-copy views of the memory were handed out. */
  viewed: boolean;
  /** close() found a view detached by the program (moved away). */
  moved: boolean;
}

/** The free of one result; made outside the class so that it cannot capture (and keep alive) its owner. */
function freeOf(exposure: Exposure): (handle: Pointer, by: FreedBy) => void {
  return (handle, by) => {
    if (exposure.viewed && (by !== "close" || exposure.moved)) freeArrowQuarantined(handle);
    else freeArrow(handle);
  };
}

export class NativeArrowMemory {
  readonly #handle: NativeHandle;
  readonly #exposure: Exposure = { viewed: false, moved: false };
  #views: ArrayBuffer[] = [];
  /** Zero-copy views are possible: the runtime makes them and the shim can quarantine the memory. */
  readonly #zeroCopy: boolean;

  constructor(handle: Pointer) {
    this.#zeroCopy = native().zeroCopyViews && arrowViewable(handle);
    this.#handle = new NativeHandle(this, handle, freeOf(this.#exposure), { what: "the Arrow result" });
  }

  get closed(): boolean {
    return this.#handle.closed;
  }

  /**
   * A view of `length` bytes at `address`, owned by this memory: a copy when it cannot be
   * zero-copy (detached by close() all the same, so that a closed table reads the same everywhere).
   */
  view(address: bigint, length: number): ArrayBuffer {
    if (length === 0 || address === 0n) return new ArrayBuffer(0);
    this.#handle.check();
    const lib = native();
    let buffer: ArrayBuffer;
    if (this.#zeroCopy) {
      buffer = lib.view(address, length);
      this.#exposure.viewed = true;
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
    if (this.#handle.closed) return;
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
    this.#exposure.moved = moved;
    this.#handle.close(); // the shim never refuses this free: close() cannot throw
  }
}
