// The shim's calls for JS Arrow data read by the engine (native/arrow_scan.cpp): a checked native
// copy of the data (a chffi_scan), registered as arrowstream('name') tables.
import { Status } from "./abi.ts";
import { ChdbArgumentError, ChdbError } from "./errors.ts";
import { native, type Pointer } from "./native.ts";
import { ErrorSlot } from "./native_result.ts";

const out = new BigUint64Array(1);
const slot = new ErrorSlot();

/**
 * Copies and checks the Arrow data a layout describes (src/arrow/describe_table.ts); the JS
 * buffers it points to are read during this call only. ChdbArgumentError for malformed data.
 */
export function newScan(layout: BigUint64Array, strings: Uint8Array): Pointer {
  const lib = native();
  const status = lib.fn.chffi_scan_new(layout, layout.length, strings, strings.length, out, slot.error);
  if (status !== Status.OK) {
    const message = slot.take(status).message;
    if (status === Status.MISUSE) throw new ChdbArgumentError(`invalid Arrow data: ${message}`);
    throw new ChdbError(`cannot copy the data for chDB: ${message}`);
  }
  return lib.pointer(out[0])!;
}

/** Makes the data readable once as arrowstream('name') on the connection. */
export function registerScan(connection: Pointer, scan: Pointer, name: Uint8Array): void {
  slot.check(native().fn.chffi_scan_register(connection, scan, name, name.length, slot.error));
}

/** Unregisters a name, best effort: freeing the scan unregisters it anyway. */
export function unregisterScan(connection: Pointer, scan: Pointer, name: Uint8Array): void {
  const status = native().fn.chffi_scan_unregister(connection, scan, name, name.length, slot.error);
  if (status !== Status.OK) slot.take(status);
}

/** Unregisters what is left and frees the copy. */
export function freeScan(scan: Pointer): void {
  native().fn.chffi_scan_free(scan);
}
