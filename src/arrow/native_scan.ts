// A chffi_scan: a checked native copy of JS Arrow data that the engine reads, registered under
// fresh names. The copy is made once, by the constructor: from then on nothing the JS program
// does to its buffers (detach, transfer, rewrite), even while an async query or a stream reads
// the table, can reach the engine.
import type { Pointer } from "../../ffi/types.ts";
import { Status } from "../../ffi/symbols.ts";
import { fromCBuffer, utf8 } from "../core/encoding.ts";
import { ChdbArgumentError, ChdbError, ChdbQueryError } from "../core/errors.ts";
import { native } from "../core/native.ts";
import { NativeHandle } from "../core/native_handle.ts";
import { describeTable, type ScanLayout } from "./describe_table.ts";
import type { RecordBatch, Table } from "apache-arrow";

const ERR_CAP = 4096;
const out = new BigUint64Array(1);

/** Unregisters what is left and frees the copy (by free(), or once the data is dropped with its connection). */
function freeScan(handle: Pointer): void {
  native().fn.chffi_scan_free(handle);
}

export class NativeScan {
  readonly #handle: NativeHandle;

  constructor(table: Table | { schema: Table["schema"]; batches: RecordBatch[] }) {
    const description: ScanLayout = describeTable(table);
    const lib = native();
    const err = new Uint8Array(ERR_CAP);
    const { layout, strings, pinned } = description;
    const status = lib.fn.chffi_scan_new(layout, layout.length, strings, strings.length, out, err, ERR_CAP);
    void pinned; // the buffers the layout points to, alive until here
    if (status === Status.MISUSE) throw new ChdbArgumentError(`invalid Arrow data: ${fromCBuffer(err)}`);
    if (status !== Status.OK) throw new ChdbError(`cannot copy the data for chDB: ${fromCBuffer(err)}`);
    this.#handle = new NativeHandle(this, lib.pointer(out[0]), freeScan, { what: "the registered data" });
  }

  #live(): Pointer {
    if (this.#handle.closed) throw new ChdbError("the registered data has been released");
    return this.#handle.current!;
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
    if (this.#handle.closed) return;
    const bytes = utf8(name);
    const err = new Uint8Array(ERR_CAP);
    native().fn.chffi_scan_unregister(conn, this.#handle.current!, bytes, bytes.length, err, ERR_CAP);
  }

  /** Unregisters what is left and frees the native description. Idempotent. */
  free(): void {
    this.#handle.close();
  }
}
