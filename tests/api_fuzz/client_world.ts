// The client fuzz's population: @clickhouse/client clients on the engine (and backends used
// directly), what the fuzzer knows of their tables and sessions, the result sets it left unread,
// and a long-lived AbortSignal that counts its listeners (a request must leave none behind).
import type { ClickHouseClient } from "@clickhouse/client";
import type { ChdbConnection } from "../../clickhouse.ts";

/** What a state-changing request may leave: known (a number), or unknown after an abort. */
export interface Known {
  value: number | null;
  /** Requests in flight that may change it: no check is made while there are any. */
  pending: number;
  /** Writes issued so far: a check whose request saw a write issued after it (the pool runs
   * requests in parallel) compares nothing. */
  writes: number;
}

export interface SessionModel {
  /** Rows of the session's temporary table fzc_tmp; undefined until it is created. */
  tmpRows: Known | undefined;
  /** The session's own SET max_block_size (null: the engine default). */
  blockSize: Known;
}

export interface LiveClient {
  client: ClickHouseClient;
  /** The backend alone (createConnection), when the client was made over one. */
  backend?: ChdbConnection;
  /** A table of this client's and its row count (inserts and counts check it). */
  table: string;
  rows: Known;
  sessions: Map<string, SessionModel>;
  closed: boolean;
  /** request_timeout of the client: a tiny one fails requests with "Timeout error.". */
  timeout?: number;
}

/** A result set or stream the fuzzer has not read (closed at the end, or by client.close()). */
export interface Unread {
  close(): void;
}

/** An AbortSignal never aborted, shared by many requests; counts the listeners left on it. */
export class LongSignal {
  readonly controller = new AbortController();
  readonly #listeners = new Set<unknown>();

  constructor() {
    const signal = this.controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = (type: string, listener: unknown, options?: unknown) => {
      if (type === "abort") this.#listeners.add(listener);
      add(type, listener as EventListener, options as AddEventListenerOptions);
    };
    signal.removeEventListener = (type: string, listener: unknown, options?: unknown) => {
      if (type === "abort") this.#listeners.delete(listener);
      remove(type, listener as EventListener, options as EventListenerOptions);
    };
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get listeners(): number {
    return this.#listeners.size;
  }
}

export function known(value: number | null = 0): Known {
  return { value, pending: 0, writes: 0 };
}

export class ClientWorld {
  readonly clients: LiveClient[] = [];
  readonly unread: Unread[] = [];
  readonly longSignal = new LongSignal();
  /** The engine's default max_block_size (undefined: not known, no check of it). */
  defaultBlockSize: number | undefined;
  #ids = 0;

  /** strict: the sequence is the client's alone (no Session elsewhere holds the path), so a
   * request nothing could make fail must succeed. */
  constructor(readonly strict: boolean) {}

  #tables = 0;

  nextQueryId(): string {
    return `fzc-${this.#ids++}`;
  }

  nextTable(): string {
    return `fzc_t${this.#tables++}`;
  }
}
