// conn.lazy(sql).filter(expr).collect() / .stream(): a query whose Arrow batches stream from the
// engine and pass through hash-filter expressions natively as they arrive, so one set can
// deduplicate many files or queries in one loop. Each expression sees one engine batch at a time:
// batch semantics (notInAndUpdate) hold within a batch; across batches, values already seen are
// in the set (as in polars-hashfilter's streaming mode).
import { type RecordBatch, Table } from "../arrow/apache_arrow.ts";
import { ChdbArgumentError } from "../core/errors.ts";
import { Expr, filter } from "../hashset/hashfilter.ts";
import { arrowBatches, type StreamArrow } from "./arrow_batches.ts";

// Connection.lazy() makes lazy queries through this (the constructor is private: it takes the
// connection's streamArrow(), which is no public type).
let makeLazyQuery: (streamArrow: StreamArrow, sql: string) => LazyQuery;

/** A lazy query of `sql` over the batches of `streamArrow` (a connection's, see Connection.lazy()). */
export function lazyQueryOn(streamArrow: StreamArrow, sql: string): LazyQuery {
  return makeLazyQuery(streamArrow, sql);
}

/** A query whose Arrow batches pass through hash-filter expressions as they arrive (`conn.lazy(sql)`). */
export class LazyQuery {
  static {
    makeLazyQuery = (streamArrow, sql) => new LazyQuery(streamArrow, sql, []);
  }
  readonly #streamArrow: StreamArrow;

  /** A lazy query of `sql`, keeping the rows where every one of `filters` is true. */
  private constructor(streamArrow: StreamArrow, readonly sql: string, readonly filters: readonly Expr[]) {
    this.#streamArrow = streamArrow;
  }

  /** A query that also keeps only the rows where `expr` is true (applied after earlier filters). */
  filter(expr: Expr): LazyQuery {
    if (!(expr instanceof Expr)) throw new ChdbArgumentError("filter() takes an expression such as col(\"id\").hashfilter.notIn(set)");
    return new LazyQuery(this.#streamArrow, this.sql, [...this.filters, expr]);
  }

  // The batch after every filter, or undefined once no row is left.
  #apply(batch: RecordBatch): RecordBatch | undefined {
    for (const expr of this.filters) {
      batch = filter(batch, expr).batches[0];
      if (batch.numRows === 0) return undefined;
    }
    return batch.numRows > 0 ? batch : undefined;
  }

  /** Runs the query and yields its filtered batches (empty ones are skipped); leaving the loop cancels it. */
  *stream(): Generator<RecordBatch> {
    for (const batch of arrowBatches(this.#streamArrow, this.sql)) {
      const kept = this.#apply(batch);
      if (kept) yield kept;
    }
  }

  /** Runs the query and returns all filtered rows as one Table (with the query's schema). */
  collect(): Table {
    const source = arrowBatches(this.#streamArrow, this.sql);
    const kept: RecordBatch[] = [];
    for (const batch of source) {
      const rows = this.#apply(batch);
      if (rows) kept.push(rows);
    }
    if (kept.length > 0) return new Table(kept);
    return source.schema ? new Table(source.schema, []) : new Table();
  }

  /** The filtered batches, in order (stream()). */
  [Symbol.iterator](): Iterator<RecordBatch> {
    return this.stream();
  }
}
