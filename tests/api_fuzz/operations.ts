// The API fuzzer's steps: each picks objects of the population and calls the public API on them
// (mod.ts, and clickhouse.ts's createClient lightly), right or wrong, sync or async, through the
// Checker. Steps that know the answer (a checked SQL, the sum of a registered table, a hash set's
// model) compare it.
// deno-lint-ignore-file no-explicit-any -- wrong-typed calls are the point of the fuzzer
import { ClickHouseError } from "@clickhouse/client";
import { join } from "node:path";
import { createClient, createConnection } from "../../clickhouse.ts";
import {
  ArrowTable,
  cancelQuery,
  ChdbError,
  closeDefaultConnection,
  col,
  configureDefaultConnection,
  connect,
  Connection,
  createPool,
  filter,
  isInHashset,
  query,
  queryAsync,
  Session,
  sql as sqlTag,
  StringHashSet,
} from "../../mod.ts";
import {
  BOUNDED_SQL,
  CHECKED_SQL,
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
import type { LiveConnection, World } from "./world.ts";

type Step = (w: World) => void | Promise<void>;
const loose = (o: unknown) => o as any;

/** Options for a query call: usually sensible, sometimes odd. */
function queryOptions(w: World): unknown {
  const { rng } = w;
  if (rng.chance(0.1)) return oddValue(rng);
  const o: Record<string, unknown> = {};
  if (rng.chance(0.5)) o.params = paramsPool(rng);
  if (rng.chance(0.3)) o.signal = w.signal();
  if (rng.chance(0.3)) o.queryId = rng.chance(0.9) ? w.newQueryId() : oddValue(rng);
  if (rng.chance(0.1)) o.settings = rng.pick<unknown>([{ max_threads: 1 }, { no_such_setting: 1 }, { max_threads: "x" }, 5]);
  if (rng.chance(0.05)) o.timeout = rng.pick<unknown>([1, 0, -5, "x"]);
  return o;
}

function pathArg(w: World): unknown {
  return w.rng.pick<unknown>([":memory:", undefined, w.tempDir, join(w.tempDir, "sub", ".."), "a\0b", 5, null]);
}

function connectOptions(w: World): unknown {
  return w.rng.pick<unknown>([
    undefined, {}, { settings: { max_threads: 1 } }, { settings: { no_such_setting: 1 } }, { sandbox: true },
    { timeout: 1000 }, { int64: "number" }, { int64: "nope" }, oddValue(w.rng),
  ]);
}

/** SQL and options for an off-thread call: SQL that would run for minutes gets a signal that aborts. */
function asyncQuery(w: World): [unknown, unknown] {
  const sql = w.rng.pick(SQL_POOL);
  const opts = queryOptions(w);
  if (BOUNDED_SQL.includes(sql)) return [sql, opts];
  return [sql, { ...(typeof opts === "object" ? opts : {}), signal: w.signal(true) }];
}

function boundedSql(w: World): unknown {
  return w.rng.chance(0.05) ? oddValue(w.rng) : w.rng.pick(BOUNDED_SQL);
}

/** A checked query: TSV of a known answer through one of the query paths. */
function checkedQuery(w: World): void {
  const lc = w.pickConn();
  const [text, want, arrowWant] = w.rng.pick(CHECKED_SQL);
  const opts = { params: PARAMS_RIGHT };
  const name = `checked ${text.slice(0, 40)}`;
  const how = w.rng.int(lc ? 5 : 2);
  if (how === 0) {
    const r = w.check.call(`${name} query()`, () => query(text, "TSV", opts));
    if (r) w.check.expect(name, r.text().trim(), want);
  } else if (how === 1) {
    w.check.follow(`${name} queryAsync()`, queryAsync(text, "TSV", opts), [], (r) => w.check.expect(name, r.text().trim(), want));
  } else if (how === 2) {
    const r = w.check.call(`${name} conn.query`, () => lc!.conn.query(text, "TSV", opts));
    if (r) w.check.expect(name, r.text().trim(), want);
  } else if (how === 3) {
    const p = w.check.call(`${name} conn.queryAsync`, () => lc!.conn.queryAsync(text, "TSV", opts));
    if (p) w.check.follow(name, p, [], (r) => w.check.expect(name, r.text().trim(), want));
  } else {
    const t = w.check.call(`${name} conn.queryArrow`, () => lc!.conn.queryArrow(text, opts));
    if (t) {
      w.check.expect(name, String(t.getChildAt(0)?.get(0)), arrowWant);
      t.close();
    }
  }
}

/** sum(a) of a registered table, through a random query path: the registered data's answer, whatever
 * happened to the JS buffers since register() (README "JS data registered as tables"). */
function registeredSum(w: World): void {
  const lc = w.pickConn();
  if (!lc) return;
  const entries = [...lc.registered].filter(([, d]) => d.sum !== undefined);
  if (!entries.length) return;
  const [name, data] = w.rng.pick(entries);
  const text = `SELECT sum(a) FROM arrowstream('${name}')`;
  const want = String(data.sum);
  const label = `sum of ${name} (${data.kind})`;
  const how = w.rng.int(4);
  if (how === 0) {
    const r = w.check.call(`${label} query`, () => lc.conn.query(text, "TSV"));
    if (r) w.check.expect(label, r.text().trim(), want);
  } else if (how === 1) {
    const p = w.check.call(`${label} queryAsync`, () => lc.conn.queryAsync(text, "TSV"));
    if (p) w.check.follow(label, p, [], (r) => w.check.expect(label, r.text().trim(), want));
  } else if (how === 2) {
    const p = w.check.call(`${label} queryArrowAsync`, () => lc.conn.queryArrowAsync(text));
    if (p) {
      w.check.follow(label, p, [], (t) => {
        w.check.expect(label, String(t.getChildAt(0)?.get(0)), want);
        t.close();
      });
    }
  } else {
    const s = w.check.call(`${label} stream`, () => lc.conn.stream(text, "TSV"));
    if (s) {
      const chunks: string[] = [];
      w.check.follow(label, (async () => {
        for await (const c of s) chunks.push(c.text());
      })(), [], () => w.check.expect(label, chunks.join("").trim(), want));
    }
  }
}

const connectionSteps: Step[] = [
  (w) => {
    const path = pathArg(w);
    const c = w.check.call("connect", () => loose(connect)(path, connectOptions(w)) as Connection);
    if (c instanceof Connection) w.conns.push({ conn: c, path: c.path, registered: new Map() });
  },
  (w) => {
    const path = pathArg(w);
    const c = w.check.call("new Session", () => new (Session as any)(path, connectOptions(w)) as Connection);
    if (c instanceof Connection) w.conns.push({ conn: c, path: c.path, registered: new Map() });
  },
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    const how = w.rng.int(4);
    if (how === 0) w.check.call("conn.close", () => lc.conn.close());
    else if (how === 1) w.check.call("conn.closeAsync", () => lc.conn.closeAsync());
    else if (how === 2) w.check.call("conn[Symbol.dispose]", () => lc.conn[Symbol.dispose]());
    else w.check.call("conn[Symbol.asyncDispose]", () => lc.conn[Symbol.asyncDispose]());
    if (w.rng.chance(0.7)) w.conns.splice(w.conns.indexOf(lc), 1); // else: kept, used after close
  },
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    w.check.call("conn.query", () => loose(lc.conn).query(boundedSql(w), w.rng.pick(FORMATS), queryOptions(w)));
  },
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    const [sql, opts] = asyncQuery(w);
    w.check.call("conn.queryAsync", () => loose(lc.conn).queryAsync(sql, w.rng.pick(FORMATS), opts));
  },
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    const t = w.check.call("conn.queryArrow", () => loose(lc.conn).queryArrow(boundedSql(w), queryOptions(w)));
    w.adopt(t);
  },
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    const [sql, opts] = asyncQuery(w);
    const p = w.check.call("conn.queryArrowAsync", () => loose(lc.conn).queryArrowAsync(sql, opts));
    if (p) w.check.follow("queryArrowAsync result", p as Promise<ArrowTable>, [], (t) => w.adopt(t));
  },
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    const d = jsData(w.rng);
    const t = w.check.call(`conn.sql with ${d.kind}`, () => lc.conn.sql`SELECT sum(a) FROM ${d.data} WHERE a >= ${0}`);
    if (t) {
      if (d.sum !== undefined) w.check.expect(`sql sum ${d.kind}`, String(t.getChildAt(0)?.get(0)), String(d.sum));
      t.close();
    }
  },
  (w) => {
    const t = w.check.call("sql`` on the default connection", () => sqlTag`SELECT ${oddValue(w.rng)} AS v`);
    w.adopt(t);
  },
  checkedQuery,
  checkedQuery,
  registeredSum,
  registeredSum,
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    w.check.call("conn.cancel", () => loose(lc.conn).cancel(w.queryIds.length ? w.rng.pick(w.queryIds) : oddValue(w.rng)));
  },
  (w) => {
    const id = w.queryIds.length && w.rng.chance(0.8) ? w.rng.pick(w.queryIds) : oddValue(w.rng);
    w.check.call("cancelQuery", () => loose(cancelQuery)(id, w.rng.pick<unknown>([undefined, ":memory:", w.tempDir])));
  },
  (w) => {
    if (w.controllers.length) w.abort(w.rng.pick(w.controllers));
  },
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    const how = w.rng.int(4);
    if (how === 0) w.check.call("conn.command", () => loose(lc.conn).command(boundedSql(w), queryOptions(w)));
    else if (how === 1) w.check.call("conn.commandAsync", () => loose(lc.conn).commandAsync(boundedSql(w), queryOptions(w)));
    else if (how === 2) w.check.call("conn.insert", () => loose(lc.conn).insert(w.rng.pick(["fz_t", "no_such_fz", oddValue(w.rng)]), jsData(w.rng).data));
    else w.check.call("conn.insertAsync", () => loose(lc.conn).insertAsync(w.rng.pick(["fz_t", oddValue(w.rng)]), jsData(w.rng).data));
  },
];

const registerSteps: Step[] = [
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    const name = w.rng.chance(0.9) ? w.rng.pick(["r0", "r1", "r2"]) : oddValue(w.rng);
    const d = jsData(w.rng);
    let ok = false;
    w.check.call(`register ${typeof name === "string" ? name.slice(0, 20) : typeof name} ${d.kind}`, () => {
      loose(lc.conn).register(name, d.data);
      ok = true;
    });
    if (ok && typeof name === "string") {
      lc.registered.set(name, d);
      w.buffers.push(...d.buffers);
    }
  },
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    const name = w.rng.chance(0.9) ? w.rng.pick(["r0", "r1", "r2"]) : oddValue(w.rng);
    const r = w.check.call("unregister", () => loose(lc.conn).unregister(name));
    if (r === true) lc.registered.delete(name as string);
  },
  // The JS data changes after register(): rewritten or detached, maybe while a query reads it.
  (w) => {
    if (!w.buffers.length) return;
    const buf = w.rng.pick(w.buffers);
    w.check.step("detach or rewrite a registered buffer");
    if (w.rng.chance(0.5)) detach(buf, w.rng);
    else if (buf.byteLength > 0) new Uint8Array(buf).fill(0xff);
  },
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    for (const d of lc.registered.values()) {
      if (d.kind === "rows") for (const row of d.data as { a: unknown }[]) row.a = "changed";
    }
  },
];

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
    w.check.follow("for await of stream, broken early", (async () => {
      let i = 0;
      for await (const _ of s as AsyncIterable<unknown>) if (i++ >= n) break;
    })());
  }
}

const streamSteps: Step[] = [
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    w.adopt(w.check.call("conn.stream", () => loose(lc.conn).stream(w.rng.pick(SQL_POOL), w.rng.pick(FORMATS), queryOptions(w))));
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
    w.adopt(w.check.call("conn.insertStream", () => loose(lc.conn).insertStream(sql, w.rng.pick(["CSV", "CSV", "TSV", oddValue(w.rng)]), opts)));
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

const statementSteps: Step[] = [
  (w) => {
    const lc = w.pickConn();
    if (!lc) return;
    const st = w.check.call("conn.prepare", () => loose(lc.conn).prepare(boundedSql(w), w.rng.pick<unknown>([undefined, { int64: "string" }, oddValue(w.rng)])));
    if (st && typeof st === "object") w.statements.push(st);
  },
  (w) => {
    if (!w.statements.length) return;
    const st = loose(w.rng.pick(w.statements));
    const params = paramsPool(w.rng);
    const opts = w.rng.chance(0.3) ? { signal: w.signal() } : undefined;
    const m = w.rng.pick(["all", "get", "values", "run", "allAsync", "getAsync", "valuesAsync", "runAsync", "iterate", "iterateAsync", "finalize", "columnNames"]);
    if (m === "columnNames") w.check.call("stmt.columnNames", () => st.columnNames);
    else if (m === "iterate") {
      const n = w.rng.int(3);
      w.check.call("stmt.iterate, broken early", () => {
        let i = 0;
        for (const _ of st.iterate(params)) if (i++ >= n) break;
      });
    } else if (m === "iterateAsync") {
      w.check.follow("stmt.iterateAsync", (async () => {
        for await (const _ of st.iterateAsync(params, opts)) break;
      })());
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
    const m = w.rng.pick(["execute", "executeAsync", "executemany", "fetchone", "fetchmany", "fetchall", "close", "description", "iterate"]);
    if (m === "execute") w.check.call("cursor.execute", () => cur.execute(boundedSql(w), paramsPool(w.rng)));
    else if (m === "executeAsync") {
      w.check.call("cursor.executeAsync", () => cur.executeAsync(boundedSql(w), paramsPool(w.rng), w.rng.chance(0.3) ? { signal: w.signal() } : undefined));
    } else if (m === "executemany") {
      w.check.call("cursor.executemany", () => cur.executemany("INSERT INTO fz_t (a) VALUES ({p:Int64})", [paramsPool(w.rng), paramsPool(w.rng)]));
    } else if (m === "description") w.check.call("cursor.description", () => cur.description);
    else if (m === "iterate") w.check.call("for of cursor", () => [...cur].length);
    else w.check.call(`cursor.${m}`, () => cur[m](w.rng.chance(0.2) ? oddValue(w.rng) : undefined));
  },
  (w) => {
    const lc = w.pickConn();
    if (!lc || !w.sets.length) return;
    const live = w.rng.pick(w.sets);
    const sql = w.rng.pick(["SELECT toString(number % 50) AS s FROM numbers(1000)", "SELECT 1 AS n", "SELECT s FROM arrowstream('r0')"]);
    const t = w.check.call("lazy().filter(hashfilter).collect()", () => lc.conn.lazy(sql).filter(col("s").hashfilter.notInAndUpdateRowwise(live.set)).collect());
    if (!live.set.closed) live.model = new Set(live.set.toArray());
    void t;
  },
];

const poolSteps: Step[] = [
  (w) => {
    const opts = w.rng.pick<unknown>([{ size: 2 }, { size: 1, path: w.tempDir }, { size: 0 }, { size: -1 }, { size: 1.5 }, oddValue(w.rng)]);
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
    }
    else if (m === "queryArrowAsync") {
      const p = w.check.call("pool.queryArrowAsync", () => pool.queryArrowAsync(boundedSql(w), queryOptions(w)));
      if (p instanceof Promise) w.check.follow("pool.queryArrowAsync result", p, [], (t) => w.adopt(t));
    } else if (m === "commandAsync") w.check.call("pool.commandAsync", () => pool.commandAsync(boundedSql(w), queryOptions(w)));
    else if (m === "insertAsync") w.check.call("pool.insertAsync", () => pool.insertAsync("fz_t", jsData(w.rng).data));
    else w.check.call(`pool.${m}`, () => pool[m]());
  },
];

/** A string column for the set operations: plain, from an Arrow result (maybe closed, maybe
 * detached by the program), or odd. */
function stringColumn(w: World): unknown {
  const how = w.rng.int(5);
  if (how === 0) return Array.from({ length: w.rng.int(50) }, (_, i) => `k${i % 17}`);
  if (how === 1) return [null, "a", undefined, "", "\0", "é"];
  if (how === 4) return oddValue(w.rng);
  const lc = w.pickConn();
  const t = lc && w.check.call("queryArrow for a column", () => lc.conn.queryArrow("SELECT toString(number % 30) AS s FROM numbers(100)"));
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

const setSteps: Step[] = [
  (w) => {
    const how = w.rng.int(4);
    const s = how === 0
      ? w.check.call("new StringHashSet", () => new StringHashSet())
      : how === 1
      ? w.check.call("StringHashSet.withCapacity", () => loose(StringHashSet).withCapacity(w.rng.pick<unknown>([0, 10, -1, 2 ** 62, NaN, "5"])))
      : how === 2
      ? w.check.call("StringHashSet.fromValues", () => loose(StringHashSet).fromValues(stringColumn(w)))
      : w.check.call("StringHashSet.load", () => loose(StringHashSet).load(w.rng.pick([join(w.tempDir, "set.bin"), join(w.tempDir, "nope.bin"), "/dev/zero", w.tempDir])));
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
    const m = w.rng.pick(["extend", "isIn", "notIn", "notInAndUpdate", "notInAndUpdateRowwise", "update", "updateChain", "updateBool", "clear"]);
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
      if (t) w.check.call("filter(table, isInHashset)", () => filter(t, isInHashset(col(w.rng.pick(["s", "a", "nope"])), live.set)), ["closed-table-read"]);
    }
  },
];

const tableSteps: Step[] = [
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

const defaultSteps: Step[] = [
  (w) => void w.check.call("query()", () => loose(query)(boundedSql(w), w.rng.pick(FORMATS), queryOptions(w))),
  (w) => {
    const [sql, opts] = asyncQuery(w);
    w.check.call("queryAsync()", () => loose(queryAsync)(sql, w.rng.pick(FORMATS), opts));
  },
  (w) => void w.check.call("closeDefaultConnection", () => closeDefaultConnection()),
  (w) => void w.check.call("configureDefaultConnection", () => loose(configureDefaultConnection)(w.rng.pick<unknown>([{}, { settings: { max_threads: 2 } }, oddValue(w.rng)]))),
  (w) => {
    // @clickhouse/client on the engine, lightly. README "@clickhouse/client on the embedded engine":
    // "engine errors are the client's `ClickHouseError`".
    const client = createClient({ url: "chdb://memory" });
    w.check.follow("client.query", (async () => {
      try {
        const rs = await client.query({ query: String(w.rng.pick(BOUNDED_SQL)), format: "JSONEachRow", query_params: PARAMS_RIGHT });
        await rs.json();
      } catch (e) {
        if (!(e instanceof ClickHouseError)) throw e;
      } finally {
        await client.close();
      }
    })());
  },
];

/** Wrong-typed arguments to any method of any live object. */
const METHODS: [string, (w: World) => unknown, string[]][] = [
  ["conn", (w) => w.pickConn()?.conn, ["query", "queryAsync", "queryArrow", "queryArrowAsync", "stream", "streamArrow", "insertStream", "register", "unregister", "prepare", "cancel", "command", "commandAsync", "insert", "insertAsync", "lazy", "sql", "cursor"]],
  ["stream", (w) => w.streams.length ? w.rng.pick(w.streams) : undefined, ["next", "nextAsync", "close"]],
  ["insert", (w) => w.inserts.length ? w.rng.pick(w.inserts) : undefined, ["append", "appendAsync", "done", "doneAsync", "cancel"]],
  ["stmt", (w) => w.statements.length ? w.rng.pick(w.statements) : undefined, ["all", "get", "values", "run", "allAsync", "getAsync", "valuesAsync", "runAsync"]],
  ["cursor", (w) => w.cursors.length ? w.rng.pick(w.cursors) : undefined, ["execute", "executeAsync", "executemany", "fetchone", "fetchmany", "fetchall"]],
  ["pool", (w) => w.pools.length ? w.rng.pick(w.pools) : undefined, ["queryAsync", "queryArrowAsync", "commandAsync", "insertAsync"]],
  ["set", (w) => w.sets.length ? w.rng.pick(w.sets).set : undefined, ["insert", "contains", "remove", "extend", "isIn", "notIn", "notInAndUpdate", "notInAndUpdateRowwise", "update", "updateChain", "updateBool"]],
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
    ...w.conns.map((c) => c.conn), ...w.streams, ...w.inserts, ...w.statements, ...w.cursors, ...w.tables, ...w.pools,
    ...w.sets.map((s) => s.set),
  ];
  if (!all.length) return;
  const target = loose(w.rng.pick(all));
  const asyncDispose = (Symbol as { asyncDispose?: symbol }).asyncDispose;
  if (asyncDispose && typeof target[asyncDispose] === "function" && w.rng.chance(0.5)) {
    w.check.call(`${target.constructor.name}[Symbol.asyncDispose]`, () => target[asyncDispose]());
  } else w.check.call(`${target.constructor.name}[Symbol.dispose]`, () => target[Symbol.dispose]());
};

/** The @clickhouse/client backend alone (createConnection), lightly: its query, ping and close. */
const clientConnectionStep: Step = (w) => {
  const conn = w.check.call("createConnection", () => createConnection({ url: "chdb://memory" }));
  if (!conn) return;
  const ac = new AbortController();
  if (w.rng.chance(0.3)) setTimeout(() => ac.abort(), w.rng.int(20));
  w.check.follow("createConnection: query, ping, close", (async () => {
    try {
      const q = await conn.query({ query: String(w.rng.pick(BOUNDED_SQL)), query_id: w.newQueryId(), abort_signal: ac.signal } as any);
      await loose(q).stream?.destroy?.();
      await conn.ping();
    } catch (e) {
      // README "@clickhouse/client on the embedded engine": engine errors are the client's
      // ClickHouseError; an abort rejects with the client's AbortError ("The user aborted a request.").
      if (!(e instanceof ClickHouseError) && !(e instanceof Error && e.name === "AbortError") && !(e instanceof ChdbError)) throw e;
    } finally {
      await conn.close();
    }
  })());
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
  ...connectionSteps, ...connectionSteps,
  ...registerSteps,
  ...streamSteps, ...streamSteps,
  ...statementSteps,
  ...poolSteps,
  ...setSteps,
  ...tableSteps,
  ...defaultSteps,
  wrongTypeStep, wrongTypeStep, wrongTypeStep,
  disposeStep,
  clientConnectionStep,
  ...tickSteps,
];
