// The out-params of shim calls (a chffi_error, and a chffi_result with its chffi_result_info) and
// turning them into a Result or a ChdbError, freeing the native objects in either case. Only the
// call modules of src/core/ (*_calls.ts) use them: the rest of src/ never sees a status.
import { ResultInfo, Status } from "./abi.ts";
import { takeError } from "./native_error.ts";
import { type ChdbError, statusError } from "./errors.ts";
import { native } from "./native.ts";
import { type QueryStats, Result } from "./result.ts";

/** Throws the ChdbError of a failed call that reports a status only; `what` names the operation. */
export function checkStatus(status: number, what: string): void {
  if (status !== Status.OK) throw statusError(status, "", what);
}

/** The out-param of one call's chffi_error (calls in flight at the same time need one each). */
export class ErrorSlot {
  readonly error = new BigUint64Array(1);

  /** Throws the ChdbError of a failed call; `what` names the operation for an error without a message. */
  check(status: number, what?: string): void {
    if (status !== Status.OK) throw this.take(status, what);
  }

  /** The ChdbError of a failed call (its chffi_error is freed). */
  take(status: number, what?: string): ChdbError {
    return takeError(native(), status, this.error, what);
  }
}

/** Out-params of one call that hands back a result: chffi_result**, chffi_result_info, chffi_error**. */
export class ResultSlots extends ErrorSlot {
  readonly out = new BigUint64Array(1);
  readonly info = new BigUint64Array(ResultInfo.WORDS);
}

/** The query metrics in a filled chffi_result_info. */
export function statsOf(info: BigUint64Array): QueryStats {
  return {
    elapsed: new Float64Array(info.buffer, info.byteOffset + ResultInfo.ELAPSED_SECONDS * 8, 1)[0],
    rowsRead: Number(info[ResultInfo.ROWS_READ]),
    bytesRead: Number(info[ResultInfo.BYTES_READ]),
    storageRowsRead: Number(info[ResultInfo.STORAGE_ROWS_READ]),
    storageBytesRead: Number(info[ResultInfo.STORAGE_BYTES_READ]),
    rowsWritten: Number(info[ResultInfo.ROWS_WRITTEN]),
    bytesWritten: Number(info[ResultInfo.BYTES_WRITTEN]),
  };
}

/** The Result of a finished call (copied into JS memory); throws its error. Frees the native result. */
export function takeResult(status: number, slots: ResultSlots, format: string): Result {
  slots.check(status);
  const lib = native();
  try {
    const info = slots.info;
    return new Result(lib.copy(info[ResultInfo.DATA], Number(info[ResultInfo.DATA_LEN])), format, statsOf(info));
  } finally {
    lib.fn.chffi_result_free(lib.pointer(slots.out[0]));
    slots.out[0] = 0n;
  }
}
