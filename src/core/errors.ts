// Every failure the module reports is a ChdbError; subclasses say which kind. statusError() is
// the one translation of a shim status (chffi_status) into an error.
import { Status } from "./abi.ts";

export interface ChdbErrorOptions {
  /** The ClickHouse error code, e.g. 62 for a syntax error. */
  code?: number;
  cause?: unknown;
}

/** Every error the module reports; subclasses say which kind, `code` is the engine's error code when it has one. */
export class ChdbError extends Error {
  /** The engine's numeric error code, when the engine reported the error. */
  readonly code: number | undefined;
  /** The engine's error name, e.g. `SYNTAX_ERROR`, when the message carries one. */
  readonly codeName: string | undefined;
  /** The id of the query that failed, when it had one (the `queryId` option, or a `signal`). */
  queryId: string | undefined = undefined;

  /** An error with `message`; `options.code` is the engine's error code, `options.cause` the underlying error. */
  constructor(message: string, options: ChdbErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.codeName = /\(([A-Z][A-Z0-9_]+)\)\s*$/.exec(message)?.[1];
  }
}

/**
 * An engine message rethrown by the engine itself reads `Code: 73. DB::Exception: Code: 73.
 * DB::Exception: ... (UNKNOWN_FORMAT) (version ...). (UNKNOWN_FORMAT)`: one prefix and one name are kept.
 */
function unnest(message: string): string {
  const repeated = /^(Code: (\d+)\. DB::Exception: )(?=Code: \2\. DB::Exception: )/;
  if (!repeated.test(message)) return message;
  while (repeated.test(message)) message = message.replace(repeated, "");
  return message.replace(/\(([A-Z][A-Z0-9_]+)\)(?: \(version [^)]*\))?(?:\. \(\1\)(?: \(version [^)]*\))?)+$/, "($1)");
}

/** The engine rejected a query (syntax, unknown table, bad parameter value...). */
export class ChdbQueryError extends ChdbError {
  /** Builds the error from an engine message of the form `Code: N. DB::Exception: ...`. */
  static fromEngine(message: string): ChdbQueryError {
    const code = /^\s*Code:\s*(\d+)/.exec(message)?.[1];
    return new ChdbQueryError(unnest(message.trimEnd()), { code: code === undefined ? undefined : Number(code) });
  }
}

/** A connection could not be opened. */
export class ChdbConnectionError extends ChdbError {}

/** Another data path is already open in this process (an engine rule). */
export class ChdbPathConflictError extends ChdbConnectionError {}

/** The object was used after close(). */
export class ChdbClosedError extends ChdbError {}

/** libchdb or the shim could not be found or loaded. */
export class ChdbLoadError extends ChdbError {}

/** An argument has the wrong type or an invalid value. */
export class ChdbArgumentError extends ChdbError {}

/** The feature exists in the API but is not built yet. */
export class ChdbNotImplementedError extends ChdbError {}

/**
 * A value has a type the operation cannot take, e.g. a hash filter over a non-string column.
 * (The TypeError of the issue, as a ChdbError so that every failure is one.)
 */
export class ChdbTypeError extends ChdbArgumentError {}
/**
 * The object cannot take this call now: the connection is reserved by an open stream (the engine
 * runs one statement at a time), or a synchronous call was made while asynchronous calls on the
 * same object are still in flight (calls on one object run in call order).
 */
export class ChdbBusyError extends ChdbError {}

/**
 * The error for a failed shim call: its status (chffi_status) and its message ("" for none:
 * then `what` failed, with the status's meaning).
 */
export function statusError(status: number, message: string, what?: string): ChdbError {
  const meaning = `${statusNames[status] ?? "the shim failed"} (status ${status})`;
  const text = message.trimEnd() || (what ? `${what}: ${meaning}` : meaning);
  switch (status) {
    case Status.ENGINE_ERROR:
      return ChdbQueryError.fromEngine(text);
    case Status.MISUSE:
      return new ChdbArgumentError(text);
    case Status.LOAD_FAILED:
      return new ChdbLoadError(text);
    case Status.PATH_CONFLICT:
      return new ChdbPathConflictError(text);
    case Status.CONNECT_FAILED:
      return new ChdbConnectionError(text);
    case Status.BUSY:
      return new ChdbBusyError(text);
    case Status.SHUT_DOWN:
      return new ChdbClosedError(text);
    default: // NO_MEMORY, INTERNAL, IO_ERROR, CORRUPT
      return new ChdbError(text);
  }
}

const statusNames: Record<number, string> = {
  [Status.ENGINE_ERROR]: "the engine failed",
  [Status.MISUSE]: "invalid argument",
  [Status.LOAD_FAILED]: "libchdb could not be loaded",
  [Status.PATH_CONFLICT]: "another data path is open",
  [Status.CONNECT_FAILED]: "cannot connect",
  [Status.BUSY]: "busy: a query or stream is in flight",
  [Status.SHUT_DOWN]: "the engine has been shut down",
  [Status.NO_MEMORY]: "out of memory",
  [Status.INTERNAL]: "internal error in the shim",
  [Status.IO_ERROR]: "input/output error",
  [Status.CORRUPT]: "the file is corrupted or of another format",
};
