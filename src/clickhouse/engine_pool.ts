// The engine connections behind one client connection. A request without a session takes an idle
// connection (or opens one: ~0.1 ms, the engine stays booted) and gives it back when its result
// is read; each session_id has a connection of its own, whose temporary tables and SET values
// last until the client closes, and runs its requests one at a time in call order.
// Each engine connection remembers the settings and database it has, so a request changes them
// only when they differ from the previous request's.
import { Connection } from "../connection/connection.ts";
import { ChdbArgumentError } from "../core/errors.ts";
import { requestSettings, setByEveryRequest, settingLiteral, settingsChange } from "./request_settings.ts";

/** Idle connections kept for reuse; more are closed when given back. */
const MAX_IDLE = 8;

/** One engine connection and what was applied to it. */
export class Engine {
  applied = new Map<string, string>();
  database = "default";
  /** False once a request left it a state no SET can undo (readonly): closed when given back. */
  reusable = true;
  /** For a connection with settings of its own (a session's SETs, a given connection's): what
   * each setting a request overrides is put back to (read before the first override). */
  readonly #own: Map<string, string> | undefined;

  constructor(readonly conn: Connection, readonly owned: boolean, keepsOwnSettings = false) {
    this.#own = keepsOwnSettings ? new Map() : undefined;
  }

  /** Gives the connection the request's database and settings (one engine call, or none; a
   * connection with settings of its own reads the values to put back first). */
  async prepare(database: string, settings: Record<string, unknown> | undefined): Promise<string | undefined> {
    const { values, defaultFormat } = requestSettings(settings);
    const readonly = values.get("readonly");
    if (readonly !== undefined && readonly !== "0") {
      // readonly forbids the SET that would put the connection's value back
      if (this.#own !== undefined) {
        throw new ChdbArgumentError("readonly cannot be a request setting in a session or on a given connection (its value could not be put back)");
      }
      this.reusable = false;
    }
    const statements: string[] = [];
    if (database !== this.database) statements.push(`USE ${quoteIdentifier(database)}`);
    if (this.#own !== undefined) await this.#readOwn(values);
    const set = settingsChange(this.applied, values, this.#own);
    if (set !== null) statements.push(set);
    if (statements.length > 0) {
      await this.conn.queryAsync(statements.join("; "), "TabSeparated");
      this.database = database;
      for (const name of this.applied.keys()) if (!values.has(name)) this.#own?.delete(name);
      this.applied = values;
    }
    return defaultFormat;
  }

  /** Reads the connection's own values of the settings about to be overridden for the first time. */
  async #readOwn(values: ReadonlyMap<string, string>): Promise<void> {
    const own = this.#own!;
    const names = [...values.keys()].filter((name) => !own.has(name) && !setByEveryRequest(name));
    if (names.length === 0) return;
    const r = await this.conn.queryAsync(
      "SELECT name, value, changed FROM system.settings WHERE name IN {names:Array(String)} SETTINGS use_query_cache = 0",
      "JSONEachRow",
      { params: { names } },
    );
    for (const row of r.json() as { name: string; value: string; changed: number }[]) {
      own.set(row.name, row.changed ? settingLiteral(row.value) : "DEFAULT");
    }
  }
}

function quoteIdentifier(name: string): string {
  return `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}

/** A taken engine connection: give it back exactly once. */
export interface Lease {
  readonly engine: Engine;
  /**
   * Gives the connection back once `settled` (a call still running on it, e.g. after an abort)
   * has settled. reusable: false closes it instead (a request without a session changed its
   * state: SET, USE, a temporary table); a session keeps its connection either way.
   */
  release(reusable: boolean, settled?: Promise<unknown>): void;
}

function after(settled: Promise<unknown> | undefined, then: () => void): void {
  if (settled === undefined) then();
  else settled.then(then, then);
}

interface SessionSlot {
  engine: Engine;
  tail: Promise<void>;
}

export class EnginePool {
  readonly #idle: Engine[] = [];
  readonly #sessions = new Map<string, SessionSlot>();
  #closed = false;

  /** `seed`: a connection of the caller's, used when idle and never closed by the pool. */
  constructor(readonly path: string, seed?: Connection) {
    if (seed !== undefined) this.#idle.push(new Engine(seed, false, true));
  }

  get closed(): boolean {
    return this.#closed;
  }

  async acquire(sessionId: string | undefined): Promise<Lease> {
    if (sessionId === undefined || sessionId === "") {
      const engine = this.#idle.pop() ?? new Engine(new Connection(this.path), true);
      let released = false;
      return {
        engine,
        release: (reusable, settled) => {
          if (released) return;
          released = true;
          after(settled, () => {
            if (reusable && engine.reusable && !this.#closed && this.#idle.length < MAX_IDLE) this.#idle.push(engine);
            else closeEngine(engine);
          });
        },
      };
    }
    let slot = this.#sessions.get(sessionId);
    if (slot === undefined) {
      slot = { engine: new Engine(new Connection(this.path), true, true), tail: Promise.resolve() };
      this.#sessions.set(sessionId, slot);
    }
    const previous = slot.tail;
    let done!: () => void;
    slot.tail = new Promise<void>((resolve) => done = resolve);
    await previous;
    let released = false;
    const s = slot;
    return {
      engine: s.engine,
      release: (_reusable, settled) => {
        if (released) return;
        released = true;
        after(settled, done);
      },
    };
  }

  /** Closes every connection the pool opened (calls in flight finish first). */
  close(): void {
    this.#closed = true;
    for (const engine of this.#idle.splice(0)) closeEngine(engine);
    for (const slot of this.#sessions.values()) closeEngine(slot.engine);
    this.#sessions.clear();
  }
}

function closeEngine(engine: Engine): void {
  if (engine.owned) engine.conn.close();
}
