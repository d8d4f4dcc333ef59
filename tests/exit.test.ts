import assert from "node:assert/strict";
import { test } from "node:test";
import { fixture, runScript, runtime } from "./helpers.ts";

// Deno has been seen to crash at exit after printing correct output; a user's script must
// exit 0 every time, with connections and sessions left open.
test(`a short script exits with code 0, 20 times in a row (${runtime})`, () => {
  for (let i = 0; i < 20; i++) {
    const r = runScript(fixture("short_script.ts"));
    assert.equal(r.stdout.toString(), "2\n1000\nparquet\ndone\n", `run ${i}: ${r.stderr}`);
    assert.equal(r.status, 0, `run ${i} exited with ${r.status} (signal ${r.signal}): ${r.stderr}`);
  }
});
