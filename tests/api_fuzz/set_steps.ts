// The API fuzzer's steps on StringHashSets: keys checked against a model, the set operations over
// string columns (plain, from Arrow results, closed or detached), save, load, close.
import { join } from "node:path";
import { col, filter, isInHashset, StringHashSet } from "../../mod.ts";
import { detach, oddValue } from "./values.ts";
import type { World } from "./world.ts";
import { loose, type Step } from "./arguments.ts";

/** A string column for the set operations: plain, from an Arrow result (maybe closed, maybe
 * detached by the program), or odd. */
function stringColumn(w: World): unknown {
  const how = w.rng.int(5);
  if (how === 0) return Array.from({ length: w.rng.int(50) }, (_, i) => `k${i % 17}`);
  if (how === 1) return [null, "a", undefined, "", "\0", "é"];
  if (how === 4) return oddValue(w.rng);
  const lc = w.pickConn();
  const t = lc &&
    w.check.call(
      "queryArrow for a column",
      () => lc.conn.queryArrow("SELECT toString(number % 30) AS s FROM numbers(100)"),
    );
  if (!t) return ["x"];
  const vec = t.getChild("s");
  if (how === 3) {
    w.check.step(w.rng.chance(0.5) ? "close the column's table" : "detach the column's buffers");
    if (w.rng.chance(0.5)) t.close();
    else for (const d of vec?.data ?? []) for (const b of [d.values, d.valueOffsets]) if (b) detach(b.buffer, w.rng);
  }
  w.tables.push(t);
  return vec;
}

export const setSteps: Step[] = [
  (w) => {
    const how = w.rng.int(4);
    const s = how === 0
      ? w.check.call("new StringHashSet", () => new StringHashSet())
      : how === 1
      ? w.check.call("StringHashSet.withCapacity", () =>
        loose(StringHashSet).withCapacity(w.rng.pick<unknown>([0, 10, -1, 2 ** 62, NaN, "5"])))
      : how === 2
      ? w.check.call("StringHashSet.fromValues", () =>
        loose(StringHashSet).fromValues(stringColumn(w)))
      : w.check.call(
        "StringHashSet.load",
        () =>
          loose(StringHashSet).load(
            w.rng.pick([join(w.tempDir, "set.bin"), join(w.tempDir, "nope.bin"), "/dev/zero", w.tempDir]),
          ),
      );
    w.adopt(s);
  },
  (w) => {
    if (!w.sets.length) return;
    const live = w.rng.pick(w.sets);
    const key = w.rng.chance(0.8) ? `k${w.rng.int(20)}` : oddValue(w.rng);
    const m = w.rng.pick(["insert", "contains", "remove"] as const);
    const r = w.check.call(`set.${m}`, () => loose(live.set)[m](key));
    if (typeof r === "boolean" && typeof key === "string") {
      const want = m === "contains" ? live.model.has(key) : m === "insert" ? !live.model.has(key) : live.model.has(key);
      if (r !== want) w.check.fail(`set.${m}(${key}) = ${r}, model says ${want}`);
      if (m === "insert") live.model.add(key);
      if (m === "remove") live.model.delete(key);
    }
  },
  (w) => {
    if (!w.sets.length) return;
    const live = w.rng.pick(w.sets);
    const m = w.rng.pick([
      "extend",
      "isIn",
      "notIn",
      "notInAndUpdate",
      "notInAndUpdateRowwise",
      "update",
      "updateChain",
      "updateBool",
      "clear",
    ]);
    const column = stringColumn(w);
    w.check.call(`set.${m}`, () => loose(live.set)[m](column), ["closed-table-read"]);
    if (!live.set.closed) live.model = new Set(live.set.toArray());
  },
  (w) => {
    if (!w.sets.length) return;
    const live = w.rng.pick(w.sets);
    if (live.set.closed) return;
    const got = w.check.call("set.toArray", () => live.set.toArray());
    if (got && (got.length !== live.model.size || got.some((k) => !live.model.has(k)))) {
      w.check.fail(`set.toArray() has ${got.length} keys, the model ${live.model.size}`);
    }
  },
  (w) => {
    if (!w.sets.length) return;
    const live = w.rng.pick(w.sets);
    const how = w.rng.int(3);
    if (how === 0) w.check.call("set.save", () => live.set.save(join(w.tempDir, "set.bin")));
    else if (how === 1) w.check.call("set.close", () => live.set.close());
    else {
      const t = w.tables.length ? w.rng.pick(w.tables) : undefined;
      if (t) {
        w.check.call(
          "filter(table, isInHashset)",
          () => filter(t, isInHashset(col(w.rng.pick(["s", "a", "nope"])), live.set)),
          ["closed-table-read"],
        );
      }
    }
  },
];
