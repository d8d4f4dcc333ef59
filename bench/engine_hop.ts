// Benchmark: what a tiny query costs on each runtime, and on Node what routing engine calls through
// chffi_call_blocking (a hop to a shim thread with an ordinary stack, ffi/node.ts) adds to it.
// Baselines in the same run: a trivial shim call made directly (chffi_open_connections) against a
// trivial engine-routed call (chffi_close(NULL), a no-op), and awaited queryAsync against query.
// Run: node scripts/run.mjs bench [deno|bun|node] bench/engine_hop.ts
import { connect } from "../mod.ts";
import { native } from "./internals.ts";
import { median, runtimeName, timePerCall } from "./stats.ts";

const ROUNDS = 15;
const CALLS = 400;

const conn = connect();
const lib = native();
const direct = () => lib.fn.chffi_open_connections();
const routed = () => lib.fn.chffi_close(null);
const tiny = () => conn.query("SELECT 1", "CSV").bytes();
for (let i = 0; i < 300; i++) {
  direct();
  routed();
  tiny();
}

const directMs: number[] = [];
const routedMs: number[] = [];
const tinyMs: number[] = [];
const asyncMs: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  directMs.push(timePerCall(direct, CALLS * 10));
  routedMs.push(timePerCall(routed, CALLS * 10));
  tinyMs.push(timePerCall(tiny, CALLS));
  const start = performance.now();
  for (let i = 0; i < CALLS / 4; i++) (await conn.queryAsync("SELECT 1", "CSV")).bytes();
  asyncMs.push((performance.now() - start) / (CALLS / 4));
}
conn.close();

const us = (ms: number[]) => `${(median(ms) * 1000).toFixed(2)} µs`;
console.log(`# ${runtimeName()} (lib.runtime ${lib.runtime}), ${ROUNDS} rounds, medians`);
console.log(`trivial shim call, direct             ${us(directMs)}`);
console.log(`trivial call through the engine path  ${us(routedMs)}  (Node: the thread hop)`);
console.log(`query("SELECT 1")                     ${us(tinyMs)}`);
console.log(`await queryAsync("SELECT 1")          ${us(asyncMs)}`);
