// The API fuzzer's steps on connections and query(): open and close, every query call, register()
// and what becomes of the registered JS data, cancellation; the checked ones compare known answers.
// deno-lint-ignore-file no-explicit-any -- wrong-typed calls are the point of the fuzzer
import {
  type ArrowTable,
  cancelQuery,
  closeDefaultConnection,
  configureDefaultConnection,
  connect,
  Connection,
  query,
  queryAsync,
  Session,
  sql as sqlTag,
} from "../../mod.ts";
import { CHECKED_SQL, detach, FORMATS, jsData, oddValue, PARAMS_RIGHT } from "./values.ts";
import type { World } from "./world.ts";
import { asyncQuery, boundedSql, connectOptions, loose, pathArg, queryOptions, type Step } from "./arguments.ts";

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
    w.check.follow(
      `${name} queryAsync()`,
      queryAsync(text, "TSV", opts),
      [],
      (r) => w.check.expect(name, r.text().trim(), want),
    );
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
      w.check.follow(
        label,
        (async () => {
          for await (const c of s) chunks.push(c.text());
        })(),
        [],
        () => w.check.expect(label, chunks.join("").trim(), want),
      );
    }
  }
}

export const connectionSteps: Step[] = [
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
    w.check.call(
      "conn.cancel",
      () => loose(lc.conn).cancel(w.queryIds.length ? w.rng.pick(w.queryIds) : oddValue(w.rng)),
    );
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
    else if (how === 1) {
      w.check.call("conn.commandAsync", () => loose(lc.conn).commandAsync(boundedSql(w), queryOptions(w)));
    } else if (how === 2) {
      w.check.call(
        "conn.insert",
        () => loose(lc.conn).insert(w.rng.pick(["fz_t", "no_such_fz", oddValue(w.rng)]), jsData(w.rng).data),
      );
    } else {w.check.call("conn.insertAsync", () =>
        loose(lc.conn).insertAsync(w.rng.pick(["fz_t", oddValue(w.rng)]), jsData(w.rng).data));}
  },
];

export const registerSteps: Step[] = [
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
      if (d.kind === "rows") { for (const row of d.data as { a: unknown }[]) row.a = "changed"; }
    }
  },
];

export const defaultSteps: Step[] = [
  (w) => void w.check.call("query()", () => loose(query)(boundedSql(w), w.rng.pick(FORMATS), queryOptions(w))),
  (w) => {
    const [sql, opts] = asyncQuery(w);
    w.check.call("queryAsync()", () => loose(queryAsync)(sql, w.rng.pick(FORMATS), opts));
  },
  (w) => void w.check.call("closeDefaultConnection", () => closeDefaultConnection()),
  (w) =>
    void w.check.call(
      "configureDefaultConnection",
      () =>
        loose(configureDefaultConnection)(w.rng.pick<unknown>([{}, { settings: { max_threads: 2 } }, oddValue(w.rng)])),
    ),
];
