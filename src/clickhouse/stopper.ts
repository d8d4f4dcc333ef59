// What stops a request: the caller's AbortSignal or the connection's request_timeout, with the
// errors @clickhouse/client's HTTP transport gives for each.
const ABORTED = "The user aborted a request.";
const TIMED_OUT = "Timeout error.";

export class Stopper {
  #reason: "abort" | "timeout" | undefined;
  #listeners: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.#stop("abort");

  constructor(signal: AbortSignal | undefined, timeoutMs: number | undefined) {
    this.#signal = signal;
    if (signal?.aborted) this.#reason = "abort";
    else signal?.addEventListener("abort", this.#onAbort, { once: true });
    if (timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs)) {
      this.#timer = setTimeout(() => this.#stop("timeout"), timeoutMs);
    }
  }

  #stop(reason: "abort" | "timeout"): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    for (const listener of this.#listeners.splice(0)) listener();
  }

  /** False when neither a signal nor a timeout can ever stop the request. */
  get canStop(): boolean {
    return this.#signal !== undefined || this.#timer !== undefined || this.stopped;
  }

  /** A signal aborted (with error()) on a stop; none when nothing can stop the request. */
  abortSignal(): AbortSignal | undefined {
    if (!this.canStop) return undefined;
    const stop = new AbortController();
    this.onStop(() => stop.abort(this.error()));
    return stop.signal;
  }

  get stopped(): boolean {
    return this.#reason !== undefined;
  }

  error(): Error {
    if (this.#reason === "timeout") return new Error(TIMED_OUT);
    const e = new Error(ABORTED);
    e.name = "AbortError"; // as fetch's and the HTTP transport's aborts
    return e;
  }

  throwIfStopped(): void {
    if (this.stopped) throw this.error();
  }

  /** Runs `then` on a stop (at once when already stopped); only the abort signal counts after
   * dispose() (a result being read is not subject to the request timeout, as over HTTP). Returns
   * the function that removes it. */
  onStop(then: () => void): () => void {
    if (this.stopped) then();
    else this.#listeners.push(then);
    return () => {
      const at = this.#listeners.indexOf(then);
      if (at >= 0) this.#listeners.splice(at, 1);
    };
  }

  /** Settles like `promise`, or rejects at once on a stop. */
  race<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // The listener goes once `promise` settles: a result stream's stopper outlives the request,
      // and the listener (through `promise`, whose value is the result) would keep a result
      // dropped unread from being collected while the caller's signal lives.
      const off = this.onStop(() => reject(this.error()));
      promise.then((value) => {
        off();
        resolve(value);
      }, (e) => {
        off();
        reject(e);
      });
    });
  }

  /** Ends the timeout; an abort signal still reaches onStop listeners (the result stream's). */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Stops listening to the abort signal (a long-lived signal would collect one listener a request). */
  detach(): void {
    this.dispose();
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#listeners = [];
  }
}
