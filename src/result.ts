// A finished query's output (copied out of native memory) and its metrics.
import { ChdbError } from "./errors.ts";
import { fromUtf8 } from "./encoding.ts";

export interface QueryStats {
  readonly elapsed: number;
  readonly rowsRead: number;
  readonly bytesRead: number;
  readonly storageRowsRead: number;
  readonly storageBytesRead: number;
  readonly rowsWritten: number;
  readonly bytesWritten: number;
}

const lineDelimitedJson = /EachRow|^(NDJSON|JSONL|JSONLines)$/i;

export class Result implements QueryStats {
  readonly #bytes: Uint8Array;
  readonly #stats: QueryStats;
  #text: string | undefined;
  /** The query's id, when it had one (the `queryId` option, or a `signal`). */
  queryId: string | undefined = undefined;

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

  toString(): string {
    return this.text();
  }

  /** Prints the output to the console. */
  show(): void {
    console.log(this.text());
  }

  get length(): number {
    return this.#bytes.length;
  }
  get elapsed(): number {
    return this.#stats.elapsed;
  }
  get rowsRead(): number {
    return this.#stats.rowsRead;
  }
  get bytesRead(): number {
    return this.#stats.bytesRead;
  }
  get storageRowsRead(): number {
    return this.#stats.storageRowsRead;
  }
  get storageBytesRead(): number {
    return this.#stats.storageBytesRead;
  }
  get rowsWritten(): number {
    return this.#stats.rowsWritten;
  }
  get bytesWritten(): number {
    return this.#stats.bytesWritten;
  }
}
