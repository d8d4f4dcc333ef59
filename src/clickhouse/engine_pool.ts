// The engine connections behind one client connection. A request without a session takes an idle
// connection (or opens one: ~0.1 ms, the engine stays booted) and gives it back when its result
// is read; each session_id has a connection of its own, whose temporary tables and SET values
// last until the client closes, and runs its requests one at a time in call order.
// Each engine connection remembers the settings and database it has, so a request changes them
// only when they differ from the previous request's.
import { Connection } from "../connection/connection.ts";
import { requestSettings, settingsChange } from "./request_settings.ts";

/** Idle connections kept for reuse; more are closed when given back. */
const MAX_IDLE = 8;

/** One engine connection and what was applied to it. */
export class Engine {
  applied = new Map<string, string>();
  database = "default";
  constructor(readonly conn: Connection, readonly owned: boolean) {}

  /** Gives the connection the request's database and settings (one engine call, or none). */
  async prepare(database: string, settings: Record<string, unknown> | undefined): Promise<string | undefined> {
    const { values, defaultFormat } = requestSettings(settings);
    const statements: string[] = [];
    if (database !== this.database) statements.push(`USE ${quoteIdentifier(database)}`);
    const set = settingsChange(this.applied, values);
    if (set !== null) statements.push(set);
    if (statements.length > 0) {
      await this.conn.queryAsync(statements.join("; "), "TabSeparated");
      this.database = database;
      this.applied = values;
    }
    return defaultFormat;
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
    if (seed !== undefined) this.#idle.push(new Engine(seed, false));
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
            if (reusable && !this.#closed && this.#idle.length < MAX_IDLE) this.#idle.push(engine);
            else closeEngine(engine);
          });
        },
      };
    }
    let slot = this.#sessions.get(sessionId);
    if (slot === undefined) {
      slot = { engine: new Engine(new Connection(this.path), true), tail: Promise.resolve() };
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
