// @clickhouse/client's Connection contract (query, insert, command, exec, ping, close) served by
// the embedded engine: what the client sends over HTTP becomes engine calls on a connection of
// the pool (src/clickhouse/engines.ts), results stream from the engine into the Node Readable the
// client's ResultSet reads, and engine errors become the client's ClickHouseError.
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { Connection as EngineConnection, MEMORY } from "../connection.ts";
import { ChdbError } from "../errors.ts";
import { ParamText, type QueryParams } from "../params.ts";
import type { Result } from "../result.ts";
import { type ClientCommon, installedCommon } from "./common.ts";
import { type Engine, EnginePool, type Lease } from "./engines.ts";
import { bufferedReadable, engineReadable } from "./result_stream.ts";
import { changesConnectionState, isStreamable, isStreamRefusal, splitInsertFormat } from "./sql_kind.ts";
import { type ClickHouseSummary, summaryOf } from "./summary.ts";
import { appendsOf, type InsertInput, textOf } from "./values.ts";

export interface ChdbConnectionOptions {
  /** `chdb://memory` (the default) or `chdb:///absolute/path` (one data path per process). */
  url?: string | URL;
  /** Or the data path itself: ":memory:" or a directory. */
  path?: string;
  /** Or a connection of this library's (a Connection or Session): requests use it and more
   * connections on its path; close() leaves it open. */
  connection?: EngineConnection;
  /** The database of requests (HTTP's `database`); default `default`. */
  database?: string;
  /** The client's common layer to use when its sources are loaded twice (see common.ts). */
  common?: ClientCommon;
}

/** Request parameters, as @clickhouse/client's connection layer receives them. */
export interface ConnRequest {
  query: string;
  clickhouse_settings?: Record<string, unknown>;
  query_params?: Record<string, unknown>;
  abort_signal?: AbortSignal;
  session_id?: string;
  query_id?: string;
  [other: string]: unknown;
}

interface BaseResult {
  query_id: string;
  response_headers: Record<string, string>;
  http_status_code: number;
}

const ABORTED = "The user aborted a request.";

/** The data path of a `chdb:` URL. */
export function pathOfUrl(url: string | URL): string {
  const u = new URL(String(url));
  if (u.protocol !== "chdb:") throw new ChdbError(`not a chdb: URL: ${String(url)}`);
  if (u.host === "memory" || u.host === ":memory:") return MEMORY;
  if (u.host !== "") throw new ChdbError(`chdb: URL must be chdb://memory or chdb:///absolute/path, got ${String(url)}`);
  return decodeURIComponent(u.pathname);
}

function base(query_id: string): BaseResult {
  return { query_id, response_headers: {}, http_status_code: 200 };
}

export class ChdbConnection {
  readonly #pool: EnginePool;
  readonly #database: string;
  readonly #common: ClientCommon;

  constructor(options: ChdbConnectionOptions = {}) {
    const path = options.connection?.path ??
      (options.url !== undefined ? pathOfUrl(options.url) : options.path ?? MEMORY);
    this.#pool = new EnginePool(path, options.connection);
    this.#database = options.database ?? "default";
    this.#common = options.common ?? installedCommon();
  }

  /** An engine error as the client's ClickHouseError (code and type), others as they are. */
  #error = (e: unknown): Error => {
    if (e instanceof ChdbError && e.code !== undefined) {
      const mapped = this.#common.parseError(e.message);
      if (mapped !== e) (mapped as { cause?: unknown }).cause = e;
      return mapped;
    }
    return e instanceof Error ? e : new Error(String(e));
  };

  #params(params: ConnRequest): QueryParams | undefined {
    const qp = params.query_params;
    if (qp === undefined || Object.keys(qp).length === 0) return undefined;
    const out: QueryParams = {};
    for (const [name, value] of Object.entries(qp)) out[name] = new ParamText(this.#common.formatQueryParams({ value }));
    return out;
  }

  /**
   * Runs `work` on an engine connection prepared for the request. On failure or abort the
   * connection goes back once the call running on it has settled; on success `work` says when.
   */
  async #request<T>(
    params: ConnRequest,
    work: (engine: Engine, defaultFormat: string, lease: Lease) => Promise<T>,
  ): Promise<T> {
    if (this.#pool.closed) throw new ChdbError("the connection is closed");
    const signal = params.abort_signal;
    if (signal?.aborted) throw new Error(ABORTED);
    const lease = await this.#pool.acquire(params.session_id);
    const running = (async () => {
      const defaultFormat = await lease.engine.prepare(this.#database, params.clickhouse_settings);
      return await work(lease.engine, defaultFormat ?? "TabSeparated", lease);
    })();
    try {
      return signal === undefined ? await running : await abortable(running, signal);
    } catch (e) {
      // After an abort, whatever the call still makes (an open result stream) is closed.
      running.then((made) => (made as { destroy?: () => void } | null)?.destroy?.(), () => {});
      lease.release(true, running);
      throw signal?.aborted ? new Error(ABORTED) : this.#error(e);
    }
  }

  async query(params: ConnRequest): Promise<BaseResult & { stream: Readable }> {
    const query_id = params.query_id ?? randomUUID();
    const qp = this.#params(params);
    const stream = await this.#request(params, async (engine, format, lease) => {
      if (isStreamable(params.query)) {
        const s = engine.conn.stream(params.query, format, { params: qp });
        let first: Result | null;
        try {
          first = await s.nextAsync(); // the engine's errors arrive here, before the result
        } catch (e) {
          s.close();
          if (!isStreamRefusal(e)) throw e;
          return this.#whole(engine, params.query, format, qp, lease, params);
        }
        const readable = engineReadable(s, first, this.#error, (settled) => lease.release(true, settled));
        onAbort(params.abort_signal, () => readable.destroy(new Error(ABORTED)));
        return readable;
      }
      return this.#whole(engine, params.query, format, qp, lease, params);
    });
    return { stream, ...base(query_id) };
  }

  async #whole(
    engine: Engine,
    sql: string,
    format: string,
    qp: QueryParams | undefined,
    lease: Lease,
    params: ConnRequest,
  ): Promise<Readable> {
    const result = await engine.conn.queryAsync(sql, format, { params: qp });
    lease.release(params.session_id !== undefined || !changesConnectionState(sql));
    return bufferedReadable(result);
  }

  async #run(params: ConnRequest, sql: string): Promise<{ result: Result; query_id: string }> {
    const query_id = params.query_id ?? randomUUID();
    const qp = this.#params(params);
    const result = await this.#request(params, async (engine, format, lease) => {
      const r = await engine.conn.queryAsync(sql, format, { params: qp });
      lease.release(params.session_id !== undefined || !changesConnectionState(sql));
      return r;
    });
    return { result, query_id };
  }

  async command(params: ConnRequest): Promise<BaseResult & { summary: ClickHouseSummary }> {
    const { result, query_id } = await this.#run(params, params.query);
    return { ...base(query_id), summary: summaryOf(result) };
  }

  async exec(
    params: ConnRequest & { values?: InsertInput },
  ): Promise<BaseResult & { stream: Readable; summary: ClickHouseSummary }> {
    if (params.values !== undefined) {
      const insert = splitInsertFormat(params.query);
      if (insert !== null) {
        const { summary, query_id } = await this.#insert(params, insert.statement, insert.format, params.values);
        return { stream: bufferedReadable(null), summary, ...base(query_id) };
      }
      const data = await textOf(params.values);
      const { result, query_id } = await this.#run(params, `${params.query}\n${data}`);
      return { stream: bufferedReadable(result), summary: summaryOf(result), ...base(query_id) };
    }
    const { result, query_id } = await this.#run(params, params.query);
    return { stream: bufferedReadable(result), summary: summaryOf(result), ...base(query_id) };
  }

  async insert(params: ConnRequest & { values: InsertInput }): Promise<BaseResult & { summary: ClickHouseSummary }> {
    const insert = splitInsertFormat(params.query);
    if (insert === null) {
      const { result, query_id } = await this.#run(params, `${params.query}\n${await textOf(params.values)}`);
      return { ...base(query_id), summary: summaryOf(result) };
    }
    const { summary, query_id } = await this.#insert(params, insert.statement, insert.format, params.values);
    return { ...base(query_id), summary };
  }

  /** Streams the input into the engine's INSERT, ~1 MB per call; no input inserts nothing. */
  async #insert(params: ConnRequest, statement: string, format: string, values: InsertInput) {
    const query_id = params.query_id ?? randomUUID();
    const qp = this.#params(params);
    const summary = await this.#request(params, async (engine, _format, lease) => {
      const appends = appendsOf(values);
      const first = await appends.next();
      if (first.done) {
        lease.release(true);
        return summaryOf(undefined);
      }
      const ins = engine.conn.insertStream(statement, format, { params: qp });
      try {
        await ins.appendAsync(first.value);
        for await (const bytes of appends) await ins.appendAsync(bytes);
        const result = await ins.doneAsync();
        lease.release(true);
        return summaryOf(result);
      } catch (e) {
        ins.cancel();
        throw e;
      }
    });
    return { summary, query_id };
  }

  async ping(params: Partial<ConnRequest> = {}): Promise<{ success: true } | { success: false; error: Error }> {
    try {
      await this.#run({ ...params, query: "SELECT 1", query_params: undefined, clickhouse_settings: undefined }, "SELECT 1");
      return { success: true };
    } catch (e) {
      return { success: false, error: this.#error(e) };
    }
  }

  async close(): Promise<void> {
    this.#pool.close();
  }
}

function onAbort(signal: AbortSignal | undefined, then: () => void): void {
  if (signal === undefined) return;
  if (signal.aborted) then();
  else signal.addEventListener("abort", then, { once: true });
}

/** Rejects as soon as `signal` aborts, else settles like `promise`. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(new Error(ABORTED));
    signal.addEventListener("abort", stop, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });
}
