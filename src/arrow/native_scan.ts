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

  constructor(table: Table | { schema: Table["schema"]; batches: RecordBatch[] }) {
    const description: ScanLayout = describeTable(table);
    const { layout, strings, pinned } = description;
    const scan = newScan(layout, strings);
    void pinned; // the buffers the layout points to, alive until here
    // Unregisters what is left and frees the copy (by free(), or once the data is dropped with its connection).
    this.#handle = new NativeHandle(this, scan, freeScan, { what: "the registered data" });
  }

  #live(): Pointer {
    if (this.#handle.closed) throw new ChdbError("the registered data has been released");
    return this.#handle.current!;
  }

  /** Makes the data readable once as arrowstream('name') on the connection. */
  register(conn: Pointer, name: string): void {
    registerScan(conn, this.#live(), utf8(name));
  }

  unregister(conn: Pointer, name: string): void {
    if (this.#handle.closed) return;
    unregisterScan(conn, this.#handle.current!, utf8(name));
  }

  /** Unregisters what is left and frees the native description. Idempotent. */
  free(): void {
    this.#handle.close();
  }
}
