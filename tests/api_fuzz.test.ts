// The JS-API fuzzer (tests/api_fuzz/) over a fixed set of seeds, in a child process of this runtime:
// a crash or a hang there is a finding too, not the end of the suite. Each finding prints its seed
// and the steps before it; `FUZZ_SEEDS=<seed> FUZZ_OPS=<ops>` on tests/api_fuzz/main.ts replays it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runScript } from "./helpers.ts";

// 50 sequences of the whole API (150 calls each) and 20 of @clickhouse/client on the engine alone
// (25 calls each): ~14 s on this 2-core machine.
test("api fuzz: random call sequences on the public API give values or ChdbErrors, settle, and leave nothing open", () => {
  const r = runScript("tests/api_fuzz/main.ts", [], {
    env: { FUZZ_SEEDS: "1-50", FUZZ_OPS: "150", FUZZ_CLIENT_SEEDS: "1-20", FUZZ_CLIENT_OPS: "25", FUZZ_TIMEOUT_MS: "30000" },
  });
  const out = `${r.stdout}\n${r.stderr}`;
  console.log(out.split("\n").filter((l) => l.startsWith("api fuzz:") || l.startsWith("outcomes:")).join("\n"));
  assert.equal(r.status, 0, `exit ${r.status} (signal ${r.signal}):\n${out.slice(-20_000)}`);
  assert.match(r.stdout.toString(), /api fuzz: 50 seeds, 8000 ops, 0 with findings/);
});
