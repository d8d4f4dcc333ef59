// The DB-API 2.0 shape (PEP 249) of chDB's Python module: dbapi.connect(), cursors, getClientInfo().
import { type ConnectOptions, Connection, MEMORY } from "../connection/connection.ts";
import { Cursor } from "../connection/cursor.ts";
import { ChdbNotImplementedError } from "../core/errors.ts";
import { engineVersion } from "../core/native.ts";

/** A connection with the DB-API methods. chDB has no transactions: commit() does nothing. */
export class DbapiConnection extends Connection {
  /** Checks the connection is open; chDB has no transactions, so there is nothing to commit. */
  commit(): void {
    this.handle();
  }

  /** Always throws ChdbNotImplementedError: chDB has no transactions to roll back. */
  rollback(): void {
    throw new ChdbNotImplementedError("chDB has no transactions to roll back");
  }
}

/** The module-level DB-API names (an explicit type keeps the package's public API JSR-ready). */
export interface Dbapi {
  /** The DB-API level implemented. */
  readonly apilevel: "2.0";
  /** 1: threads may share the module, not connections. */
  readonly threadsafety: 1;
  /** Placeholders are named: `{name:Type}`. */
  readonly paramstyle: "named";
  /** Opens a DB-API connection on `path` (default `:memory:`). */
  connect(path?: string, options?: ConnectOptions): DbapiConnection;
  /** The engine's version. */
  getClientInfo(): string;
  /** The cursor class. */
  readonly Cursor: typeof Cursor;
}

/** The DB-API 2.0 (PEP 249) module object: `dbapi.connect(path)` gives a DbapiConnection. */
export const dbapi: Dbapi = {
  apilevel: "2.0",
  threadsafety: 1,
  paramstyle: "named",
  connect(path: string = MEMORY, options: ConnectOptions = {}): DbapiConnection {
    return new DbapiConnection(path, options);
  },
  /** The engine's version, e.g. "26.7.3" (chDB's get_client_info). */
  getClientInfo(): string {
    return engineVersion();
  },
  Cursor,
} as const;
