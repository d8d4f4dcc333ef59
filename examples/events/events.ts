// A small analytics module written only against @clickhouse/client: it does not know whether the
// client talks to the embedded engine (chdb-ffi/clickhouse) or to a ClickHouse cluster.
// It sticks to what ClickHouse 18.16 (Debian's server) and today's engine both support: no
// query parameters, JSONEachRow in and out, counts cast to UInt32 (64-bit integers are quoted in
// JSON by 18.16 and not by newer servers).
import type { ClickHouseClient } from "@clickhouse/client";

export interface Event {
  day: string; // YYYY-MM-DD
  user_id: number;
  type: "view" | "click" | "purchase";
  country: string;
  amount: number;
}

/** Where the events live: one table, or a Distributed table over a MergeTree on each shard. */
export type Layout = { kind: "single" } | { kind: "cluster"; cluster: string; shards: ClickHouseClient[] };

const COLUMNS = "day Date, user_id UInt32, type String, country String, amount Float64";

/** Creates the tables (on a cluster: the local table on every shard, the Distributed one on `client`). */
export async function createSchema(client: ClickHouseClient, layout: Layout): Promise<void> {
  if (layout.kind === "single") {
    await client.command({ query: "DROP TABLE IF EXISTS events" });
    await client.command({ query: `CREATE TABLE events (${COLUMNS}) ENGINE = MergeTree() PARTITION BY toYYYYMM(day) ORDER BY (day, user_id)` });
    return;
  }
  for (const shard of layout.shards) {
    await shard.command({ query: "DROP TABLE IF EXISTS events_local" });
    await shard.command({ query: `CREATE TABLE events_local (${COLUMNS}) ENGINE = MergeTree() PARTITION BY toYYYYMM(day) ORDER BY (day, user_id)` });
  }
  await client.command({ query: "DROP TABLE IF EXISTS events" });
  await client.command({
    query: `CREATE TABLE events (${COLUMNS}) ENGINE = Distributed(${layout.cluster}, default, events_local, user_id)`,
  });
}

/** Inserts events (through the Distributed table on a cluster: rows go to shards by user_id). */
export async function insertEvents(client: ClickHouseClient, events: Event[]): Promise<void> {
  await client.insert({
    table: "events",
    values: events,
    format: "JSONEachRow",
    clickhouse_settings: { insert_distributed_sync: 1 },
  });
}

async function rows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const rs = await client.query({ query, format: "JSONEachRow" });
  return await rs.json<T>();
}

/** The reports: each a GROUP BY, ordered so that any backend gives the same rows. */
export async function reports(client: ClickHouseClient) {
  return {
    byType: await rows<{ type: string; events: number; users: number }>(
      client,
      "SELECT type, toUInt32(count()) AS events, toUInt32(uniqExact(user_id)) AS users FROM events GROUP BY type ORDER BY type",
    ),
    revenueByCountry: await rows<{ country: string; revenue: number }>(
      client,
      "SELECT country, round(sum(amount), 2) AS revenue FROM events WHERE type = 'purchase' GROUP BY country ORDER BY revenue DESC, country",
    ),
    dailyActiveUsers: await rows<{ day: string; users: number }>(
      client,
      "SELECT toString(day) AS day, toUInt32(uniqExact(user_id)) AS users FROM events GROUP BY day ORDER BY day",
    ),
    topBuyers: await rows<{ user_id: number; purchases: number }>(
      client,
      "SELECT user_id, toUInt32(count()) AS purchases FROM events WHERE type = 'purchase' GROUP BY user_id ORDER BY purchases DESC, user_id LIMIT 5",
    ),
  };
}

/** Deterministic sample events (a linear congruential generator: same data on every run). */
export function sampleEvents(n: number): Event[] {
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const types = ["view", "view", "view", "click", "click", "purchase"] as const;
  const countries = ["DE", "FR", "JP", "US", "BR"];
  return Array.from({ length: n }, () => {
    const type = types[Math.floor(next() * types.length)];
    return {
      day: `2026-11-${String(1 + Math.floor(next() * 7)).padStart(2, "0")}`,
      user_id: 1 + Math.floor(next() * 200),
      type,
      country: countries[Math.floor(next() * countries.length)],
      amount: type === "purchase" ? Math.round(next() * 10000) / 100 : 0,
    };
  });
}
