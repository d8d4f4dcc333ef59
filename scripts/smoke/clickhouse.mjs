// chdb-ffi/clickhouse from the installed npm package: @clickhouse/client on the embedded engine.
import assert from "node:assert/strict";
import { ClickHouseError } from "@clickhouse/client";
import { createClient } from "chdb-ffi/clickhouse";

const client = createClient({ url: "chdb://memory" });
await client.command({ query: "CREATE TABLE IF NOT EXISTS smoke_ch (id UInt32, s String) ENGINE = MergeTree ORDER BY id" });
await client.insert({ table: "smoke_ch", values: [{ id: 1, s: "a" }, { id: 2, s: "b" }], format: "JSONEachRow" });
const rs = await client.query({ query: "SELECT id, s FROM smoke_ch WHERE id > {min:UInt32} ORDER BY id", format: "JSONEachRow", query_params: { min: 0 } });
assert.deepEqual(await rs.json(), [{ id: 1, s: "a" }, { id: 2, s: "b" }]);
await assert.rejects(client.query({ query: "SELECT * FROM no_such_table" }), (e) => e instanceof ClickHouseError && e.type === "UNKNOWN_TABLE");
await client.close();
console.log("clickhouse ok");
