// Every failure the module reports is a ChdbError; subclasses say which kind.

export interface ChdbErrorOptions {
  /** The ClickHouse error code, e.g. 62 for a syntax error. */
  code?: number;
  cause?: unknown;
}

export class ChdbError extends Error {
  /** The engine's numeric error code, when the engine reported the error. */
  readonly code: number | undefined;
  /** The engine's error name, e.g. `SYNTAX_ERROR`, when the message carries one. */
  readonly codeName: string | undefined;

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
/** The connection is reserved by an open stream (the engine runs one statement at a time). */
export class ChdbBusyError extends ChdbError {}
