// The data piped to stdin as the temporary table `table`, as in `clickhouse local`, streamed into
// the engine block by block and never held whole.
//
// With --structure (or a format that cannot be read in pieces, such as Parquet) the engine reads fd
// 0 itself: `File(format, stdin)`. Without it, the engine's schema inference on stdin keeps every
// byte it reads afterwards in memory (measured: RSS grows with the input, 1.2 GB for 530 MB), so the
// CLI infers the columns from the first MiB and pumps stdin into a FIFO that the engine reads as
// `File(format, '<fifo>')` with those columns: memory stays flat whatever the input size.
import { spawnSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { Connection } from "../connection/connection.ts";

/** Text formats whose columns can be inferred from the first rows (the rest streams behind them). */
const ROW_FORMATS =
  /^(TSV|TabSeparated|TSVWithNames|TabSeparatedWithNames|TSVWithNamesAndTypes|TabSeparatedWithNamesAndTypes|TSVRaw|TabSeparatedRaw|TSVRawWithNames|TSVRawWithNamesAndTypes|CSV|CSVWithNames|CSVWithNamesAndTypes|JSONEachRow|JSONLines|NDJSON|JSONCompactEachRow|JSONCompactEachRowWithNames|JSONCompactEachRowWithNamesAndTypes|JSONStringsEachRow|JSONCompactStringsEachRow|CustomSeparated|CustomSeparatedWithNames|LineAsString|Values)$/i;

const SAMPLE_BYTES = 1 << 20;
const PIPE_BUF = 4096;

/** A statement that reads the table `table`. */
export const READS_STDIN_TABLE = /\b(?:FROM|JOIN|DESCRIBE|DESC|TABLE)\s+(?:`table`|"table"|table)(?![\w(`"])/i;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** stdin's chunks, copied: Deno's stream reuses its read buffer while the pump waits on the pipe. */
async function* stdinChunks(): AsyncGenerator<Uint8Array> {
  for await (const chunk of process.stdin) yield new Uint8Array(chunk as Uint8Array);
}

export class StdinTable {
  #dir: string | undefined;
  #pump: Promise<void> | undefined;
  #stopped = false;
  #columns: string | undefined;

  constructor(readonly conn: Connection, readonly format: string, readonly structure: string | undefined) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(format)) throw new Error(`invalid input format name: ${format}`);
  }

  /** Creates the temporary table `table` on the connection; the data flows once a query reads it. */
  async create(): Promise<void> {
    if (this.structure !== undefined || !ROW_FORMATS.test(this.format)) {
      const columns = this.structure === undefined ? "" : ` (${this.structure})`;
      await this.conn.queryAsync(`CREATE TEMPORARY TABLE \`table\`${columns} ENGINE = File(${this.format}, stdin)`);
      return;
    }
    const chunks = stdinChunks();
    const head: Uint8Array[] = [];
    let size = 0;
    while (size < SAMPLE_BYTES) {
      const next = await chunks.next();
      if (next.done) break;
      head.push(next.value);
      size += next.value.length;
    }
    if (size === 0) throw new Error("stdin is empty: the table `table` is the data piped to stdin");
    const dir = this.#dir = mkdtempSync(join(tmpdir(), "chdb-ffi-stdin-"));
    const sample = join(dir, "sample");
    const fifo = join(dir, "stdin.fifo");
    const joined = new Uint8Array(size);
    let offset = 0;
    for (const chunk of head) joined.set(chunk, offset), offset += chunk.length;
    // Whole rows only: a row cut at the end of the sample would not parse.
    const lastNewline = size < SAMPLE_BYTES ? size : joined.lastIndexOf(10) + 1;
    writeFileSync(sample, joined.subarray(0, lastNewline > 0 ? lastNewline : size));
    const described = (await this.conn.queryAsync(
      `DESCRIBE file({sample:String}, ${this.format}) SETTINGS schema_inference_use_cache_for_file = 0`,
      "JSONCompactEachRow",
      { params: { sample } },
    )).text();
    const columns = described.trim().split("\n").map((line) => {
      const [name, type] = JSON.parse(line) as string[];
      return `\`${name.replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\` ${type}`;
    });
    this.#columns = columns.join(", ");
    const made = spawnSync("mkfifo", ["-m", "600", fifo]);
    if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr?.toString() || made.error?.message}`);
    await this.conn.queryAsync(
      `CREATE TEMPORARY TABLE \`table\` (${this.#columns}) ENGINE = File(${this.format}, {fifo:String})`,
      "CSV",
      { params: { fifo } },
    );
    this.#pump = this.#run(fifo, head, chunks);
  }

  /**
   * Writes the sample, then the rest of stdin, into the FIFO once the engine opened it for reading.
   * Non-blocking: the open fails (ENXIO) until the reader is there, a write finding the pipe full
   * waits here, and a reader gone (EPIPE: the query stopped reading) ends the pump, so stop()
   * can always end it.
   */
  async #run(fifo: string, head: Uint8Array[], rest: AsyncGenerator<Uint8Array>): Promise<void> {
    let fd: number | undefined;
    try {
      while (fd === undefined && !this.#stopped) {
        try {
          fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        } catch (e) {
          if ((e as { code?: string }).code !== "ENXIO") throw e;
          await sleep(5);
        }
      }
      if (fd === undefined) return;
      for (const chunk of head) await this.#write(fd, chunk);
      for await (const chunk of rest) {
        if (this.#stopped) break;
        await this.#write(fd, chunk);
      }
    } finally {
      if (fd !== undefined) closeSync(fd); // the engine sees the end of the data
      await rest.return(undefined);
    }
  }

  /**
   * Writes in pieces of PIPE_BUF bytes: a pipe takes such a write whole or refuses it (EAGAIN).
   * Longer writes can be partly done when EAGAIN comes, and Deno's writeSync then throws without
   * saying how much went (measured: rows written twice).
   */
  async #write(fd: number, chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.length && !this.#stopped) {
      try {
        offset += writeSync(fd, chunk, offset, Math.min(PIPE_BUF, chunk.length - offset));
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === "EPIPE") {
          this.#stopped = true;
          return;
        }
        if (code !== "EAGAIN") throw e;
        await sleep(1);
      }
    }
  }

  /**
   * Ends the pump (after the statement that read the table) and removes the FIFO. Later
   * statements find `table` empty, as stdin at its end reads with File(format, stdin).
   */
  async close(): Promise<void> {
    if (this.#dir === undefined) return;
    this.#stopped = true;
    try {
      await this.#pump;
    } catch {
      // The engine stopped reading (an error it reports itself).
    }
    rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
    if (this.#columns === undefined) return;
    await this.conn.queryAsync("DROP TEMPORARY TABLE IF EXISTS `table`");
    await this.conn.queryAsync(`CREATE TEMPORARY TABLE \`table\` (${this.#columns}) ENGINE = Memory`);
  }
}
