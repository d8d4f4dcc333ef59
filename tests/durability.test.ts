// kill -9 during INSERTs into a MergeTree table of a session on a path: every INSERT that returned
// (the child then printed `ack N`) survives; no batch is ever visible in part. See README, "Durability".
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { closeDefaultConnection, Session } from "../mod.ts";
import { fixture, ROOT, runtime, tempDir } from "./helpers.ts";

const ROWS = 2000; // rows per batch, as in tests/fixtures/insert_child.ts
const KILLS = 2; // per mode

/** Runs the inserting child from batch `first`, SIGKILLs it after `afterAcks` acknowledgements plus a random delay. */
function insertUntilKilled(dir: string, mode: string, first: number, afterAcks: number): Promise<number[]> {
  const script = fixture("insert_child.ts");
  const args = runtime === "deno" ? ["run", "-A", script] : [runtime === "node" ? script.replace(/\.ts$/, ".js") : script];
  const child = spawn(process.execPath, [...args, dir, mode, String(first)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const acks: number[] = [];
  let stderr = "";
  let pending = "";
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.on("data", (d) => {
      pending += d;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith("ack ")) continue;
        acks.push(Number(line.slice(4)));
        if (acks.length === afterAcks) setTimeout(() => child.kill("SIGKILL"), Math.random() * 150);
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      if (signal === "SIGKILL" && acks.length >= afterAcks) resolve(acks);
      else reject(new Error(`the inserting child ended with ${code ?? signal} after ${acks.length} acks: ${stderr}`));
    });
  });
}

for (const mode of ["sync", "async", "stream"]) {
  test(`kill -9 during ${mode} INSERTs: every acknowledged batch survives whole, none is visible in part`, async () => {
    closeDefaultConnection(); // one data path per process
    const dir = join(tempDir(), "data");
    try {
      let next = 0;
      for (let kill = 0; kill < KILLS; kill++) {
        const acks = await insertUntilKilled(dir, mode, next, 3 + Math.floor(Math.random() * 20));
        assert.deepEqual(acks, acks.map((_, i) => next + i), "acknowledged in order");
        const lastAck = acks[acks.length - 1];
        const sess = new Session(dir);
        const text = sess.query("SELECT batch, count(), sum(i), uniqExact(s) FROM t GROUP BY batch ORDER BY batch", "TSV").text();
        const batches = text.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
        sess.close();
        assert.ok(Session.releasePath(), "the next child opens the directory");
        const whole = [String(ROWS), String((ROWS * (ROWS - 1)) / 2), String(ROWS)];
        for (const [batch, ...figures] of batches) assert.deepEqual(figures, whole, `batch ${batch} is whole`);
        const present = batches.map(([batch]) => Number(batch));
        // The batches up to the last acknowledged one, and perhaps the one in flight when killed.
        const expected = Array.from({ length: lastAck + 1 }, (_, i) => i);
        assert.deepEqual(present.slice(0, lastAck + 1), expected, "every acknowledged batch is there");
        assert.ok(present.length <= lastAck + 2, `no batch beyond the one in flight: ${present.slice(lastAck + 1)}`);
        next = present.length;
      }
    } finally {
      Session.releasePath();
      rmSync(join(dir, ".."), { recursive: true, force: true });
    }
  });
}
