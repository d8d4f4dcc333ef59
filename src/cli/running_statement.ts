// Runs one statement for the command line: output streamed to stdout block by block, the progress
// bar on stderr (the library's onProgress), and cancellation (Ctrl-C) through the library's
// signal and queryId, which stops the query in the engine.
import { queryIdOf } from "../policy/kill_query.ts";
import type { Connection } from "../connection/connection.ts";
import { ChdbError, ChdbQueryError } from "../core/errors.ts";
import { writeAll } from "./write_all.ts";
import type { Progress } from "../policy/progress_watch.ts";
import type { ProgressBar } from "./progress_bar.ts";

/** Formats whose output is not text: refused on a terminal unless forced. */
const BINARY_FORMAT =
  /^(Parquet|Arrow|ArrowStream|Native|RowBinary\w*|ORC|Avro|Protobuf\w*|CapnProto|MsgPack|BSONEachRow|Npy|Buffers)$/i;

/** The format a statement's own `FORMAT x` clause asks for (the engine obeys it over ours). */
export function formatClause(sql: string): string | undefined {
  if (/\bINTO\s+OUTFILE\b/i.test(sql)) return undefined; // the output goes to the file
  return /\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*$/i.exec(sql)?.[1];
}

export class CliRefusal extends Error {}

/** stdout was closed by its reader (`| head`): the run stops quietly, as `seq | head` does. */
export class StdoutClosed extends Error {}

/** Throws when binary output would go to a terminal. */
export function checkBinaryToTerminal(format: string, stdoutIsTerminal: boolean, forced: boolean): void {
  if (!stdoutIsTerminal || forced || !BINARY_FORMAT.test(format)) return;
  throw new CliRefusal(
    `${format} is a binary format: redirect the output to a file (> out.${format.toLowerCase()}) or pipe it, ` +
      "or pass --force-binary to write it to the terminal",
  );
}

export interface Outcome {
  rows: number;
  bytes: number;
  cancelled: boolean;
}

/** The engine's code for a query stopped by KILL QUERY. */
const QUERY_WAS_CANCELLED = 394;

const streamRefused = (e: unknown) =>
  e instanceof ChdbQueryError && e.code === 36 && /Streaming query is not supported/.test(e.message);

/**
 * One statement in flight. The engine streams SELECTs block by block; what its streaming API
 * refuses (DDL, INSERT, SHOW...) runs as one call. Both calls get the statement's signal and
 * queryId: cancel() aborts the signal and the library kills the query in the engine.
 */
export class RunningStatement {
  readonly #abort = new AbortController();
  readonly #queryId = queryIdOf(undefined);
  readonly #bar: ProgressBar | undefined;

  constructor(
    readonly conn: Connection,
    readonly sql: string,
    readonly format: string,
    bar: ProgressBar | undefined,
    readonly params: Record<string, string>,
  ) {
    this.#bar = bar;
  }

  #write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#bar?.clear();
    try {
      writeAll(1, bytes);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "EPIPE" || /Broken pipe/.test((e as Error).message)) throw new StdoutClosed("stdout closed");
      throw e;
    }
  }

  async run(): Promise<Outcome> {
    const outcome: Outcome = { rows: 0, bytes: 0, cancelled: false };
    const signal = this.#abort.signal;
    const bar = this.#bar;
    const options = { params: this.params, signal, queryId: this.#queryId, onProgress: bar && ((p: Progress) => bar.update(p)) };
    try {
      try {
        for await (const chunk of this.conn.stream(this.sql, this.format, options)) {
          this.#write(chunk.bytes());
          outcome.rows += chunk.rowsRead;
          outcome.bytes += chunk.length;
        }
      } catch (e) {
        if (!streamRefused(e) || signal.aborted) throw e;
        const result = await this.conn.queryAsync(this.sql, this.format, options);
        this.#write(result.bytes());
        outcome.rows = result.rowsRead;
        outcome.bytes = result.length;
      }
    } catch (e) {
      // Aborted: the call ends with the signal's reason, or with the engine's 394 when the kill
      // reached the query first.
      const stopped = e === signal.reason || (e instanceof ChdbError && e.code === QUERY_WAS_CANCELLED);
      if (!(signal.aborted && stopped)) throw e; // its positions are the statement's (src/policy/query_policy.ts)
    } finally {
      this.#bar?.clear();
    }
    outcome.cancelled = signal.aborted;
    return outcome;
  }

  /** Stops the statement: the library kills the query in the engine and the call ends. */
  cancel(): void {
    this.#abort.abort();
  }
}
