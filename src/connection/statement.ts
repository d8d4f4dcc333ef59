// Statements in the shape of bun:sqlite: SQL with {name:Type} placeholders, run with bound
// parameters as often as needed, rows as objects (all/get/iterate) or arrays (values). Whole
// results come like a cursor's (rows_from_arrow.ts); iterate() decodes RowBinary block by block.
import type { AsyncOptions } from "../core/abortable.ts";
import type { RowSource } from "./row_source.ts";
import { ChdbArgumentError, ChdbClosedError } from "../core/errors.ts";
import type { QueryParams } from "../core/params.ts";
import { decodeRows } from "../rows/decode_rows.ts";
import type { Column, RowSet } from "../rows/row_set.ts";
import { rowSetOf } from "../rows/rows_from_arrow.ts";
import { convertRowSet, type Int64Mode, int64Mode, type Int64Option } from "../rows/int64_mode.ts";

/** A row as an object keyed by column name (the default row type of a Statement). */
export type Row = Record<string, unknown>;

/** What run() reports: rows written by the statement (INSERT...). */
export interface RunResult {
  /** Rows written (the engine's written_rows). */
  readonly changes: number;
}

function objects(set: RowSet): Row[] {
  const names = set.columns.map((c) => c.name);
  return set.rows.map((values) => {
    const row: Row = {};
    for (let k = 0; k < names.length; k++) row[names[k]] = values[k];
    return row;
  });
}

// Connection.prepare() makes statements through this (the constructor is private: a statement runs
// on a RowSource, which is no public type).
let makeStatement: (source: RowSource, sql: string, options: Int64Option) => Statement<object, QueryParams>;

/** A statement of `sql` on `source` (a connection's, see Connection.prepare()). */
export function statementOn<R extends object, P extends QueryParams>(source: RowSource, sql: string, options: Int64Option): Statement<R, P> {
  return makeStatement(source, sql, options) as Statement<R, P>;
}

/**
 * A prepared statement. `R` is the row type its object-returning methods give (by default
 * `Record<string, unknown>`: the values are not checked against it) and `P` its parameters:
 * `conn.prepare<{ id: number; name: string }, { min: number }>(sql).all({ min: 1 })`.
 */
export class Statement<R extends object = Row, P extends QueryParams = QueryParams> implements Disposable {
  static {
    makeStatement = (source, sql, options) => new Statement(source, sql, options);
  }
  #source: RowSource | null;
  #columns: Column[] | undefined;

  /** How this statement returns (U)Int64/128/256 values (its connection's unless prepare() said). */
  readonly int64: Int64Mode;

  /** Made by Connection.prepare(); `options.int64` overrides the connection's. */
  private constructor(source: RowSource, readonly sql: string, options: Int64Option) {
    if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
    this.#source = source;
    this.int64 = int64Mode(options.int64, source.int64);
  }

  /** What the statement runs on (its connection's calls); throws once it is finalized. */
  #open(): RowSource {
    if (this.#source === null) throw new ChdbClosedError("the statement is finalized");
    return this.#source;
  }

  #rows(params?: QueryParams): RowSet {
    const set = convertRowSet(rowSetOf(this.#open().rows(this.sql, params)), this.int64);
    this.#columns = set.columns;
    return set;
  }

  async #rowsAsync(params?: QueryParams, options: AsyncOptions = {}): Promise<RowSet> {
    const set = convertRowSet(rowSetOf(await this.#open().rowsAsync(this.sql, params, options)), this.int64);
    this.#columns = set.columns;
    return set;
  }

  /** All rows as objects keyed by column name. */
  all<T extends object = R>(params?: P): T[] {
    return objects(this.#rows(params)) as T[];
  }

  /** The first row as an object, or null when there is none. */
  get<T extends object = R>(params?: P): T | null {
    return this.all<T>(params)[0] ?? null;
  }

  /** All rows as arrays of values, in column order. */
  values(params?: P): unknown[][] {
    return this.#rows(params).rows;
  }

  /** Runs the statement for its effect. */
  run(params?: P): RunResult {
    return { changes: this.#open().run(this.sql, params) };
  }

  /**
   * The rows as objects, streamed block by block (memory holds one block). The connection runs
   * nothing else until the loop ends; leaving it early cancels the query.
   */
  *iterate(params?: P): IterableIterator<R> {
    for (const chunk of this.#open().stream(this.sql, params)) {
      const set = convertRowSet(decodeRows(chunk.bytes()), this.int64);
      this.#columns = set.columns;
      yield* objects(set) as R[];
    }
  }

  /** iterate() off the JS thread. */
  async *iterateAsync(params?: P, options: AsyncOptions = {}): AsyncIterableIterator<R> {
    const stream = this.#open().stream(this.sql, params, options);
    for await (const chunk of stream) {
      const set = convertRowSet(decodeRows(chunk.bytes()), this.int64);
      this.#columns = set.columns;
      yield* objects(set) as R[];
    }
  }

  /** all() off the JS thread. */
  allAsync<T extends object = R>(params?: P, options?: AsyncOptions): Promise<T[]> {
    return this.#rowsAsync(params, options).then((set) => objects(set) as T[]);
  }

  /** get() off the JS thread. */
  async getAsync<T extends object = R>(params?: P, options?: AsyncOptions): Promise<T | null> {
    return (await this.allAsync<T>(params, options))[0] ?? null;
  }

  /** values() off the JS thread. */
  async valuesAsync(params?: P, options?: AsyncOptions): Promise<unknown[][]> {
    return (await this.#rowsAsync(params, options)).rows;
  }

  /** run() off the JS thread. */
  async runAsync(params?: P, options: AsyncOptions = {}): Promise<RunResult> {
    return { changes: await this.#open().runAsync(this.sql, params, options) };
  }

  /** Column names of the last run (empty before the first run). */
  get columnNames(): string[] {
    return (this.#columns ?? []).map((c) => c.name);
  }

  /** ClickHouse types of the columns of the last run. */
  get declaredTypes(): string[] {
    return (this.#columns ?? []).map((c) => c.type);
  }

  /** Releases the statement; using it afterwards throws. The connection stays open. */
  finalize(): void {
    this.#source = null;
  }

  /** finalize(), for `using`. */
  [Symbol.dispose](): void {
    this.finalize();
  }
}
