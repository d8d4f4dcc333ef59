// The one import of @clickhouse/client, for the reasons of src/arrow/apache_arrow.ts: the types from
// `npm:` (erased by Bun and tsc), the value from the bare name, and from `npm:` only where that fails
// (Deno without a configuration in the folder it runs in). The version is package.json's
// (tests/npm_dependencies.test.ts); the npm package imports the bare name statically (scripts/build_npm.ts).
import type * as Client from "npm:@clickhouse/client@1.23.1";

const client: typeof Client = await import("@clickhouse/client").catch((bare) =>
  import("npm:@clickhouse/client@1.23.1").catch(() => {
    throw bare;
  })
);

export type { ClickHouseClient, ClickHouseClientConfigOptions } from "npm:@clickhouse/client@1.23.1";

/** The client's own createClient (HTTP transport, or the connection it is given). */
export const createClient: typeof Client.createClient = client.createClient;
