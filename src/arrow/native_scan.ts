// A chffi_scan: a checked native copy of JS Arrow data that the engine reads, registered under
// fresh names. The copy is made once, by the constructor: from then on nothing the JS program
// does to its buffers (detach, transfer, rewrite), even while an async query or a stream reads
// the table, can reach the engine.
import { utf8 } from "../core/encoding.ts";
import { ChdbError } from "../core/errors.ts";
import type { Pointer } from "../core/native.ts";
import { NativeHandle } from "../core/native_handle.ts";
import { freeScan, newScan, registerScan, unregisterScan } from "../core/scan_calls.ts";
import { describeTable, type ScanLayout } from "./describe_table.ts";
import type { RecordBatch, Table } from "./apache_arrow.ts";

export class NativeScan {
  readonly #handle: NativeHandle;
  /** Engine names the copy is registered under now: queries (and streams) still reading it. */
  #uses = 0;
  /** free() was called while queries still read the copy: it goes when the last one ends. */
  #freeWanted = false;

  constructor(table: Table | { schema: Table["schema"]; batches: RecordBatch[] }) {
    const description: ScanLayout = describeTable(table);
    const { layout, strings, pinned } = description;
    const scan = newScan(layout, strings);
    void pinned; // the buffers the layout points to, alive until here
    // Unregisters what is left and frees the copy (by free(), or once the data is dropped with its connection).
    this.#handle = new NativeHandle(this, scan, freeScan, { what: "the registered data" });
  }

  #live(): Pointer {
    if (this.#handle.closed || this.#freeWanted) throw new ChdbError("the registered data has been released");
    return this.#handle.current!;
  }

  /** Makes the data readable once as arrowstream('name') on the connection. */
  register(conn: Pointer, name: string): void {
    registerScan(conn, this.#live(), utf8(name));
    this.#uses++;
  }

  unregister(conn: Pointer, name: string): void {
    if (this.#handle.closed) return;
    unregisterScan(conn, this.#handle.current!, utf8(name));
    if (--this.#uses === 0 && this.#freeWanted) this.#handle.close();
  }

  /**
   * Frees the native copy once no query reads it: `unregister(name)` while a stream of the table
   * is open freed the memory under the engine's reader (a segfault at the stream's next fetch;
   * found by tests/api_fuzz). Idempotent.
   */
  free(): void {
    this.#freeWanted = true;
    if (this.#uses === 0) this.#handle.close();
  }
}
