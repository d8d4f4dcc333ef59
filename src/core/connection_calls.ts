// The shim's connection-level calls (native/connection.cpp, native/access.cpp): opening and
// closing connections, the engine's data path, statement classification, the UDF directory.
import { Status } from "./abi.ts";
import { fromCBuffer } from "./encoding.ts";
import { ChdbConnectionError, ChdbError } from "./errors.ts";
import { native, type Pointer } from "./native.ts";
import { checkStatus, ErrorSlot } from "./native_result.ts";

const outPointer = new BigUint64Array(1);
const slot = new ErrorSlot();

/**
 * Opens a connection on `path` (":memory:" or a normalised absolute directory) with `options`
 * (a string list of "--name=value" arguments). Throws ChdbPathConflictError while another data
 * path is open.
 */
export function openConnection(path: Uint8Array, options: Uint8Array): Pointer {
  const lib = native();
  slot.check(lib.fn.chffi_connect(path, path.length, options, options.length, outPointer, slot.error), "connecting");
  const handle = lib.pointer(outPointer[0]);
  if (handle === null) throw new ChdbConnectionError("the shim reported success but returned no connection");
  return handle;
}

/** Closes a connection: the free function of its NativeHandle (a status: CHFFI_BUSY while a query runs). */
export function closeConnection(handle: Pointer): number {
  return native().fn.chffi_close(handle);
}

/** Stops the engine that stays booted on the last data path; false while a connection is open. */
export function releasePath(): boolean {
  return native().fn.chffi_release_path() === Status.OK;
}

/** The engine parser's view of a statement (chffi_classify): nothing runs. */
export interface StatementAnalysis {
  /** Executable statements (0: the text does not parse). */
  readonly statements: number;
  /** A QueryClass value (src/core/abi.ts). */
  readonly queryClass: number;
}

const analysis = new Uint32Array(3);

/** Classifies `sql` (UTF-8) with the connection's parser; ChdbBusyError while a stream is open on it. */
export function classifyStatement(handle: Pointer, sql: Uint8Array): StatementAnalysis {
  checkStatus(
    native().fn.chffi_classify(handle, sql, sql.length, analysis),
    "the engine could not classify the statement",
  );
  return { statements: analysis[0], queryClass: analysis[1] };
}

const PATH_CAP = 4096;

/**
 * The engine's UDF directory: the one in use, or `candidate` (an existing absolute directory)
 * put in place when none is yet; "" when there is none and no candidate.
 */
export function scriptsDir(candidate: Uint8Array): string {
  const out = new Uint8Array(PATH_CAP);
  const status = native().fn.chffi_scripts_dir(candidate, candidate.length, out, PATH_CAP, slot.error);
  if (status !== Status.OK) throw new ChdbError(`cannot prepare the UDF directory: ${slot.take(status).message}`);
  return fromCBuffer(out);
}
