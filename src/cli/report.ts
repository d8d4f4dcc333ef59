// What the command line writes besides results: one-line errors, the summary after a statement.
import { ChdbError } from "../core/errors.ts";

const ENGINE_PREFIX = /Code:\s*\d+\.\s*(?:DB::Exception:\s*)?|DB::Exception:\s*/g;

/**
 * An error as one line: `Code 62 (SYNTAX_ERROR): Syntax error: ...`. The engine repeats its
 * `Code: N. DB::Exception:` prefix for nested causes and breaks lines; both go.
 */
export function errorLine(e: unknown): string {
  if (!(e instanceof ChdbError)) return `Error: ${e instanceof Error ? e.message : String(e)}`;
  let text = e.message.replace(ENGINE_PREFIX, "").replace(/\s+/g, " ").trim();
  if (e.codeName !== undefined) text = text.replace(/\s*\([A-Z][A-Z0-9_]+\)\s*$/, "");
  if (e.code === undefined) return `Error: ${text}`;
  return `Code ${e.code}${e.codeName === undefined ? "" : ` (${e.codeName})`}: ${text}`;
}

/** `3 rows in set. Elapsed: 0.004 sec.` (or `Ok.` for a statement without output). */
export function summaryLine(rows: number, hadOutput: boolean, seconds: number): string {
  const what = hadOutput || rows > 0 ? `${rows} row${rows === 1 ? "" : "s"} in set.` : "Ok.";
  return `${what} Elapsed: ${seconds.toFixed(3)} sec.`;
}
