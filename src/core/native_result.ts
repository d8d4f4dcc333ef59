// Turning a shim call's out-params (a chffi_result and its chffi_result_info) into a Result or
// a ChdbError, and freeing the native result in either case.
import { RESULT_INFO_WORDS, Status } from "../../ffi/symbols.ts";
import { fromUtf8 } from "./encoding.ts";
import { type ChdbError, statusError } from "./errors.ts";
import { native } from "./native.ts";
import { type QueryStats, Result } from "./result.ts";

/** Out-params of one call: chffi_result** and chffi_result_info. */
export class ResultSlots {
  readonly out = new BigUint64Array(1);
  readonly info = new BigUint64Array(RESULT_INFO_WORDS);
}

/** The query metrics in a filled chffi_result_info. */
export function statsOf(info: BigUint64Array): QueryStats {
  return {
    elapsed: new Float64Array(info.buffer, info.byteOffset + 4 * 8, 1)[0],
    rowsRead: Number(info[5]),
    bytesRead: Number(info[6]),
    storageRowsRead: Number(info[7]),
    storageBytesRead: Number(info[8]),
    rowsWritten: Number(info[9]),
    bytesWritten: Number(info[10]),
  };
}

/** The error a failed call reported in its chffi_result_info, as a ChdbError. */
export function errorOf(status: number, info: BigUint64Array): ChdbError {
  return statusError(status, fromUtf8(native().copy(info[2], Number(info[3]))));
}

/** The Result of a finished call (copied into JS memory); throws its error. Frees the native result. */
export function takeResult(status: number, slots: ResultSlots, format: string): Result {
  const lib = native();
  const info = slots.info;
  try {
    if (status !== Status.OK) throw errorOf(status, info);
    return new Result(lib.copy(info[0], Number(info[1])), format, statsOf(info));
  } finally {
    lib.fn.chffi_result_free(lib.pointer(slots.out[0]));
    slots.out[0] = 0n;
  }
}
