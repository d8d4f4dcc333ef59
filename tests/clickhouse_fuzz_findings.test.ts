// What the JS-API fuzzer's client sequences (tests/api_fuzz/client_*.ts) found in @clickhouse/client
// on the engine, each minimised to the calls that showed it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ClickHouseError } from "@clickhouse/client";
import { createClient, createConnection } from "../clickhouse.ts";
import { ChdbArgumentError, ChdbClosedError } from "../mod.ts";
import { native } from "../src/core/native.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function blockSize(client: ReturnType<typeof createClient>, session_id?: string): Promise<number> {
  const rs = await client.query({ query: "SELECT getSetting('max_block_size') AS b", format: "JSONEachRow", session_id });
  return Number((await rs.json<{ b: string }>())[0].b);
}

test("client fuzz finding: close() ends the result streams left unread: no engine connection, no abort listener stays", async () => {
  const before = native().fn.chffi_open_connections();
  const ac = new AbortController();
  let listeners = 0;
  const add = ac.signal.addEventListener.bind(ac.signal);
  const remove = ac.signal.removeEventListener.bind(ac.signal);
  ac.signal.addEventListener = (...args: Parameters<AbortSignal["addEventListener"]>) => (listeners++, add(...args));
  ac.signal.removeEventListener = (...args: Parameters<AbortSignal["removeEventListener"]>) => (listeners--, remove(...args));
  const client = createClient({ url: "chdb://memory" });
  const endless = await client.query({ query: "SELECT number FROM system.numbers", format: "JSONEachRow", abort_signal: ac.signal });
  const small = await client.query({ query: "SELECT 1 AS one", format: "JSONEachRow", abort_signal: ac.signal });
  await client.close();
  await assert.rejects(endless.text(), ChdbClosedError); // was: the query and its connection held forever
  void small;
  for (let waited = 0; native().fn.chffi_open_connections() > before && waited < 5000; waited += 20) await pause(20);
  assert.equal(native().fn.chffi_open_connections(), before);
  assert.equal(listeners, 0);
  await assert.rejects(client.query({ query: "SELECT 1" }), ChdbClosedError);
});

test("client fuzz finding: readonly as a request setting does not make the pooled connection refuse the next requests' settings", async () => {
  const client = createClient({ url: "chdb://memory" });
  for (let i = 0; i < 3; i++) {
    const rs = await client.query({ query: "SELECT getSetting('readonly') AS r", format: "JSONEachRow", clickhouse_settings: { readonly: "1" } });
    assert.deepEqual(await rs.json(), [{ r: 1 }]);
    // was: "Cannot modify 'max_threads' setting in readonly mode" on the connection it left in the pool
    const next = await client.query({ query: "SELECT getSetting('readonly') AS r", format: "JSONEachRow", clickhouse_settings: { max_threads: 1 } });
    assert.deepEqual(await next.json(), [{ r: 0 }]);
  }
  // A session's connection could not be given its value back: refused, the session unharmed.
  await assert.rejects(client.query({ query: "SELECT 1", session_id: "ro", clickhouse_settings: { readonly: "1" } }), ChdbArgumentError);
  await client.command({ query: "CREATE TEMPORARY TABLE t (a UInt8)", session_id: "ro" });
  await client.close();
});

test("client fuzz finding: a session's own SET outlives a request that overrides the same setting", async () => {
  const client = createClient({ url: "chdb://memory" });
  await client.command({ query: "SET max_block_size = 777", session_id: "own" });
  await (await client.query({ query: "SELECT 1", session_id: "own", clickhouse_settings: { max_block_size: "5" } })).text();
  assert.equal(await blockSize(client, "own"), 777); // was the engine default: the override was put back to DEFAULT
  // a SET of several settings that fails on a later one leaves none of them behind
  await assert.rejects(client.query({ query: "SELECT 1", session_id: "own", clickhouse_settings: { max_block_size: "5", max_threads: "x" as never } }));
  assert.equal(await blockSize(client, "own"), 777); // was 5: the failed SET had applied max_block_size
  await client.close();
});

test("client fuzz finding: SQL of several statements that SETs does not change the pool's connections", async () => {
  const client = createClient({ url: "chdb://memory" });
  const fresh = await blockSize(client);
  await client.command({ query: "SELECT 1; SET max_block_size = 99" });
  assert.equal(await blockSize(client), fresh); // was 99: the connection went back to the pool with the SET
  await client.close();
});

test("client fuzz finding: createConnection().insert() of values that are not text or bytes is a ChdbArgumentError", async () => {
  const backend = createConnection({ url: "chdb://memory" });
  await assert.rejects(backend.insert({ query: "INSERT INTO t FORMAT JSONEachRow", values: [{ a: 1 }] as never }), ChdbArgumentError);
  await backend.close();
});

test("client: a query_id in use by a request in flight is refused (QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING), as by a server", async () => {
  const client = createClient({ url: "chdb://memory" });
  const other = createClient({ url: "chdb://memory" }); // ids are per data path, across clients
  const rs = await client.query({ query: "SELECT number FROM system.numbers", format: "JSONEachRow", query_id: "dup-id" });
  for (const c of [client, other]) {
    // was: both ran, and cancelling one by its id (an abort's KILL, cancelQuery) stopped both
    await assert.rejects(c.query({ query: "SELECT 1", query_id: "dup-id" }), (e: unknown) => e instanceof ClickHouseError && e.code === "216");
  }
  rs.close(); // the stream held the id until it ended
  for (let i = 0; i < 100; i++) {
    try {
      assert.equal(await (await client.query({ query: "SELECT 1", format: "CSV", query_id: "dup-id" })).text(), "1\n");
      break;
    } catch (e) {
      if (i === 99 || !(e instanceof ClickHouseError && e.code === "216")) throw e;
      await pause(20); // the cancelled stream's last fetch returns within milliseconds
    }
  }
  await client.close();
  await other.close();
});
