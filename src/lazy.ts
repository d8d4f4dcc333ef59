// conn.lazy(sql).filter(expr).collect() / .stream(): a query whose Arrow batches pass through
// hash-filter expressions natively as they arrive, so a set can deduplicate many files or
// queries in one loop. Each expression sees one engine batch at a time: batch semantics
// (notInAndUpdate) hold within a batch; across batches values already seen are in the set.
import { type RecordBatch, Table } from "apache-arrow";
import type { Connection } from "./connection.ts";
import { ChdbArgumentError } from "./errors.ts";
import { Expr, filter } from "./hashfilter.ts";
import { arrowBatches } from "./lazy_source.ts";

export class LazyQuery {
  constructor(readonly connection: Connection, readonly sql: string, readonly filters: readonly Expr[] = []) {}

  /** A query that also keeps only the rows where `expr` is true (applied after earlier filters). */
  filter(expr: Expr): LazyQuery {
    if (!(expr instanceof Expr)) throw new ChdbArgumentError("filter() takes an expression such as col(\"id\").hashfilter.notIn(set)");
    return new LazyQuery(this.connection, this.sql, [...this.filters, expr]);
  }

  /** Runs the query and yields its filtered batches (empty ones are skipped). */
  *stream(): Generator<RecordBatch> {
    yield* this.#filtered(arrowBatches(this.connection, this.sql));
  }

  *#filtered(batches: Iterable<RecordBatch>): Generator<RecordBatch> {
    for (let batch of batches) {
      for (const expr of this.filters) {
        batch = filter(batch, expr).batches[0];
        if (batch.numRows === 0) break;
      }
      if (batch.numRows > 0) yield batch;
    }
  }

  /** Runs the query and returns all filtered rows as one Table (with the query's schema). */
  collect(): Table {
    const source = arrowBatches(this.connection, this.sql);
    const batches = [...this.#filtered(source)];
    if (batches.length > 0) return new Table(batches);
    return source.schema ? new Table(source.schema, []) : new Table();
  }

  [Symbol.iterator](): Iterator<RecordBatch> {
    return this.stream();
  }
}
