// The DB-API 2.0 (PEP 249) cursor: execute, then fetch rows of JS values, read off the Arrow
// buffers the shim builds (src/rows/rows_from_arrow.ts) or decoded from RowBinary (src/rows/decode_rows.ts).
// Parameters are named and bound server-side: `cursor.execute("SELECT {n:UInt32}", { n: 1 })`.
import type { AsyncOptions } from "../core/abortable.ts";
import type { RowSource } from "./row_source.ts";
import { ChdbArgumentError, ChdbBusyError, ChdbClosedError } from "../core/errors.ts";
import type { QueryParams } from "../core/params.ts";
import type { RowsResult } from "../arrow/query_arrow.ts";
import { rowSetOf } from "../rows/rows_from_arrow.ts";
import { convertRowSet } from "../rows/int64_mode.ts";

/** One column of `Cursor.description`: name, type code (the ClickHouse type), and five unknowns. */
export type ColumnDescription = [
  name: string,
  typeCode: string,
  displaySize: null,
  internalSize: null,
  precision: null,
  scale: null,
  nullOk: boolean,
];

// Connection.cursor() makes cursors through this (the constructor is private: a cursor runs on a
// RowSource, which is no public type).
let makeCursor: (source: RowSource) => Cursor;

/** A cursor on `source` (a connection's, see Connection.cursor()). */
export function cursorOn(source: RowSource): Cursor {
  return makeCursor(source);
}

/** A DB-API 2.0 (PEP 249) cursor: execute(), then fetch rows as arrays of JS values. */
export class Cursor implements Disposable, Iterable<unknown[]> {
  static {
    makeCursor = (source) => new Cursor(source);
  }
  #source: RowSource | null;
  #rows: unknown[][] = [];
  #next = 0;
  /** executeAsync() calls in flight: the cursor's other calls wait for them (ChdbBusyError). */
  #pending = 0;
  /** Column descriptions of the last result set, null after a statement without one. */
  description: ColumnDescription[] | null = null;
  /** Rows in the last result set, or rows written by the last statement; -1 before any. */
  rowcount: number = -1;
  /** Default size of fetchmany(). */
  arraysize = 1;

  /** Made by `Connection.cursor()`. */
  private constructor(source: RowSource) {
    this.#source = source;
  }

  /** What the cursor runs on (its connection's calls); throws once the cursor is closed. */
  #open(): RowSource {
    if (this.#source === null) throw new ChdbClosedError("the cursor is closed");
    return this.#source;
  }

  /** The connection's calls, for a call that must not overtake an executeAsync() in flight. */
  #inOrder(): RowSource {
    const source = this.#open();
    if (this.#pending > 0) {
      throw new ChdbBusyError("the cursor has an executeAsync() in flight: await it first (calls on one cursor run in order)");
    }
    return source;
  }

  #load(result: RowsResult): void {
    const set = convertRowSet(rowSetOf(result), this.#open().int64);
    this.#rows = set.rows;
    this.#next = 0;
    this.description = set.columns.length === 0 ? null : set.columns.map((c) =>
      [c.name, c.type, null, null, null, null, /^Nullable\(|^LowCardinality\(Nullable\(/.test(c.type)] as ColumnDescription
    );
    this.rowcount = set.columns.length === 0 ? result.stats.rowsWritten : set.rows.length;
  }

  /** Runs one statement; its rows are then read with the fetch methods. */
  execute(sql: string, params?: QueryParams): this {
    this.#load(this.#inOrder().rows(sql, params));
    return this;
  }

  /** execute() off the JS thread. */
  async executeAsync(sql: string, params?: QueryParams, options: AsyncOptions = {}): Promise<this> {
    const pending = this.#open().rowsAsync(sql, params, options);
    this.#pending++;
    try {
      const result = await pending;
      if (this.#source !== null) this.#load(result); // a cursor closed meanwhile keeps no rows
      else result.table?.close();
    } finally {
      this.#pending--;
    }
    return this;
  }

  /** Runs the statement once per parameter set; rowcount sums the rows written. */
  executemany(sql: string, paramSets: Iterable<QueryParams>): this {
    if (paramSets === null || typeof (paramSets as Iterable<QueryParams>)?.[Symbol.iterator] !== "function") {
      throw new ChdbArgumentError("executemany needs an iterable of parameter objects");
    }
    let written = 0;
    for (const params of paramSets) written += this.#inOrder().run(sql, params);
    this.#rows = [];
    this.#next = 0;
    this.description = null;
    this.rowcount = written;
    return this;
  }

  /** The next row, or null when none is left. */
  fetchone(): unknown[] | null {
    this.#inOrder();
    return this.#next < this.#rows.length ? this.#rows[this.#next++] : null;
  }

  /** Up to `size` further rows. */
  fetchmany(size = this.arraysize): unknown[][] {
    this.#inOrder();
    if (!Number.isInteger(size) || size < 0) throw new ChdbArgumentError("fetchmany size must be a non-negative integer");
    const rows = this.#rows.slice(this.#next, this.#next + size);
    this.#next += rows.length;
    return rows;
  }

  /** All remaining rows. */
  fetchall(): unknown[][] {
    this.#inOrder();
    const rows = this.#next === 0 ? this.#rows : this.#rows.slice(this.#next);
    this.#next = this.#rows.length;
    return rows;
  }

  /** The remaining rows of the last result set. */
  *[Symbol.iterator](): Iterator<unknown[]> {
    for (let row = this.fetchone(); row !== null; row = this.fetchone()) yield row;
  }

  /** Releases the rows; the connection stays open. Idempotent. */
  close(): void {
    this.#source = null;
    this.#rows = [];
  }

  /** Closes the cursor (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

