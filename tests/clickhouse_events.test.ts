// examples/events: the same @clickhouse/client code embedded (chdb-ffi/clickhouse) and on a
// two-shard cluster of Debian's clickhouse-server 18.16 (started here on loopback ports), with the
// same results. Without the server binary the cluster test says so and is skipped.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createClient as createHttpClient } from "@clickhouse/client";
import { createClient } from "../clickhouse.ts";
import { CLUSTER, SERVER_BINARY, TwoShardCluster } from "../examples/events/cluster.ts";
import { createSchema, insertEvents, reports, sampleEvents } from "../examples/events/events.ts";

const events = sampleEvents(5_000);

async function embeddedReports() {
  const client = createClient({ url: "chdb://memory" });
  try {
    await createSchema(client, { kind: "single" });
    await insertEvents(client, events);
    return await reports(client);
  } finally {
    await client.close();
  }
}

test("events example: embedded reports are computed from the inserted events", async () => {
  const r = await embeddedReports();
  const expectedPurchases = events.filter((e) => e.type === "purchase").length;
  assert.equal(r.byType.find((t) => t.type === "purchase")?.events, expectedPurchases);
  assert.equal(r.byType.reduce((n, t) => n + t.events, 0), events.length);
  assert.equal(r.dailyActiveUsers.length, 7);
  assert.equal(r.topBuyers.length, 5);
});

test("events example: a two-shard clickhouse-server cluster gives the embedded results", async (t) => {
  if (!TwoShardCluster.available()) {
    t.skip(`${SERVER_BINARY} is not installed (apt-get install -y clickhouse-server): cluster test not run`);
    return;
  }
  const expected = await embeddedReports();
  const cluster = await TwoShardCluster.start();
  const shards = cluster.shards.map((s) => createHttpClient({ url: s.http }));
  try {
    const client = shards[0]; // the entry point: its Distributed table spans both shards
    await createSchema(client, { kind: "cluster", cluster: CLUSTER, shards });
    await insertEvents(client, events);
    const perShard = await Promise.all(shards.map(async (s) => {
      const rs = await s.query({ query: "SELECT toUInt32(count()) AS n FROM events_local", format: "JSONEachRow" });
      return (await rs.json<{ n: number }>())[0].n;
    }));
    assert.equal(perShard[0] + perShard[1], events.length);
    assert.ok(perShard[0] > 0 && perShard[1] > 0, `both shards hold rows: ${perShard}`);
    assert.deepEqual(await reports(client), expected);
  } finally {
    await Promise.all(shards.map((s) => s.close()));
    await cluster.stop();
  }
});
