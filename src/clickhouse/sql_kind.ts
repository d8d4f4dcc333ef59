// What the backend needs to know about a statement's text before running it.

/** The statement's first keyword, upper-case, after whitespace, comments and parentheses. */
export function firstKeyword(sql: string): string {
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s|\(/.test(c)) i++;
    else if (sql.startsWith("--", i)) i = nextLine(sql, i);
    else if (c === "#") i = nextLine(sql, i);
    else if (sql.startsWith("/*", i)) {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else break;
  }
  return /^[A-Za-z]+/.exec(sql.slice(i, i + 32))?.[0].toUpperCase() ?? "";
}

function nextLine(sql: string, i: number): number {
  const end = sql.indexOf("\n", i);
  return end < 0 ? sql.length : end + 1;
}

/** Queries the engine's streaming API runs (it refuses SHOW, DESCRIBE, EXPLAIN, DDL...). */
export function isStreamable(sql: string): boolean {
  const word = firstKeyword(sql);
  return word === "SELECT" || word === "WITH";
}

/** Statements that change a connection's state beyond the request (not for a pooled connection).
 * SQL of several statements counts too, whatever they are (a `;` inside a string literal only
 * costs a new connection, ~0.1 ms). */
export function changesConnectionState(sql: string): boolean {
  const word = firstKeyword(sql);
  return word === "SET" || word === "USE" || /;\s*\S/.test(sql) || /^\s*(CREATE|DROP|EXCHANGE|RENAME)\s+(OR\s+REPLACE\s+)?TEMPORARY\b/i.test(sql) ||
    /\bTEMPORARY\s+TABLE\b/i.test(sql);
}

/** `INSERT ... FORMAT X` split into the statement without its FORMAT clause and X; null otherwise. */
export function splitInsertFormat(sql: string): { statement: string; format: string } | null {
  if (firstKeyword(sql) !== "INSERT") return null;
  const m = /^([\s\S]*?)\s+FORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*$/i.exec(sql);
  return m === null ? null : { statement: m[1], format: m[2] };
}

/** The engine refused to stream this statement (it runs it whole instead). */
export function isStreamRefusal(e: unknown): boolean {
  const message = e instanceof Error ? e.message : "";
  return /Streaming query is not supported|Multi-statements are not allowed/.test(message);
}
