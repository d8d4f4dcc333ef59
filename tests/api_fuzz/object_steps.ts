// The API fuzzer's steps on what a connection makes: streams, insert streams, statements, cursors,
// lazy queries, pools and Arrow results, in any state.
import { col, createPool } from "../../mod.ts";
import {
  detach,
  FORMATS,
  INSERT_CHUNKS,
  INSERT_SQL,
  jsData,
  oddValue,
  PARAMS_RIGHT,
  paramsPool,
  SQL_POOL,
} from "./values.ts";
import type { World } from "./world.ts";
import { asyncQuery, boundedSql, loose, queryOptions, type Step } from "./arguments.ts";

/** Drains a stream a few chunks, sync or async, maybe leaving the loop early. */
function driveStream(w: World): void {
  if (!w.streams.length) return;
  const s = w.rng.pick(w.streams);
  const how = w.rng.int(6);
  if (how === 0) w.check.call("stream.next", () => s.next());
  else if (how === 1) w.check.call("stream.nextAsync", () => loose(s).nextAsync?.() ?? s.next());
  else if (how === 2) w.check.call("stream.close", () => s.close());
  else if (how === 3) w.check.call("stream[Symbol.dispose]", () => s[Symbol.dispose]());
  else if (how === 4) {
    const n = w.rng.int(4);
    w.check.call("for of stream, broken early", () => {
      let i = 0;
      for (const _ of s as Iterable<unknown>) if (i++ >= n) break;
    });
  } else {
    const n = w.rng.int(4);
    w.check.follow(
      "for await of stream, broken early",
      (async () => {
        let i = 0;
        for await (const _ of s as AsyncIterable<unknown>) if (i++ >= n) break;
      })(),
    );
  }
}

export const streamSteps: Step[] = [
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    w.adopt(
      w.check.call(
        "conn.stream",
        () => loose(lc.conn).stream(w.rng.pick(SQL_POOL), w.rng.pick(FORMATS), queryOptions(w)),
      ),
    );
  },
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    const opts = w.rng.pick<unknown>([undefined, { retain: true }, { params: PARAMS_RIGHT }, oddValue(w.rng)]);
    w.adopt(w.check.call("conn.streamArrow", () => loose(lc.conn).streamArrow(w.rng.pick(SQL_POOL), opts)));
  },
  driveStream,
  driveStream,
  driveStream,
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    const sql = w.rng.pick(INSERT_SQL);
    const opts = w.rng.chance(0.3) ? { signal: w.signal(), queryId: w.newQueryId() } : undefined;
    w.adopt(
      w.check.call(
        "conn.insertStream",
        () => loose(lc.conn).insertStream(sql, w.rng.pick(["CSV", "CSV", "TSV", oddValue(w.rng)]), opts),
      ),
    );
  },
  (w) => {
    if (!w.inserts.length) return;
    const ins = w.rng.pick(w.inserts);
    const chunk = w.rng.chance(0.9) ? w.rng.pick(INSERT_CHUNKS) : oddValue(w.rng);
    const how = w.rng.int(7);
    if (how <= 1) w.check.call("insert.append", () => loose(ins).append(chunk));
    else if (how === 2) w.check.call("insert.appendAsync", () => loose(ins).appendAsync(chunk));
    else if (how === 3) w.check.call("insert.done", () => ins.done());
    else if (how === 4) w.check.call("insert.doneAsync", () => ins.doneAsync());
    else if (how === 5) w.check.call("insert.cancel", () => ins.cancel());
    else w.check.call("insert.close", () => ins.close());
  },
];

export const statementSteps: Step[] = [
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    const st = w.check.call(
      "conn.prepare",
      () =>
        loose(lc.conn).prepare(boundedSql(w), w.rng.pick<unknown>([undefined, { int64: "string" }, oddValue(w.rng)])),
    );
    if (st && typeof st === "object") w.statements.push(st);
  },
  (w) => {
    if (!w.statements.length) return;
    const st = loose(w.rng.pick(w.statements));
    const params = paramsPool(w.rng);
    const opts = w.rng.chance(0.3) ? { signal: w.signal() } : undefined;
    const m = w.rng.pick([
      "all",
      "get",
      "values",
      "run",
      "allAsync",
      "getAsync",
      "valuesAsync",
      "runAsync",
      "iterate",
      "iterateAsync",
      "finalize",
      "columnNames",
    ]);
    if (m === "columnNames") w.check.call("stmt.columnNames", () => st.columnNames);
    else if (m === "iterate") {
      const n = w.rng.int(3);
      w.check.call("stmt.iterate, broken early", () => {
        let i = 0;
        for (const _ of st.iterate(params)) if (i++ >= n) break;
      });
    } else if (m === "iterateAsync") {
      w.check.follow(
        "stmt.iterateAsync",
        (async () => {
          for await (const _ of st.iterateAsync(params, opts)) break;
        })(),
      );
    } else w.check.call(`stmt.${m}`, () => st[m](params, opts));
  },
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    const cur = w.check.call("conn.cursor", () => lc.conn.cursor());
    if (cur) w.cursors.push(cur);
  },
  (w) => {
    if (!w.cursors.length) return;
    const cur = loose(w.rng.pick(w.cursors));
    const m = w.rng.pick([
      "execute",
      "executeAsync",
      "executemany",
      "fetchone",
      "fetchmany",
      "fetchall",
      "close",
      "description",
      "iterate",
    ]);
    if (m === "execute") w.check.call("cursor.execute", () => cur.execute(boundedSql(w), paramsPool(w.rng)));
    else if (m === "executeAsync") {
      w.check.call(
        "cursor.executeAsync",
        () =>
          cur.executeAsync(boundedSql(w), paramsPool(w.rng), w.rng.chance(0.3) ? { signal: w.signal() } : undefined),
      );
    } else if (m === "executemany") {
      w.check.call(
        "cursor.executemany",
        () => cur.executemany("INSERT INTO fz_t (a) VALUES ({p:Int64})", [paramsPool(w.rng), paramsPool(w.rng)]),
      );
    } else if (m === "description") w.check.call("cursor.description", () => cur.description);
    else if (m === "iterate") w.check.call("for of cursor", () => [...cur].length);
    else w.check.call(`cursor.${m}`, () => cur[m](w.rng.chance(0.2) ? oddValue(w.rng) : undefined));
  },
  (w) => {
    const lc = w.pickConn();
    if (!lc || !w.sets.length) return;
    const live = w.rng.pick(w.sets);
    const sql = w.rng.pick([
      "SELECT toString(number % 50) AS s FROM numbers(1000)",
      "SELECT 1 AS n",
      "SELECT s FROM arrowstream('r0')",
    ]);
    w.check.call(
      "lazy().filter(hashfilter).collect()",
      () => lc.conn.lazy(sql).filter(col("s").hashfilter.notInAndUpdateRowwise(live.set)).collect(),
    );
    if (!live.set.closed) live.model = new Set(live.set.toArray());
  },
];

export const poolSteps: Step[] = [
  (w) => {
    const opts = w.rng.pick<unknown>([{ size: 2 }, { size: 1, path: w.tempDir }, { size: 0 }, { size: -1 }, {
      size: 1.5,
    }, oddValue(w.rng)]);
    const p = w.check.call("createPool", () => loose(createPool)(opts));
    if (p && typeof p === "object") w.pools.push(p);
  },
  (w) => {
    if (!w.pools.length) return;
    const pool = loose(w.rng.pick(w.pools));
    const m = w.rng.pick(["queryAsync", "queryArrowAsync", "commandAsync", "insertAsync", "close", "closeAsync"]);
    if (m === "queryAsync") {
      const [sql, opts] = asyncQuery(w);
      w.check.call("pool.queryAsync", () => pool.queryAsync(sql, w.rng.pick(FORMATS), opts));
    } else if (m === "queryArrowAsync") {
      const p = w.check.call("pool.queryArrowAsync", () => pool.queryArrowAsync(boundedSql(w), queryOptions(w)));
      if (p instanceof Promise) w.check.follow("pool.queryArrowAsync result", p, [], (t) => w.adopt(t));
    } else if (m === "commandAsync") {
      w.check.call("pool.commandAsync", () => pool.commandAsync(boundedSql(w), queryOptions(w)));
    } else if (m === "insertAsync") {
      w.check.call("pool.insertAsync", () => pool.insertAsync("fz_t", jsData(w.rng).data));
    } else w.check.call(`pool.${m}`, () => pool[m]());
  },
];

export const tableSteps: Step[] = [
  (w) => {
    if (!w.tables.length) return;
    const t = w.rng.pick(w.tables);
    const how = w.rng.int(4);
    if (how === 0) w.check.call("table.close", () => t.close());
    else if (how === 1) {
      w.check.call("read a table", () => {
        const v = t.getChildAt(0);
        return [v?.get(0), t.numRows, v?.toArray()?.length];
      }, ["closed-table-read"]);
    } else if (how === 2) {
      const v = t.getChildAt(0);
      w.check.step("detach a result buffer");
      for (const d of v?.data ?? []) if (d.values) detach(d.values.buffer, w.rng);
    } else w.check.call("table.slice().toArray", () => t.slice(0, 3).toArray().length, ["closed-table-read"]);
  },
];
