// A chffi_scan: a checked native copy of JS Arrow data that the engine reads, registered under
// fresh names. The copy is made once, by the constructor: from then on nothing the JS program
// does to its buffers (detach, transfer, rewrite), even while an async query or a stream reads
// the table, can reach the engine.
import type { Pointer } from "../../ffi/types.ts";
import { Status } from "../../ffi/symbols.ts";
import { fromCBuffer, utf8 } from "../encoding.ts";
import { ChdbArgumentError, ChdbError, ChdbQueryError } from "../errors.ts";
import { native } from "../native.ts";
import { describeTable, type ScanLayout } from "./export.ts";
import type { RecordBatch, Table } from "apache-arrow";

const ERR_CAP = 4096;
const out = new BigUint64Array(1);

// Frees the description of data that was registered and then dropped with its connection.
const forgotten = new FinalizationRegistry<Pointer>((handle) => {
  native().fn.chffi_scan_free(handle);
});

export class NativeScan {
  #handle: Pointer | null;

  constructor(table: Table | { schema: Table["schema"]; batches: RecordBatch[] }) {
    const description: ScanLayout = describeTable(table);
    const lib = native();
    const err = new Uint8Array(ERR_CAP);
    const { layout, strings, pinned } = description;
    const status = lib.fn.chffi_scan_new(layout, layout.length, strings, strings.length, out, err, ERR_CAP);
    void pinned; // the buffers the layout points to, alive until here
    if (status === Status.MISUSE) throw new ChdbArgumentError(`invalid Arrow data: ${fromCBuffer(err)}`);
    if (status !== Status.OK) throw new ChdbError(`cannot copy the data for chDB: ${fromCBuffer(err)}`);
    this.#handle = lib.pointer(out[0]);
    forgotten.register(this, this.#handle!, this);
  }

  #live(): Pointer {
    if (this.#handle === null) throw new ChdbError("the registered data has been released");
    return this.#handle;
  }

  /** Makes the data readable once as arrowstream('name') on the connection. */
  register(conn: Pointer, name: string): void {
    const bytes = utf8(name);
    const err = new Uint8Array(ERR_CAP);
    const status = native().fn.chffi_scan_register(conn, this.#live(), bytes, bytes.length, err, ERR_CAP);
    if (status !== Status.OK) {
      const message = fromCBuffer(err);
      throw status === Status.ENGINE_ERROR ? new ChdbQueryError(message) : new ChdbError(message);
    }
  }

  unregister(conn: Pointer, name: string): void {
    if (this.#handle === null) return;
    const bytes = utf8(name);
    const err = new Uint8Array(ERR_CAP);
    native().fn.chffi_scan_unregister(conn, this.#handle, bytes, bytes.length, err, ERR_CAP);
  }

  /** Unregisters what is left and frees the native description. Idempotent. */
  free(): void {
    const handle = this.#handle;
    if (handle === null) return;
    this.#handle = null;
    forgotten.unregister(this);
    native().fn.chffi_scan_free(handle);
  }
}
