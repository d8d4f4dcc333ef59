// The Table returned by Arrow queries: an apache-arrow Table that owns the native memory its
// columns view. close() (or `using`) frees it; reading a closed table's columns gives empty
// buffers, never freed memory.
import { type RecordBatch, type Schema, Table, type TypeMap } from "./apache_arrow.ts";
import type { QueryStats } from "../core/result.ts";
import type { NativeArrowMemory } from "./native_arrow_memory.ts";

/** An apache-arrow Table whose columns view engine memory without a copy; close() (or `using`) frees that memory. */
export class ArrowTable<T extends TypeMap = TypeMap> extends Table<T> implements Disposable {
  readonly #memory: NativeArrowMemory[];
  /** The engine's metrics of the query (elapsed seconds, rows and bytes read...). */
  readonly stats: QueryStats | undefined;

  /** Made by the Arrow queries; `memory` is the native memory the batches view, freed by close(). */
  constructor(schema: Schema<T>, batches: RecordBatch<T>[], memory: NativeArrowMemory[], stats?: QueryStats) {
    super(schema, batches);
    this.#memory = memory;
    this.stats = stats;
  }

  /** The same native memory and metrics with other batches (e.g. some columns converted). */
  rebuilt<U extends TypeMap>(schema: Table<U>["schema"], batches: RecordBatch<U>[]): ArrowTable<U> {
    return new ArrowTable(schema, batches, this.#memory, this.stats);
  }

  /** True once close() has freed the native memory. */
  get closed(): boolean {
    return this.#memory.every((m) => m.closed);
  }

  /**
   * Frees the native memory now (otherwise the garbage collector frees it some time after the
   * table and every table derived from it are garbage). Idempotent.
   */
  close(): void {
    for (const m of this.#memory) m.close();
  }

  /** Frees the native memory (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}
