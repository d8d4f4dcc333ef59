// @clickhouse/client's Connection contract (query, insert, command, exec, ping, close) served by
// the embedded engine: what the client sends over HTTP becomes engine calls on a connection of
// the pool (src/clickhouse/engine_pool.ts), results stream from the engine into the Node Readable the
// client's ResultSet reads, and engine errors become the client's ClickHouseError.
import { randomUUID } from "node:crypto";
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import { Connection as EngineConnection, MEMORY } from "../connection/connection.ts";
import { killOnAbort } from "../policy/kill_query.ts";
import { ChdbClosedError, ChdbError } from "../core/errors.ts";
import { ParamText, type QueryParams } from "../core/params.ts";
import type { Result } from "../core/result.ts";
import { type ClientCommon, installedCommon } from "./client_common.ts";
import { type Engine, EnginePool, type Lease } from "./engine_pool.ts";
import { streamedHeaderLines } from "./block_formats.ts";
import { formatOf, responseHeaders } from "./response_headers.ts";
import { bufferedReadable, engineReadable } from "./engine_readable.ts";
import { changesConnectionState, isStreamable, isStreamRefusal, splitInsertFormat } from "./sql_kind.ts";
import { type ClickHouseSummary, summaryOf } from "./clickhouse_summary.ts";
import { appendsOf, type InsertInput, textOf } from "./values.ts";
import { Stopper } from "./stopper.ts";
import { claimQueryId } from "./running_ids.ts";

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
  /** Milliseconds after which a request fails with "Timeout error." and its query is stopped. */
  request_timeout?: number;
  /** The client's common layer to use when its sources are loaded twice (see client_common.ts). */
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
  ignore_error_response?: boolean;
  [other: string]: unknown;
}

interface BaseResult {
  query_id: string;
  response_headers: Record<string, string>;
  http_status_code: number;
}

/** The data path of a `chdb:` URL. */
export function pathOfUrl(url: string | URL): string {
  const u = new URL(String(url));
  if (u.protocol !== "chdb:") throw new ChdbError(`not a chdb: URL: ${String(url)}`);
  if (u.host === "memory" || u.host === ":memory:") return MEMORY;
  if (u.host !== "") throw new ChdbError(`chdb: URL must be chdb://memory or chdb:///absolute/path, got ${String(url)}`);
  return decodeURIComponent(u.pathname);
}

// The request's id: the client's query_id (as over HTTP, an empty one counts as none), or a new
// UUID. The library's calls run under it (result.queryId, error.queryId, conn.cancel(id)); in
// system.processes the engine's own `query_id` column shows an id of the engine's, and the query
// text starts with the library's comment `/* chdb-ffi query <id> */`.
function requestIdOf(params: Partial<ConnRequest>): string {
  return params.query_id || randomUUID();
}

function result(query_id: string, format: string, summary?: ClickHouseSummary): BaseResult {
  return { query_id, response_headers: responseHeaders(format, query_id, summary), http_status_code: 200 };
}

/** What a request's work gets: its engine connection and how to end or stop it. */
interface Work {
  engine: Engine;
  lease: Lease;
  /** The output format of SQL without a FORMAT clause. */
  defaultFormat: string;
  stopper: Stopper;
  /** The result outlives the request (a stream): the abort signal is followed, and the query_id
   * kept, until it ends (then releaseId()). */
  keepListening(): void;
  releaseId(): void;
  /** The request's id (the client's query_id) for the library's calls: a stop kills the engine's
   * query of that id (src/policy/kill_query.ts) until the request's work has settled. */
  queryId: string;
  /** Aborted on a stop: the library kills a result or insert stream's query with it until the
   * stream ends. None when nothing can stop the request (no abort signal, no timeout). */
  signal: AbortSignal | undefined;
}

export class ChdbConnection {
  readonly #pool: EnginePool;
  readonly #database: string;
  readonly #common: ClientCommon;
  readonly #timeout: number | undefined;
  /** Result streams not yet ended: close() ends them (each holds an engine connection). Weak: a
   * result dropped unread is collected, and then ends itself (engine_readable.ts). */
  readonly #streams = new Set<WeakRef<Readable>>();

  constructor(options: ChdbConnectionOptions = {}) {
    const path = options.connection?.path ??
      (options.url !== undefined ? pathOfUrl(options.url) : options.path ?? MEMORY);
    this.#pool = new EnginePool(path, options.connection);
    this.#database = options.database ?? "default";
    this.#common = options.common ?? installedCommon();
    this.#timeout = options.request_timeout;
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
   * Runs `work` on an engine connection prepared for the request. An abort or the timeout
   * rejects at once and stops the engine's query (the library's cancellation, src/policy/kill_query.ts: a
   * KILL QUERY of the request's id); the connection goes back once the call running on it has
   * settled. (Not queryAsync's own `signal`: it stops the wait, and the connection would go back
   * with the killed call still on it.) On success `work` gives the connection back itself (a
   * result stream keeps it until read).
   */
  async #request<T>(params: ConnRequest, queryId: string, work: (w: Work) => Promise<T>): Promise<T> {
    if (this.#pool.closed) throw closedError();
    const stopper = new Stopper(params.abort_signal, this.#timeout);
    stopper.throwIfStopped();
    const releaseId = claimQueryId(this.#pool.path, queryId);
    if (releaseId === null) {
      stopper.detach();
      throw this.#common.parseError(
        `Code: 216. DB::Exception: Query with id = ${queryId} is already running. (QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING)`,
      );
    }
    // A request nothing can stop (most: no abort signal, no timeout) needs no kill wiring.
    const signal = stopper.abortSignal();
    const killer = killOnAbort(this.#pool.path, queryId, signal);
    let lease: Lease | undefined;
    let listening = false;
    const running = (async () => {
      lease = await this.#pool.acquire(params.session_id);
      stopper.throwIfStopped();
      const defaultFormat = await lease.engine.prepare(this.#database, params.clickhouse_settings);
      stopper.throwIfStopped();
      return await work({
        engine: lease.engine,
        lease,
        defaultFormat: defaultFormat ?? "TabSeparated",
        stopper,
        keepListening: () => listening = true,
        releaseId,
        queryId,
        signal,
      });
    })();
    if (signal !== undefined) running.then(() => killer.settled(), () => killer.settled());
    running.then(() => listening || releaseId(), releaseId);
    try {
      return await (signal === undefined ? running : stopper.race(running));
    } catch (e) {
      // Whatever the call still makes (an open result stream) is closed when it arrives.
      running.then((made) => (made as { destroy?: () => void } | null)?.destroy?.(), () => {});
      running.then(() => lease?.release(true), () => lease?.release(true));
      if (stopper.stopped) throw stopper.error();
      throw this.#error(e);
    } finally {
      if (listening) stopper.dispose();
      else stopper.detach();
    }
  }

  async query(params: ConnRequest): Promise<BaseResult & { stream: Readable }> {
    const query_id = requestIdOf(params);
    const qp = this.#params(params);
    let format = "TabSeparated";
    const stream = await this.#request(params, query_id, async (w) => {
      format = formatOf(params.query, w.defaultFormat);
      const headerLines = streamedHeaderLines(format);
      if (isStreamable(params.query) && headerLines !== null) {
        const s = w.engine.conn.stream(params.query, w.defaultFormat, { params: qp, queryId: w.queryId, signal: w.signal });
        let first: Result | null;
        try {
          first = await s.nextAsync(); // the engine's errors arrive here, before the result
        } catch (e) {
          s.close();
          if (!isStreamRefusal(e)) throw e;
          return this.#whole(w, params.query, qp, params);
        }
        const readable = engineReadable(s, first, headerLines, this.#error, requestEnd(w.stopper, w.lease, w.releaseId));
        w.keepListening();
        this.#track(readable, w.stopper);
        return readable;
      }
      return this.#whole(w, params.query, qp, params);
    });
    if (this.#pool.closed) {
      // close() came while the request ran: its stream would hold an engine connection forever
      stream.destroy();
      throw closedError();
    }
    return { stream, ...result(query_id, format) };
  }

  async #whole(w: Work, sql: string, qp: QueryParams | undefined, params: ConnRequest): Promise<Readable> {
    const r = await w.engine.conn.queryAsync(sql, w.defaultFormat, { params: qp, queryId: w.queryId });
    w.lease.release(params.session_id !== undefined || !changesConnectionState(sql));
    return bufferedReadable(r);
  }

  /** Runs a statement whole; ignore_error_response turns an engine error into the response body. */
  async #run(
    params: ConnRequest,
    query_id: string,
    sql: string,
  ): Promise<{ output: Readable; summary: ClickHouseSummary; format: string }> {
    const qp = this.#params(params);
    let format = "TabSeparated";
    try {
      return await this.#request(params, query_id, async (w) => {
        format = formatOf(sql, w.defaultFormat);
        const r = await w.engine.conn.queryAsync(sql, w.defaultFormat, { params: qp, queryId: w.queryId });
        w.lease.release(params.session_id !== undefined || !changesConnectionState(sql));
        return { output: bufferedReadable(r), summary: summaryOf(r), format };
      });
    } catch (e) {
      if (params.ignore_error_response !== true || !(e instanceof Error) || !("code" in e)) throw e;
      return { output: Readable.from([Buffer.from((e as Error).message)]), summary: summaryOf(undefined), format };
    }
  }

  async command(params: ConnRequest): Promise<BaseResult & { summary: ClickHouseSummary }> {
    const query_id = requestIdOf(params);
    const { output, summary, format } = await this.#run(params, query_id, params.query);
    output.destroy();
    return { ...result(query_id, format, summary), summary };
  }

  async exec(
    params: ConnRequest & { values?: InsertInput },
  ): Promise<BaseResult & { stream: Readable; summary: ClickHouseSummary }> {
    const query_id = requestIdOf(params);
    if (params.values !== undefined) {
      const insert = splitInsertFormat(params.query);
      if (insert !== null) {
        const summary = await this.#insert(params, query_id, insert.statement, insert.format, params.values);
        return { stream: bufferedReadable(null), summary, ...result(query_id, "TabSeparated", summary) };
      }
      const data = await textOf(params.values);
      const { output, summary, format } = await this.#run(params, query_id, `${params.query}\n${data}`);
      return { stream: output, summary, ...result(query_id, format, summary) };
    }
    const { output, summary, format } = await this.#run(params, query_id, params.query);
    return { stream: output, summary, ...result(query_id, format, summary) };
  }

  async insert(params: ConnRequest & { values: InsertInput }): Promise<BaseResult & { summary: ClickHouseSummary }> {
    const query_id = requestIdOf(params);
    const insert = splitInsertFormat(params.query);
    const summary = insert === null
      ? (await this.#run(params, query_id, `${params.query}\n${await textOf(params.values)}`)).summary
      : await this.#insert(params, query_id, insert.statement, insert.format, params.values);
    return { ...result(query_id, "TabSeparated", summary), summary };
  }

  /**
   * Streams the input into the engine's INSERT, ~1 MB per call; no input inserts nothing. A stop
   * cancels the INSERT, also during an append or the final commit (the library kills the INSERT
   * of the request's id): nothing of it is committed.
   */
  #insert(
    params: ConnRequest,
    query_id: string,
    statement: string,
    format: string,
    values: InsertInput,
  ): Promise<ClickHouseSummary> {
    const qp = this.#params(params);
    return this.#request(params, query_id, async (w) => {
      const appends = appendsOf(values);
      try {
        const first = await appends.next();
        w.stopper.throwIfStopped();
        if (first.done) {
          w.lease.release(true);
          return summaryOf(undefined);
        }
        const ins = w.engine.conn.insertStream(statement, format, { params: qp, queryId: w.queryId, signal: w.signal });
        try {
          await ins.appendAsync(first.value);
          for await (const bytes of appends) {
            w.stopper.throwIfStopped();
            await ins.appendAsync(bytes);
          }
          w.stopper.throwIfStopped();
          const r = await ins.doneAsync();
          w.lease.release(true);
          return summaryOf(r);
        } catch (e) {
          ins.cancel();
          throw e;
        }
      } finally {
        await appends.return(undefined);
      }
    });
  }

  async ping(params: Partial<ConnRequest> = {}): Promise<{ success: true } | { success: false; error: Error }> {
    try {
      const request = { ...params, query: "SELECT 1", query_params: undefined, clickhouse_settings: undefined };
      await this.#run(request, requestIdOf(request), "SELECT 1");
      return { success: true };
    } catch (e) {
      return { success: false, error: this.#error(e) };
    }
  }

  /** Follows a result stream until it ends: a stop destroys it, and so does close(). */
  #track(readable: Readable, stopper: Stopper): void {
    // Weak references only: neither the request's stopper nor the connection may keep a result
    // dropped unread alive (it ends itself once collected, engine_readable.ts).
    const ref = new WeakRef(readable);
    stopper.onStop(() => ref.deref()?.destroy(stopper.error()));
    this.#streams.add(ref);
    readable.once("close", () => this.#streams.delete(ref));
  }

  /** Closes the pool and ends the result streams not yet read (their queries are cancelled and
   * their readers get a ChdbClosedError), as closing an HTTP agent ends its responses. */
  async close(): Promise<void> {
    this.#pool.close();
    for (const ref of this.#streams) ref.deref()?.destroy(closedError());
  }
}

/**
 * What ends a result stream's request (its stopper, connection and id), made here, outside the
 * request's async functions: JavaScriptCore keeps an async function's locals (the Readable among
 * them) with every closure made in it, and this one must not hold the Readable (engine_readable.ts).
 */
function requestEnd(stopper: Stopper, lease: Lease, releaseId: () => void): (settled: Promise<unknown> | undefined) => void {
  return (settled) => {
    stopper.detach();
    lease.release(true, settled);
    if (settled === undefined) releaseId();
    else settled.then(releaseId, releaseId);
  };
}

function closedError(): ChdbClosedError {
  return new ChdbClosedError("the client was closed");
}
