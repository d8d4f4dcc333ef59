// Runs one statement for the command line: output streamed to stdout block by block, the progress
// bar on stderr, and cancellation (Ctrl-C) that stops the query in the engine.
import type { Connection } from "../connection.ts";
import { ChdbError, ChdbQueryError } from "../errors.ts";
import { writeAll } from "../output.ts";
import { ProgressWatch, type SideConnection } from "../progress.ts";
import type { QueryStream } from "../stream.ts";
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
 * refuses (DDL, INSERT, SHOW...) runs as one call. cancel() kills the query in the engine.
 */
export class RunningStatement {
  readonly #watch: ProgressWatch;
  readonly #bar: ProgressBar | undefined;
  #stream: QueryStream | undefined;
  #cancelled = false;
  #settled = false;

  constructor(
    readonly conn: Connection,
    sql: string,
    readonly format: string,
    side: SideConnection,
    bar: ProgressBar | undefined,
    readonly params: Record<string, string>,
  ) {
    this.#bar = bar;
    // The watch shares the CLI's side connection (its stop() must not close it). Untagged: the
    // command line runs one statement at a time, and the engine's error positions stay right.
    const shared: SideConnection = { queryAsync: (s, f, o) => side.queryAsync(s, f, o), close() {} };
    this.#watch = new ProgressWatch(sql, () => shared, bar ? (p) => bar.update(p) : undefined, false);
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
    try {
      try {
        this.#stream = this.conn.stream(this.#watch.sql, this.format, { params: this.params });
        for await (const chunk of this.#stream) {
          if (this.#cancelled) break;
          this.#write(chunk.bytes());
          outcome.rows += chunk.rowsRead;
          outcome.bytes += chunk.length;
        }
      } catch (e) {
        if (!streamRefused(e) || this.#cancelled) throw e;
        this.#stream = undefined;
        const result = await this.conn.queryAsync(this.#watch.sql, this.format, { params: this.params });
        this.#write(result.bytes());
        outcome.rows = result.rowsRead;
        outcome.bytes = result.length;
      }
    } catch (e) {
      if (!(this.#cancelled && e instanceof ChdbError && e.code === QUERY_WAS_CANCELLED)) throw e;
    } finally {
      this.#settled = true;
      this.#watch.stop();
      this.#bar?.clear();
    }
    outcome.cancelled = this.#cancelled;
    return outcome;
  }

  /** Stops the statement: the engine kills the query, the stream (if any) is closed. */
  async cancel(): Promise<void> {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#stream?.close();
    // A query that has not reached the engine's process list yet is looked for again.
    while (!this.#settled) {
      try {
        if (await this.#watch.cancel()) return;
      } catch {
        return; // the query ended between the lookup and the KILL: nothing left to stop
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
