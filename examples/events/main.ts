// The events example: the same module embedded, and on a server when given its URL.
//   deno run -A examples/events/main.ts                          # embedded (chdb://memory)
//   bun examples/events/main.ts http://127.0.0.1:8123            # a server
import { createClient } from "../../clickhouse.ts";
import { createSchema, insertEvents, reports, sampleEvents } from "./events.ts";

const url = (globalThis as { process?: { argv: string[] } }).process?.argv[2] ?? "chdb://memory";
const client = createClient({ url });
await createSchema(client, { kind: "single" });
await insertEvents(client, sampleEvents(10_000));
console.log(JSON.stringify(await reports(client), null, 2));
await client.close();
