// The API fuzzer's invariant: every call returns a value or throws/rejects with a ChdbError, every
// promise settles within a timeout, and what a call answers is right where the answer is known.
// The few documented exceptions are accepted here and nowhere else.
import process from "node:process";
import { ClickHouseError } from "@clickhouse/client";
import { ChdbError } from "../../mod.ts";

const TRACE = process.env.FUZZ_TRACE === "1";

/** A broken invariant: the sequence stops and the seed is reported. */
export class Finding extends Error {}

/** Why an error is acceptable besides being a ChdbError (README sentence cited at each use). */
export type Allowance = "abort-reason" | "closed-table-read" | "client";

/** The argument checks of @clickhouse/client itself (plain Errors, before any request is made). */
const CLIENT_ARGUMENT_ERRORS =
  /format is not streamable|Cannot decode .* as JSON|Stream has been already consumed|Insert expected "values"|expected Readable Stream with|Cannot encode values|does not support JSON encoding/;

/** README "@clickhouse/client on the embedded engine": engine errors are the client's
 * ClickHouseError; an abort rejects with "The user aborted a request." (name AbortError), the
 * request timeout with "Timeout error."; the library's own errors are ChdbErrors. */
function clientError(e: unknown): boolean {
  if (e instanceof ClickHouseError) return true;
  if (!(e instanceof Error)) return false;
  if (e.name === "AbortError" && e.message === "The user aborted a request.") return true;
  return e.message === "Timeout error." || CLIENT_ARGUMENT_ERRORS.test(e.message);
}

export class Checker {
  /** The reasons of every AbortSignal the sequence aborted. README "Async queries": "`signal` ...
   * the promise rejects with the signal's reason at once"; "Streaming": "the stream's next call
   * throws the signal's reason". */
  readonly abortReasons = new Set<unknown>();
  /** The errors the fuzzer's own input streams failed with (an insert rejects with them). */
  readonly inputErrors = new Set<unknown>();
  readonly pending = new Set<Promise<void>>();
  readonly log: string[] = [];
  findings: string[] = [];
  /** How calls ended, by outcome (returned, resolved, the error's class): what a run covered. */
  readonly outcomes = new Map<string, number>();
  #step = 0;

  constructor(readonly timeoutMs: number) {}

  /** Logs the step (the replay of a finding prints the last ones). */
  step(name: string): void {
    this.log.push(`#${this.#step++} ${name}`);
    if (TRACE) console.error(this.log.at(-1)); // FUZZ_TRACE=1: every step as it starts (a crash's last)
    if (this.log.length > 400) this.log.splice(0, 200);
  }

  /** The synchronous calls that blocked the JS thread longest: a hang report names them, since
   * a long one delays every timer, the hang timeouts' too. */
  readonly slowest: [string, number][] = [];

  #timed(name: string, started: number): void {
    const ms = Date.now() - started;
    if (ms < 200) return;
    this.slowest.push([name, ms]);
    this.slowest.sort((a, b) => b[1] - a[1]).splice(5);
  }

  count(outcome: string): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }

  #judge(name: string, e: unknown, allow: Allowance[]): void {
    if (e instanceof Finding) return; // already recorded
    this.count(e instanceof Error ? e.constructor.name : typeof e);
    if (e instanceof ChdbError) return;
    if (allow.includes("client") && (clientError(e) || this.inputErrors.has(e))) return;
    if (this.abortReasons.has(e)) return;
    // README "Arrow": "reading a closed table gives empty or null values (some apache-arrow
    // accessors throw a TypeError)".
    if (allow.includes("closed-table-read") && e instanceof TypeError) return;
    const text = e instanceof Error
      ? `${e.constructor.name}: ${e.message}\n${e.stack}`
      : `non-Error thrown: ${String(e)}`;
    this.fail(`${name}: ${text}`);
  }

  fail(message: string): void {
    this.findings.push(message);
    throw new Finding(message);
  }

  /** Runs a synchronous call; an async result is followed in the background. */
  call<T>(name: string, fn: () => T, allow: Allowance[] = []): T | undefined {
    this.step(name);
    const started = Date.now();
    try {
      const value = fn();
      this.#timed(name, started);
      if (value instanceof Promise) this.follow(name, value, allow);
      else this.count("returned");
      return value;
    } catch (e) {
      if (e instanceof Finding) throw e;
      this.#timed(name, started);
      this.#judge(name, e, allow);
      return undefined;
    }
  }

  /** Follows a promise: it must settle within the timeout; `then` checks a value. */
  follow<T>(name: string, promise: Promise<T>, allow: Allowance[] = [], then?: (v: T) => void): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"hang">((resolve) => {
      timer = setTimeout(() => resolve("hang"), this.timeoutMs);
    });
    const settled = promise.then((v) => ({ v }), (e) => ({ e }));
    const p: Promise<void> = Promise.race([settled, timeout]).then((r) => {
      clearTimeout(timer);
      this.pending.delete(p);
      if (r === "hang") {
        const slow = this.slowest.map(([n, ms]) => `${n} ${ms} ms`).join(", ") || "none over 200 ms";
        return void this.findings.push(
          `${name}: did not settle within ${this.timeoutMs} ms (hang; slowest sync calls: ${slow})`,
        );
      }
      if ("e" in r) {
        try {
          this.#judge(name, r.e, allow);
        } catch { /* recorded in findings */ }
      } else if (this.count("resolved"), then) {
        try {
          then(r.v as T);
        } catch (e) {
          if (!(e instanceof Finding)) this.findings.push(`${name}: check threw ${e}`);
        }
      }
    });
    this.pending.add(p);
    return p;
  }

  /** Awaits every promise followed so far (each bounded by the timeout). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** A value against the known answer. */
  expect(name: string, got: string, want: string): void {
    if (got !== want) {
      this.fail(`${name}: wrong answer ${JSON.stringify(got.slice(0, 200))}, want ${JSON.stringify(want)}`);
    }
  }
}
