// The API fuzzer's population: the live objects a sequence has made, and what it knows about them
// (the path a connection holds, the data registered on it, a hash set's model).
import {
  ArrowBatchStream,
  ArrowTable,
  type Connection,
  type Cursor,
  InsertStream,
  type Pool,
  QueryStream,
  type Statement,
  StringHashSet,
} from "../../mod.ts";
import type { Checker } from "./checker.ts";
import { ClientWorld } from "./client_world.ts";
import type { JsData, Rng } from "./values.ts";

export interface LiveConnection {
  conn: Connection;
  path: string;
  /** Tables registered on it by name (a wrong answer on their sum is a finding). */
  registered: Map<string, JsData>;
}

export interface LiveSet {
  set: StringHashSet;
  /** What the set holds, as far as the calls that succeeded say. */
  model: Set<string>;
}

export class World {
  readonly conns: LiveConnection[] = [];
  readonly streams: (QueryStream | ArrowBatchStream)[] = [];
  readonly inserts: InsertStream[] = [];
  readonly statements: Statement[] = [];
  readonly cursors: Cursor[] = [];
  readonly tables: ArrowTable[] = [];
  readonly pools: Pool[] = [];
  readonly sets: LiveSet[] = [];
  readonly controllers: AbortController[] = [];
  readonly queryIds: string[] = [];
  /** Buffers of data already registered (or of results) that a step may detach or rewrite. */
  readonly buffers: ArrayBufferLike[] = [];
  #ids = 0;

  /** The @clickhouse/client clients and what is known of them (client_world.ts). */
  readonly client: ClientWorld;

  /** strict: a client-only sequence (see ClientWorld). */
  constructor(readonly rng: Rng, readonly check: Checker, readonly tempDir: string, strict = false) {
    this.client = new ClientWorld(strict);
  }

  pickConn(): LiveConnection | undefined {
    return this.conns.length ? this.rng.pick(this.conns) : undefined;
  }

  newQueryId(): string {
    const id = `fz-${this.#ids++}`;
    this.queryIds.push(id);
    return id;
  }

  /** An AbortSignal: never aborted, aborted now, after a few ms, or by a later step; `surely`:
   * aborted now or after a few ms. */
  signal(surely = false): AbortSignal {
    const ctrl = new AbortController();
    this.controllers.push(ctrl);
    const when = surely ? 1 + this.rng.int(2) : this.rng.int(4);
    if (when === 1) this.abort(ctrl);
    else if (when === 2) setTimeout(() => this.abort(ctrl), this.rng.int(30));
    return ctrl.signal;
  }

  abort(ctrl: AbortController): void {
    const reason = this.rng.pick<unknown>([undefined, new Error("fz abort"), "fz-reason", 42]);
    ctrl.abort(reason);
    this.check.abortReasons.add(ctrl.signal.reason);
  }

  /** Puts an object a call returned into the population. */
  adopt(value: unknown): void {
    if (value instanceof QueryStream || value instanceof ArrowBatchStream) this.streams.push(value);
    else if (value instanceof InsertStream) this.inserts.push(value);
    else if (value instanceof ArrowTable) this.tables.push(value);
    else if (value instanceof StringHashSet) {
      this.sets.push({ set: value, model: new Set(value.closed ? [] : value.toArray()) });
    }
  }
}
