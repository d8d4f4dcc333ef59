// The one owner of native handles. Every JS object that holds a native handle (a connection, a
// stream, an insert stream, a hash set, an Arrow result, registered Arrow data) holds it through
// a NativeHandle, which guarantees:
// - the handle is freed exactly once: by close(), by garbage collection of the object that owns
//   it (a FinalizationRegistry), or at the end of the program, whichever comes first;
// - calls on one object run in call order: asynchronous calls queue behind each other, and a
//   synchronous call while asynchronous calls are in flight throws ChdbBusyError (it cannot wait
//   for them without blocking the event loop, and running first would reorder them);
// - nothing runs on a freed handle: close() during asynchronous calls frees after the last of the
//   calls made before it, and a handle that others depend on (a connection with an open stream) is
//   freed after them;
// - a free the shim refuses (CHFFI_BUSY) is never dropped: the handle stays owned, the refusal is
//   reported, and the free is retried whenever another handle is freed and at exit.
import { Status } from "./abi.ts";
import type { Lane, Pointer } from "../../ffi/types.ts";
import { abortable } from "./abortable.ts";
import { ChdbBusyError, ChdbClosedError, ChdbError, statusError } from "./errors.ts";
import { native, runAtExit } from "./native.ts";

/**
 * Who frees a handle: close(), the garbage collector (the owner is gone), or the end of the
 * program. Arrow memory needs to know: only close() can detach the views it handed out first.
 */
export type FreedBy = "close" | "collected" | "exit";

/** Frees a handle; returns the shim's status when it can refuse (CHFFI_BUSY: still in use). */
export type FreeHandle = (pointer: Pointer, by: FreedBy) => number | void;

export interface HandleOptions {
  /** What the object is, for messages ("the connection", "the insert stream"). */
  readonly what: string;
  /** The handle this one needs alive (a stream's connection): freed only after this one. */
  readonly parent?: NativeHandle;
  /** Runs right after the native free (e.g. a stream gives its connection back). Must not reference the owner. */
  readonly afterFree?: () => void;
}

/** Every handle not yet freed: closed at exit, retried when refused. */
const live = new Set<NativeHandle>();
const refused = new Set<NativeHandle>();
// The held value is the handle, which never references its owner (except while calls are in flight).
const collected = new FinalizationRegistry<NativeHandle>((handle) => {
  try {
    NativeHandle.collect(handle);
  } catch (e) {
    // A refused free stays owned and is retried (see #tryFree); nothing to report to here.
    if (!(e instanceof ChdbError)) throw e;
  }
});
let exitHookInstalled = false;

export class NativeHandle {
  #pointer: Pointer | null;
  readonly #free: FreeHandle;
  readonly #options: HandleOptions;
  #children = 0;
  #pending = 0;
  #tail: Promise<unknown> = Promise.resolve();
  #closing = false;
  #closedBy: FreedBy = "close";
  #freed = false;
  /** The owner, referenced only while calls are in flight, so it cannot be collected under them. */
  #busyOwner: object | undefined;
  #lane: Lane | undefined;
  #whenFreed: Promise<void> | undefined;
  #beforeFree: (() => void) | undefined;
  #settleFreed: { resolve(): void; reject(e: unknown): void } | undefined;

  /** Takes ownership of `pointer` (null: the native object is made later, with adopt()) for `owner`. */
  constructor(owner: object, pointer: Pointer | null, free: FreeHandle, options: HandleOptions) {
    this.#pointer = pointer;
    this.#free = free;
    this.#options = options;
    if (options.parent) options.parent.#children++;
    live.add(this);
    collected.register(owner, this, this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      runAtExit(closeAllAtExit, { last: true });
    }
  }

  get what(): string {
    return this.#options.what;
  }

  /** True once close() was called (the native free may still wait for calls in flight). */
  get closed(): boolean {
    return this.#closing;
  }

  /** True once the native handle is freed. */
  get freed(): boolean {
    return this.#freed;
  }

  /** Sets the native object made after construction (e.g. a stream opened on first read). */
  adopt(pointer: Pointer): void {
    this.#pointer = pointer;
  }

  /** The native pointer (null if not made yet) for an off-thread call already queued on this handle. */
  get current(): Pointer | null {
    return this.#pointer;
  }

  /** The pointer for a synchronous call: throws if closed, or while asynchronous calls are in flight. */
  use(): Pointer | null {
    if (this.#closing) throw new ChdbClosedError(`${this.what} is closed`);
    if (this.#pending > 0) {
      throw new ChdbBusyError(
        `${this.what} has asynchronous calls in flight: await them before a synchronous call (calls on one object run in order)`,
      );
    }
    return this.#pointer;
  }

  /** Throws ChdbClosedError once closed. */
  check(): void {
    if (this.#closing) throw new ChdbClosedError(`${this.what} is closed`);
  }

  /**
   * Runs `call` off the JS thread after every call queued on this handle before it has settled.
   * `owner` stays referenced until then. An AbortSignal stops the waiting (src/core/abortable.ts).
   */
  run<T>(owner: object, call: (lane: Lane) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closing) return Promise.reject(new ChdbClosedError(`${this.what} is closed`));
    this.#pending++;
    this.#busyOwner = owner;
    // A call counts as in flight until it settles, or until it is aborted before it started.
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      if (--this.#pending === 0) {
        this.#busyOwner = undefined;
        if (this.#closing) this.#tryFree(false);
      }
    };
    let started = false;
    const settled = this.#tail.then(() => {
      if (signal?.aborted) throw signal.reason;
      started = true;
      return call(this.#laneOfRoot());
    }).finally(done);
    this.#tail = settled.catch(() => {});
    return signal ? abortable(settled, signal, () => started || done()) : settled;
  }

  /** The lane of the root handle (the connection): one per connection, freed with it. */
  #laneOfRoot(): Lane {
    const parent = this.#options.parent;
    return parent ? parent.#laneOfRoot() : (this.#lane ??= native().openLane());
  }

  /**
   * Refuses further calls and frees the handle once the calls made before have settled and the
   * handles that depend on it are freed: at once when there are none. `beforeFree` runs just
   * before the native free (e.g. unregistering what the engine reads through a connection).
   * Idempotent. Throws ChdbBusyError if the shim refuses the free now (the handle stays owned
   * and its free is retried later).
   */
  close(beforeFree?: () => void): void {
    this.#close("close", beforeFree);
  }

  /** The finalizer's close: the owner was garbage collected. */
  static collect(handle: NativeHandle): void {
    handle.#close("collected");
  }

  #close(by: FreedBy, beforeFree?: () => void): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#closedBy = by;
    this.#beforeFree = beforeFree;
    collected.unregister(this);
    this.#tryFree(true);
  }

  /** Resolves once the native handle is freed (rejects if the shim refused the free). */
  whenFreed(): Promise<void> {
    if (this.#freed) return Promise.resolve();
    return this.#whenFreed ??= new Promise<void>((resolve, reject) => (this.#settleFreed = { resolve, reject }));
  }

  #tryFree(throwRefusal: boolean): void {
    if (this.#freed || this.#pending > 0 || this.#children > 0) return;
    const before = this.#beforeFree;
    this.#beforeFree = undefined;
    before?.();
    const pointer = this.#pointer;
    const status = pointer === null ? Status.OK : this.#free(pointer, this.#closedBy);
    if (typeof status === "number" && status !== Status.OK) {
      const error = status === Status.BUSY
        ? new ChdbBusyError(`${this.what} is still in use by the engine: it is freed later (at the latest at exit)`)
        : statusError(status, `freeing ${this.what} failed`);
      refused.add(this);
      this.#whenFreed?.catch(() => {});
      this.#settleFreed?.reject(error);
      this.#settleFreed = undefined;
      this.#whenFreed = undefined;
      if (throwRefusal) throw error;
      return;
    }
    this.#freed = true;
    this.#pointer = null;
    refused.delete(this);
    live.delete(this);
    this.#lane?.close();
    this.#lane = undefined;
    this.#settleFreed?.resolve();
    this.#options.afterFree?.();
    const parent = this.#options.parent;
    if (parent && --parent.#children === 0 && parent.#closing) parent.#tryFree(false);
    for (const handle of [...refused]) handle.#tryFree(false); // a refusal may have waited for this one
  }

  /** Frees now if nothing is in flight (at exit: calls in flight are left to the shim's exit handler). */
  static closeAll(): void {
    for (const handle of [...live]) {
      try {
        if (!handle.#closing) handle.#close("exit");
        else handle.#tryFree(false);
      } catch (e) {
        if (!(e instanceof ChdbError)) throw e;
      }
    }
  }
}

function closeAllAtExit(): void {
  NativeHandle.closeAll();
}
