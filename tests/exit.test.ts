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

// Exiting during every kind of off-thread call, and with streams open: the exit must wait for
// the running call (no library tears the engine down under it) and free what is open. A handful
// of runs each here; 20/20 runs per case were checked by hand (see the report).
const ways = runtime === "deno" ? ["end", "exit", "deno"] : ["end", "exit"];
const kinds = [
  "queryAsync", "queryArrowAsync", "executeAsync", "allAsync", "nextAsync", "appendAsync",
  "stream", "streamArrow", "insertStream", "hashSet",
];
test(`exiting during async calls and with open streams exits 0 (${runtime})`, () => {
  // Each kind once, the ways of exiting taking turns (CI time); the off-thread Arrow query, the
  // case seen crashing, with every way.
  const cases = kinds.map((kind, i) => [kind, ways[i % ways.length]]);
  for (const how of ways) if (how !== "end") cases.push(["queryArrowAsync", how]);
  for (const [kind, how] of cases) {
    const r = runScript(fixture("exit_during.ts"), [kind, how]);
    assert.equal(r.stdout.toString(), "started\n", `${kind} ${how}: ${r.stderr}`);
    assert.equal(r.status, 0, `${kind} ${how} exited with ${r.status} (signal ${r.signal}): ${r.stderr}`);
  }
});
