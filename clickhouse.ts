// chdb-ffi/clickhouse: the official ClickHouse client (@clickhouse/client) on the embedded engine.
//   const client = createClient({ url: "chdb://memory" });        // in-process
//   const client = createClient({ url: "http://localhost:8123" }); // a server: the same code
export { createClient, type ChdbClientConfig } from "./src/clickhouse/create_client.ts";
export {
  ChdbConnection,
  type ChdbConnectionOptions,
  createConnection,
} from "./src/clickhouse/create_client.ts";
export type { ClientCommon } from "./src/clickhouse/client_common.ts";
