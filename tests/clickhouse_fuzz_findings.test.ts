// What the JS-API fuzzer's client sequences (tests/api_fuzz/client_*.ts) found in @clickhouse/client
// on the engine, each minimised to the calls that showed it.
import assert from "node:assert/strict";
import { test } from "node:test";
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

test("client fuzz finding: createConnection().insert() of values that are not text or bytes is a ChdbArgumentError", async () => {
  const backend = createConnection({ url: "chdb://memory" });
  await assert.rejects(backend.insert({ query: "INSERT INTO t FORMAT JSONEachRow", values: [{ a: 1 }] as never }), ChdbArgumentError);
  await backend.close();
});
