// The DB-API 2.0 shape (PEP 249) of chDB's Python module: dbapi.connect(), cursors, getClientInfo().
import { type ConnectOptions, Connection, MEMORY } from "./connection.ts";
import { Cursor } from "./cursor.ts";
import { ChdbNotImplementedError } from "./errors.ts";
import { engineVersion } from "./native.ts";

/** A connection with the DB-API methods. chDB has no transactions: commit() does nothing. */
export class DbapiConnection extends Connection {
  commit(): void {
    this.handle();
  }

  rollback(): void {
    throw new ChdbNotImplementedError("chDB has no transactions to roll back");
  }
}

/** The module-level DB-API names (an explicit type keeps the package's public API JSR-ready). */
export interface Dbapi {
  readonly apilevel: "2.0";
  readonly threadsafety: 1;
  readonly paramstyle: "named";
  connect(path?: string, options?: ConnectOptions): DbapiConnection;
  getClientInfo(): string;
  readonly Cursor: typeof Cursor;
}

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
