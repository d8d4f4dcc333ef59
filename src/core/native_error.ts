// The one translation of a failed shim call into a ChdbError: its status and the message of its
// chffi_error (native/chdb_ffi.h, "The one error channel"), which is freed here.
import type { NativeLib } from "../../ffi/types.ts";
import { fromUtf8 } from "./encoding.ts";
import { type ChdbError, statusError } from "./errors.ts";

const messageLength = new BigUint64Array(1);

/**
 * The error of a failed call whose chffi_error is in `slot[0]` (then freed, and the slot
 * cleared); `what` names the operation when the shim gave no message.
 */
export function takeError(lib: NativeLib, status: number, slot: BigUint64Array, what?: string): ChdbError {
  const error = lib.pointer(slot[0]);
  slot[0] = 0n;
  if (error === null) return statusError(status, "", what);
  try {
    const text = lib.fn.chffi_error_message(error, messageLength);
    return statusError(status, fromUtf8(lib.copy(lib.address(text), Number(messageLength[0]))), what);
  } finally {
    lib.fn.chffi_error_free(error);
  }
}
