// The asynchronous side of a connection: calls run off the JS thread on the connection's lane,
// one at a time and in the order they were made. close() lets the calls made before it finish
// (the engine cannot interrupt a running query) and frees the connection after the last one.
import type { Lane } from "../ffi/types.ts";
import { ChdbArgumentError, ChdbClosedError } from "./errors.ts";
import { native } from "./native.ts";

export interface AsyncOptions {
  /** Stops the call: the promise rejects with the signal's reason at once; a query already
   * running in the engine is killed there (src/cancel.ts), one not started never runs. */
  signal?: AbortSignal;
}

/** Rejects with signal.reason as soon as it aborts, else settles like `promise`. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw new ChdbArgumentError("options.signal must be an AbortSignal");
  return signal;
}

// Releases the lane (on Bun, a native thread) of a connection garbage-collected without close().
const forgotten = new FinalizationRegistry<Lane>((lane) => lane.close());

/** The queue of off-thread calls of one connection. */
export class AsyncQueue {
  #lane: Lane | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #count = 0; // calls queued or running
  #closing = false;
  #finish: (() => void) | undefined;

  /**
   * Runs `call` after every call queued before it has settled. `owner` (the connection) stays
   * referenced until then, so that it cannot be garbage-collected and finalized under the call.
   */
  run<T>(owner: object, call: (lane: Lane) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closing) return Promise.reject(new ChdbClosedError("the connection is closed"));
    this.#count++;
    const settled = this.#tail.then(() => {
      if (signal?.aborted) throw signal.reason;
      return call(this.#lane ??= this.#openLane(owner));
    }).finally(() => {
      if (--this.#count === 0 && this.#closing) this.#close();
      void owner;
    });
    this.#tail = settled.catch(() => {});
    return signal ? abortable(settled, signal) : settled;
  }

  /**
   * Refuses new calls and runs `finish` (which frees the connection) once the calls already made
   * have settled: at once when there are none. Resolves after `finish` ran.
   */
  close(finish: () => void): Promise<void> {
    this.#closing = true;
    this.#finish = finish;
    if (this.#count === 0) this.#close();
    return this.#tail.then(() => {});
  }

  #openLane(owner: object): Lane {
    const lane = native().openLane();
    forgotten.register(owner, lane, this);
    return lane;
  }

  #close(): void {
    const finish = this.#finish;
    this.#finish = undefined;
    forgotten.unregister(this);
    this.#lane?.close();
    this.#lane = undefined;
    finish?.();
  }
}
