// createConnection / createClient: the embedded engine behind a real ClickHouseClient of
// @clickhouse/client for chdb: URLs (or a given connection), the client's own HTTP transport
// for http(s): URLs.
// src/clickhouse/ is rank 6 (@clickhouse/client on the embedded engine): it imports ranks 0-5.
import { type ClickHouseClient, type ClickHouseClientConfigOptions, createClient as createHttpClient } from "./clickhouse_client.ts";
import { Connection as EngineConnection } from "../connection/connection.ts";
import { ChdbConnection, type ChdbConnectionOptions } from "./chdb_connection.ts";

export { ChdbConnection, type ChdbConnectionOptions };

/** A backend for `createClient({ connection })` of @clickhouse/client, served by the engine. */
export function createConnection(options: ChdbConnectionOptions = {}): ChdbConnection {
  return new ChdbConnection(options);
}

export type ChdbClientConfig = Omit<ClickHouseClientConfigOptions, "connection"> & {
  /** `chdb://memory`, `chdb:///absolute/path`, or an http(s) URL of a server. */
  url?: string | URL;
  /** A connection of this library (Connection or Session), or any backend of the client's contract. */
  connection?: EngineConnection | ClickHouseClientConfigOptions["connection"] | ChdbConnection;
};

/**
 * A ClickHouseClient of @clickhouse/client: on the embedded engine for `chdb:` URLs or a given
 * connection, over HTTP for http(s) URLs (exactly the client's own createClient).
 */
export function createClient(config: ChdbClientConfig = {}): ClickHouseClient {
  const { connection, url, ...rest } = config;
  let backend: ClickHouseClientConfigOptions["connection"];
  if (connection instanceof EngineConnection) {
    backend = asBackend(createConnection({ connection, database: config.database, request_timeout: config.request_timeout }));
  } else if (connection !== undefined) {
    backend = asBackend(connection);
  } else if (url !== undefined && String(url).startsWith("chdb:")) {
    backend = asBackend(createConnection({ url, database: config.database, request_timeout: config.request_timeout }));
  } else {
    return createHttpClient({ ...rest, ...(url === undefined ? {} : { url }) });
  }
  return createHttpClient({ ...rest, connection: backend });
}

// The client's Connection type is internal to it (not exported); ChdbConnection implements it
// structurally, with Node streams.
function asBackend(c: unknown): ClickHouseClientConfigOptions["connection"] {
  return c as ClickHouseClientConfigOptions["connection"];
}
