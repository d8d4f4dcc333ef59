// Options of the asynchronous calls, and the one place where an AbortSignal stops a call.
// The calls themselves queue on their object's native handle (src/core/native_handle.ts): off the JS
// thread, one at a time per object, in the order they were made.
import { ChdbArgumentError } from "./errors.ts";

/** Options of the asynchronous calls. */
export interface AsyncOptions {
  /** Stops the call: the promise rejects with the signal's reason at once; a query already
   * running in the engine is killed there (src/policy/kill_query.ts), one not started never runs. */
  signal?: AbortSignal;
}

/**
 * Rejects with signal.reason as soon as it aborts, else settles like `promise`. This is where
 * every asynchronous call is aborted: `onAbort` lets the call's queue drop it if it has not
 * started.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal, onAbort?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort?.();
      reject(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw new ChdbArgumentError("options.signal must be an AbortSignal");
  return signal;
}
