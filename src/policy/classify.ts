// Statements classified by the engine's parser before they run (chffi_classify), so that the
// APIs that return rows as Arrow refuse a write up front instead of running it and then failing
// for want of a result (a retry would have written twice).
import { QueryClass } from "../core/abi.ts";
import { classifyStatement } from "../core/connection_calls.ts";
import { utf8 } from "../core/encoding.ts";
import { ChdbArgumentError, ChdbBusyError } from "../core/errors.ts";
import type { Pointer } from "../core/native.ts";

/** What a statement would do: its class, how many statements the text holds. */
export interface StatementClass {
  /** "read" (SELECT, SHOW, DESCRIBE...), "write" (INSERT, DDL...), "control" (SET, SYSTEM...) or "unknown". */
  kind: "read" | "write" | "control" | "unknown";
  statements: number;
}

const kinds: Record<number, StatementClass["kind"]> = {
  [QueryClass.READ_ONLY]: "read",
  [QueryClass.MUTATING]: "write",
  [QueryClass.MUTATING_GLOBAL]: "write",
  [QueryClass.CONTROL]: "control",
};

/** Classifies `sql` with the connection's parser; nothing runs. */
export function classify(handle: Pointer, sql: string): StatementClass {
  let analysis;
  try {
    analysis = classifyStatement(handle, utf8(sql));
  } catch (e) {
    if (e instanceof ChdbBusyError) throw new ChdbBusyError("a stream is open on this connection: finish or close it first");
    throw e;
  }
  return { kind: kinds[analysis.queryClass] ?? "unknown", statements: analysis.statements };
}

// A classification costs about half a `SELECT 1` (~0.4 ms), and a handler runs the same texts
// again and again: the texts found read-only are remembered (the parser's answer depends on the
// text alone), the most recent KNOWN_MAX of them.
const KNOWN_MAX = 1024;
const knownReadOnly = new Set<string>();

function remember(sql: string): void {
  if (knownReadOnly.size >= KNOWN_MAX) knownReadOnly.delete(knownReadOnly.values().next().value!);
  knownReadOnly.add(sql);
}

/**
 * Throws a ChdbArgumentError, before anything runs, when `sql` is not read-only: `api` returns
 * rows and cannot report what a write did. SQL that does not parse runs, so that the engine
 * reports its syntax error with its code.
 */
export function refuseWrites(handle: Pointer, sql: string, api: string): void {
  if (knownReadOnly.has(sql)) return;
  const found = classify(handle, sql);
  if (found.kind === "read") remember(sql);
  if (found.kind === "read" || (found.kind === "unknown" && found.statements === 0)) return;
  throw new ChdbArgumentError(
    `${api} returns the rows of a query; this SQL ${
      found.kind === "write"
        ? "writes (INSERT, DDL...)"
        : found.kind === "control"
        ? "is a control statement (SET, SYSTEM...)"
        : "could not be classified as read-only"
    } and was not run: use query() or queryAsync() for it`,
  );
}
