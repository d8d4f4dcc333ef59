// One fuzz sequence: a seed's steps over a fresh population, then everything closed and the end
// state checked: no promise left pending, no connection left open, the path free, the engine usable.
import process from "node:process";
import { closeDefaultConnection, connect, Session } from "../../mod.ts";
import { native } from "../../src/core/native.ts";
import { Checker, Finding } from "./checker.ts";
import { endClients } from "./client_end.ts";
import { CLIENT_SEQUENCE_STEPS, STEPS } from "./operations.ts";
import { Rng } from "./values.ts";
import { World } from "./world.ts";

export interface SequenceResult {
  seed: number;
  ops: number;
  findings: string[];
  /** The last steps before the first finding. */
  log: string[];
  outcomes: Map<string, number>;
}

/** Closes every object of the population (each call checked like any other), then awaits them. */
async function closeAll(w: World): Promise<void> {
  await endClients(w);
  for (const s of w.streams) w.check.call("end: stream.close", () => s.close());
  for (const i of w.inserts) w.check.call("end: insert.close", () => i.close());
  for (const s of w.statements) w.check.call("end: stmt.finalize", () => s.finalize());
  for (const c of w.cursors) w.check.call("end: cursor.close", () => c.close());
  for (const t of w.tables) w.check.call("end: table.close", () => t.close());
  for (const s of w.sets) w.check.call("end: set.close", () => s.set.close());
  for (const p of w.pools) w.check.call("end: pool.closeAsync", () => p.closeAsync());
  for (const c of w.conns) w.check.call("end: conn.closeAsync", () => c.conn.closeAsync());
  for (const ctrl of w.controllers) if (!ctrl.signal.aborted) w.abort(ctrl); // nothing may wait on them
  w.check.call("end: closeDefaultConnection", () => closeDefaultConnection());
  await w.check.settle();
}

/** After closeAll: nothing reserved or busy, and the engine answers on both kinds of path. A call
 * aborted by its signal has rejected at once but may still be stopping in the engine (README "Async
 * queries": the kill takes milliseconds), and query()'s default connection has no closeAsync() to
 * wait for that: the path gets a few seconds to come free. */
async function checkEndState(w: World): Promise<void> {
  const { check } = w;
  check.step("end: state");
  for (let waited = 0; !Session.releasePath(); waited += 10) {
    if (waited >= 5000) {
      const open = native().fn.chffi_open_connections();
      check.fail(
        `end: Session.releasePath() still false 5 s after everything was closed (${open} native connections open)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // A client's engine connection closes once the call still running on it has returned.
  for (let waited = 0; native().fn.chffi_open_connections() !== 0; waited += 10) {
    if (waited >= 5000) check.fail(`end: ${native().fn.chffi_open_connections()} native connections still open 5 s after close`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const s = new Session(w.tempDir);
  try {
    check.expect("end: SELECT 1 on the temp dir", s.query("SELECT 1", "TSV").text(), "1\n");
  } finally {
    s.close();
  }
  const c = connect();
  try {
    check.expect("end: SELECT 1 in memory", c.query("SELECT 1", "TSV").text(), "1\n");
  } finally {
    c.close();
  }
}

/** kind "api": the whole public API (a few client steps among it); "client": @clickhouse/client
 * on the engine alone, where requests that cannot fail must succeed. */
export async function runSequence(
  seed: number,
  ops: number,
  tempDir: string,
  timeoutMs: number,
  kind: "api" | "client" = "api",
): Promise<SequenceResult> {
  const check = new Checker(timeoutMs);
  const w = new World(new Rng(seed), check, tempDir, kind === "client");
  const steps = kind === "client" ? CLIENT_SEQUENCE_STEPS : STEPS;
  try {
    for (let i = 0; i < ops && check.findings.length === 0; i++) await w.rng.pick(steps)(w);
    if (check.findings.length === 0) await closeAll(w);
    if (check.findings.length === 0) await checkEndState(w);
  } catch (e) {
    if (!(e instanceof Finding)) check.findings.push(`the fuzzer itself threw: ${e instanceof Error ? e.stack : e}`);
  }
  if (check.findings.length) {
    // Best effort: leave the process usable for the next seed.
    try {
      await closeAll(w);
    } catch { /* already reported */ }
  }
  return {
    seed,
    ops,
    findings: check.findings,
    log: check.log.slice(-Number(process.env.FUZZ_LOG_STEPS ?? 40)),
    outcomes: check.outcomes,
  };
}
