// A finished query's output (copied out of native memory) and its metrics.
import { ChdbError } from "./errors.ts";
import { fromUtf8 } from "./encoding.ts";

/** The engine's metrics of one query. */
export interface QueryStats {
  /** Seconds the query took in the engine. */
  readonly elapsed: number;
  /** Rows the query read. */
  readonly rowsRead: number;
  /** Bytes the query read. */
  readonly bytesRead: number;
  /** Rows read from storage (tables and files). */
  readonly storageRowsRead: number;
  /** Bytes read from storage (tables and files). */
  readonly storageBytesRead: number;
  /** Rows the query wrote. */
  readonly rowsWritten: number;
  /** Bytes the query wrote. */
  readonly bytesWritten: number;
}

const lineDelimitedJson = /EachRow|^(NDJSON|JSONL|JSONLines)$/i;

/** A finished query's output (copied out of native memory) in its format, and the engine's metrics. */
export class Result implements QueryStats {
  readonly #bytes: Uint8Array;
  readonly #stats: QueryStats;
  #text: string | undefined;
  /** The query's id, when it had one (the `queryId` option, or a `signal`). */
  queryId: string | undefined = undefined;

  /** Made by the query calls: `bytes` in `format`, with the engine's `stats`. */
  constructor(bytes: Uint8Array, readonly format: string, stats: QueryStats) {
    this.#bytes = bytes;
    this.#stats = stats;
  }

  /** The raw output, exactly as the engine produced it (binary formats, NUL bytes included). */
  bytes(): Uint8Array {
    return this.#bytes;
  }

  /** The output decoded as UTF-8 (invalid sequences become U+FFFD; use bytes() for binary). */
  text(): string {
    return (this.#text ??= fromUtf8(this.#bytes));
  }

  /**
   * The output parsed as JSON: one value for JSON/JSONCompact-style formats, an array of the
   * parsed lines for line-delimited formats (JSONEachRow, JSONCompactEachRow, ...).
   */
  json<T = unknown>(): T {
    try {
      if (lineDelimitedJson.test(this.format)) {
        return this.text().split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line)) as T;
      }
      return JSON.parse(this.text()) as T;
    } catch (e) {
      throw new ChdbError(`result in format ${this.format} is not JSON: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The output as text (text()). */
  toString(): string {
    return this.text();
  }

  /** Prints the output to the console. */
  show(): void {
    console.log(this.text());
  }

  /** The size of the output in bytes. */
  get length(): number {
    return this.#bytes.length;
  }
  /** Seconds the query took in the engine. */
  get elapsed(): number {
    return this.#stats.elapsed;
  }
  /** Rows the query read. */
  get rowsRead(): number {
    return this.#stats.rowsRead;
  }
  /** Bytes the query read. */
  get bytesRead(): number {
    return this.#stats.bytesRead;
  }
  /** Rows read from storage (tables and files). */
  get storageRowsRead(): number {
    return this.#stats.storageRowsRead;
  }
  /** Bytes read from storage (tables and files). */
  get storageBytesRead(): number {
    return this.#stats.storageBytesRead;
  }
  /** Rows the query wrote. */
  get rowsWritten(): number {
    return this.#stats.rowsWritten;
  }
  /** Bytes the query wrote. */
  get bytesWritten(): number {
    return this.#stats.bytesWritten;
  }
}
