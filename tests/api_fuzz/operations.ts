// The API fuzzer's steps, weighted: those of query_steps.ts, object_steps.ts, set_steps.ts and a
// few of client_steps.ts, and the ones on any object: wrong-typed arguments to every method,
// Symbol.dispose, and turns of the event loop. The client's own sequences take CLIENT_STEPS.
import { oddValue } from "./values.ts";
import type { World } from "./world.ts";
import { loose, type Step } from "./arguments.ts";
import { poolSteps, statementSteps, streamSteps, tableSteps } from "./object_steps.ts";
import { connectionSteps, defaultSteps, registerSteps } from "./query_steps.ts";
import { setSteps } from "./set_steps.ts";
import { CLIENT_STEPS, MIXED_CLIENT_STEPS } from "./client_steps.ts";

/** Wrong-typed arguments to any method of any live object. */
const METHODS: [string, (w: World) => unknown, string[]][] = [
  ["conn", (w) => w.pickConn()?.conn, [
    "query",
    "queryAsync",
    "queryArrow",
    "queryArrowAsync",
    "stream",
    "streamArrow",
    "insertStream",
    "register",
    "unregister",
    "prepare",
    "cancel",
    "command",
    "commandAsync",
    "insert",
    "insertAsync",
    "lazy",
    "sql",
    "cursor",
  ]],
  ["stream", (w) => w.streams.length ? w.rng.pick(w.streams) : undefined, ["next", "nextAsync", "close"]],
  ["insert", (w) => w.inserts.length ? w.rng.pick(w.inserts) : undefined, [
    "append",
    "appendAsync",
    "done",
    "doneAsync",
    "cancel",
  ]],
  ["stmt", (w) => w.statements.length ? w.rng.pick(w.statements) : undefined, [
    "all",
    "get",
    "values",
    "run",
    "allAsync",
    "getAsync",
    "valuesAsync",
    "runAsync",
  ]],
  ["cursor", (w) => w.cursors.length ? w.rng.pick(w.cursors) : undefined, [
    "execute",
    "executeAsync",
    "executemany",
    "fetchone",
    "fetchmany",
    "fetchall",
  ]],
  ["pool", (w) => w.pools.length ? w.rng.pick(w.pools) : undefined, [
    "queryAsync",
    "queryArrowAsync",
    "commandAsync",
    "insertAsync",
  ]],
  ["set", (w) => w.sets.length ? w.rng.pick(w.sets).set : undefined, [
    "insert",
    "contains",
    "remove",
    "extend",
    "isIn",
    "notIn",
    "notInAndUpdate",
    "notInAndUpdateRowwise",
    "update",
    "updateChain",
    "updateBool",
  ]],
];

const wrongTypeStep: Step = (w) => {
  const [kind, pick, methods] = w.rng.pick(METHODS);
  const target = loose(pick(w));
  const m = w.rng.pick(methods);
  if (typeof target?.[m] !== "function") return; // e.g. nextAsync of an ArrowBatchStream
  const args = Array.from({ length: w.rng.int(4) }, () => oddValue(w.rng));
  const r = w.check.call(`${kind}.${m}(${args.map((a) => typeof a).join(", ")})`, () => target[m](...args));
  // A call that happened to be right changed the set: the model follows.
  for (const live of w.sets) if (live.set === target && !live.set.closed) live.model = new Set(live.set.toArray());
  if (r instanceof Promise) return;
  w.adopt(r);
};

/** `using` on any live object, in any state (README "Object lifetimes": close() is idempotent). */
const disposeStep: Step = (w) => {
  const all: unknown[] = [
    ...w.conns.map((c) => c.conn),
    ...w.streams,
    ...w.inserts,
    ...w.statements,
    ...w.cursors,
    ...w.tables,
    ...w.pools,
    ...w.sets.map((s) => s.set),
  ];
  if (!all.length) return;
  const target = loose(w.rng.pick(all));
  const asyncDispose = (Symbol as { asyncDispose?: symbol }).asyncDispose;
  if (asyncDispose && typeof target[asyncDispose] === "function" && w.rng.chance(0.5)) {
    w.check.call(`${target.constructor.name}[Symbol.asyncDispose]`, () => target[asyncDispose]());
  } else w.check.call(`${target.constructor.name}[Symbol.dispose]`, () => target[Symbol.dispose]());
};

const tickSteps: Step[] = [
  async (w) => {
    w.check.step("tick");
    await new Promise((resolve) => setTimeout(resolve, w.rng.int(5)));
  },
  async (w) => {
    w.check.step("settle");
    await w.check.settle();
  },
];

/** Steps by weight: a list with repeats. */
export const STEPS: Step[] = [
  ...connectionSteps,
  ...connectionSteps,
  ...registerSteps,
  ...streamSteps,
  ...streamSteps,
  ...statementSteps,
  ...poolSteps,
  ...setSteps,
  ...tableSteps,
  ...defaultSteps,
  wrongTypeStep,
  wrongTypeStep,
  wrongTypeStep,
  disposeStep,
  ...MIXED_CLIENT_STEPS,
  ...tickSteps,
];

/** The steps of a client sequence: @clickhouse/client on the engine alone (client_steps.ts). */
export const CLIENT_SEQUENCE_STEPS: Step[] = [...CLIENT_STEPS, tickSteps[1]];
