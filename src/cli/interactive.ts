// The interactive prompt, on node:readline (Deno, Bun and Node all carry it, so the three
// runtimes share one line editor with no dependency): statements end with `;` and may span
// lines, history persists in a file, Ctrl-C cancels the running query (or drops the unfinished
// statement), Ctrl-D, `\q`, `exit` and `quit` leave.
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { createInterface, type Interface } from "node:readline";
import type { CliSession } from "./cli_session.ts";
import { hasContent, splitStatements } from "./split_statements.ts";

export const PROMPT = "chdb-ffi :) ";
export const CONTINUATION = "chdb-ffi :-] ";
const HISTORY_SIZE = 1000;
const QUIT = /^\s*(?:\\q|exit|quit)\s*;?\s*$/i;

/** `$XDG_STATE_HOME/chdb-ffi/history`, else `~/.local/state/chdb-ffi/history` (XDG's default). */
export function defaultHistoryFile(): string {
  const state = process.env.XDG_STATE_HOME || join(homedir(), ".local", "state");
  return join(state, "chdb-ffi", "history");
}

/** The history entries of earlier runs, newest first (readline's order). */
function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n").filter((line) => line.trim() !== "").slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

/** A statement becomes one history entry, on one line, in memory and in the file. */
function remember(rl: Interface, file: string, statement: string, lines: number): void {
  const entry = `${statement.replace(/\s*\n\s*/g, " ")};`;
  const history = (rl as unknown as { history?: string[] }).history;
  if (Array.isArray(history)) {
    history.splice(0, Math.min(lines, history.length), entry); // readline kept each line on its own
  }
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${entry}\n`);
  } catch {
    // A read-only home must not stop the prompt; the entry stays in this run's memory.
  }
}

/** Runs the prompt until Ctrl-D or \q; resolves to the exit code (0: failed queries were reported). */
export async function interactive(session: CliSession): Promise<number> {
  const historyFile = session.options.history ?? defaultHistoryFile();
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    history: loadHistory(historyFile),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    prompt: PROMPT,
  });
  const queued: string[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  let buffer = "";
  let bufferLines = 0;
  rl.on("line", (line) => {
    queued.push(line);
    wake?.();
  });
  rl.on("close", () => {
    closed = true;
    wake?.();
  });
  rl.on("SIGINT", () => {
    if (session.running) {
      session.running.cancel();
      return;
    }
    // Idle: drop what was typed, as a shell does.
    buffer = "";
    bufferLines = 0;
    queued.length = 0;
    const editor = rl as unknown as { line: string; cursor: number };
    editor.line = "";
    editor.cursor = 0;
    process.stdout.write("^C\n");
    rl.setPrompt(PROMPT);
    rl.prompt();
  });

  rl.prompt();
  for (;;) {
    const line = queued.shift();
    if (line === undefined) {
      if (closed) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      continue;
    }
    if (buffer === "" && QUIT.test(line)) break;
    buffer = buffer === "" ? line : `${buffer}\n${line}`;
    if (line.trim() !== "") bufferLines++;
    const { statements, rest } = splitStatements(buffer);
    for (const statement of statements) {
      remember(rl, historyFile, statement, bufferLines);
      bufferLines = 0;
      try {
        await session.execute(statement);
      } catch (e) {
        session.report(e);
      }
    }
    if (statements.length > 0) {
      buffer = hasContent(rest) ? rest.trimStart() : "";
      bufferLines = buffer === "" ? 0 : 1;
    }
    if (closed) break; // Ctrl-D while a statement ran
    rl.setPrompt(buffer === "" ? PROMPT : CONTINUATION);
    rl.prompt();
  }
  if (closed) process.stdout.write("\n");
  rl.close();
  return 0;
}
