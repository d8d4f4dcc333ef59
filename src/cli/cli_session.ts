// The state of one command-line run: the connection, the piped stdin as the table `table`, and
// running a statement with its summary lines.
import { isatty } from "node:tty";
import { Connection } from "../connection/connection.ts";
import { utf8 } from "../core/encoding.ts";
import { writeAll } from "./write_all.ts";
import type { CliOptions } from "./parse_options.ts";
import { ProgressBar } from "./progress_bar.ts";
import { errorLine, summaryLine } from "./report.ts";
import { checkBinaryToTerminal, formatClause, type Outcome, RunningStatement } from "./running_statement.ts";
import { READS_STDIN_TABLE, StdinTable } from "./stdin_table.ts";


export function stderrLine(text: string): void {
  writeAll(2, utf8(`${text}\n`));
}

export class CliSession implements Disposable {
  readonly conn: Connection;
  readonly stdoutIsTerminal = isatty(1);
  readonly stderrIsTerminal = isatty(2);
  /** What runs now (Ctrl-C cancels it). */
  running: RunningStatement | undefined;
  /** "none": not made yet; null: no stdin data (a terminal, or stdin held the SQL). */
  #stdinTable: StdinTable | "none" | null;

  constructor(readonly options: CliOptions, readonly summaries: boolean) {
    this.conn = new Connection(options.path);
    this.#stdinTable = options.sqlFromStdin || isatty(0) ? null : "none";
  }

  /** Pretty on a terminal, CSV (the chDB command line's default) into a pipe or file. */
  get defaultFormat(): string {
    return this.options.format ?? (this.stdoutIsTerminal ? "Pretty" : "CSV");
  }

  #progressBar(): ProgressBar | undefined {
    const show = this.options.progress ?? this.stderrIsTerminal;
    if (!show) return undefined;
    const columns = (globalThis as { process?: { stderr?: { columns?: number } } }).process?.stderr?.columns;
    return new ProgressBar(this.stderrIsTerminal, columns && columns > 20 ? columns : 80);
  }

  /** The piped stdin as the temporary table `table`, made before the first statement that reads it. */
  async #attachStdin(sql: string): Promise<void> {
    if (this.#stdinTable !== "none" || !READS_STDIN_TABLE.test(sql)) return;
    const table = new StdinTable(this.conn, this.options.inputFormat, this.options.structure);
    this.#stdinTable = table; // stdin is read once, whatever happens next
    await table.create();
  }

  /** Ends the stdin pump once the statement that read it is over (stdin is read once). */
  async #detachStdin(): Promise<void> {
    if (this.#stdinTable instanceof StdinTable) await this.#stdinTable.close();
  }

  /** Runs one statement: output to stdout, summary and time to stderr. Throws on failure. */
  async execute(sql: string): Promise<Outcome> {
    const format = this.defaultFormat;
    checkBinaryToTerminal(formatClause(sql) ?? format, this.stdoutIsTerminal, this.options.forceBinary);
    try {
      await this.#attachStdin(sql);
    } catch (e) {
      await this.#detachStdin();
      throw e;
    }
    const started = performance.now();
    const running = new RunningStatement(this.conn, sql, format, this.#progressBar(), this.options.params);
    this.running = running;
    let outcome: Outcome;
    try {
      outcome = await running.run();
    } finally {
      this.running = undefined;
      await this.#detachStdin();
    }
    const seconds = (performance.now() - started) / 1000;
    if (outcome.cancelled) stderrLine("Query was cancelled.");
    else if (this.summaries) stderrLine(summaryLine(outcome.rows, outcome.bytes > 0, seconds));
    if (this.options.time) stderrLine(seconds.toFixed(3));
    return outcome;
  }

  /** Reports a failed statement as one line on stderr. */
  report(e: unknown): void {
    stderrLine(errorLine(e));
  }

  close(): void {
    this.conn.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
