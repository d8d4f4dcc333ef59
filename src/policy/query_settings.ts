// Per-query engine settings: `query(sql, format, { settings: { max_threads: 1 } })`. The engine has
// no per-call settings for arbitrary SQL, so src/policy/query_policy.ts SETs them on the connection's own
// lane just before the query and puts the connection's values back right after (also after an
// error). The values to put back are read from system.settings in that same call order, just
// before the SET: they are the connection's current ones (its connect settings, or a SET the user
// ran), and the same read finds unknown names before anything is changed. SettingsMemory keeps
// them until SQL that may SET runs on the connection.
import { ChdbArgumentError, ChdbError } from "../core/errors.ts";

/** Engine settings for one query, e.g. `{ max_threads: 1, max_block_size: 8192 }`. */
export type QuerySettings = Record<string, string | number | boolean>;

/** The per-query `settings` option of the query calls (see {@link QuerySettings}). */
export interface SettingsOption {
  /**
   * Engine settings for this query only (the connection's values are put back after it). Names
   * are checked against the engine's; `readonly` is refused; under `sandbox`, only the limits'
   * settings (max_execution_time, max_memory_usage, max_rows_to_read, max_result_bytes).
   */
  settings?: QuerySettings;
}

/** The settings of one query: name -> SQL literal, in the order given. */
export type PlannedSettings = ReadonlyMap<string, string>;

// `readonly` set for one query would forbid the SET that puts the connection's value back.
const neverPerQuery = new Set(["readonly"]);

/** A SQL string literal for `text` (quote and backslash escaped). */
function quoted(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/**
 * The `settings` option checked: undefined when there is none (the common case, no cost).
 * `allowedInSandbox`: the names a sandboxed connection may set (its limits); undefined when not
 * sandboxed. `limitNames`: engine names the query's limit options already set (given twice is refused).
 */
export function querySettingsOf(
  settings: unknown,
  allowedInSandbox: ReadonlySet<string> | undefined,
  limitNames: ReadonlySet<string>,
): PlannedSettings | undefined {
  if (settings === undefined) return undefined;
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
    throw new ChdbArgumentError("settings must be an object of setting names to values, e.g. { max_threads: 1 }");
  }
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(settings)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ChdbArgumentError(`invalid setting name: ${JSON.stringify(name)}`);
    }
    if (neverPerQuery.has(name)) {
      throw new ChdbArgumentError(`setting ${name} cannot be set per query (the connection could not be restored)`);
    }
    if (allowedInSandbox && !allowedInSandbox.has(name)) {
      throw new ChdbArgumentError(
        `refused by the sandbox: per-query setting ${name} (a sandboxed query may set only its limits: ${
          [...allowedInSandbox].join(", ")
        })`,
      );
    }
    if (limitNames.has(name)) {
      throw new ChdbArgumentError(`setting ${name} is given twice: as a limit option and in settings`);
    }
    out.set(name, literalOf(name, value));
  }
  return out.size === 0 ? undefined : out;
}

function literalOf(name: string, value: unknown): string {
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string" && !value.includes("\0")) return quoted(value);
  throw new ChdbArgumentError(
    `setting ${name} must be a string (without NUL bytes), a finite number or a boolean, got ${String(value)}`,
  );
}

/** The query (JSONCompactEachRow) that reads the connection's values of `settings` (none: undefined). */
export function currentValuesSql(settings: PlannedSettings | undefined): string | undefined {
  if (settings === undefined) return undefined;
  // use_query_cache = 0: a connection with the query cache on refuses to cache a system table.
  const names = [...settings.keys()].map(quoted).join(", ");
  return `SELECT name, value, changed, readonly FROM system.settings WHERE name IN (${names}) SETTINGS use_query_cache = 0`;
}

/**
 * What a connection's settings were before its per-query ones: the restore literal of each name
 * read (DEFAULT for a setting the connection never changed), kept until SQL that may SET runs on
 * the connection, so that a query repeating its settings reads system.settings (~3 ms of CPU)
 * once. Order: calls are planned when made and run later in call order, so a read is kept only
 * when no SQL that may SET was admitted between the plan and the run (`epoch`).
 */
export class SettingsMemory {
  #restore = new Map<string, string>();
  #epoch = 0;

  /** The epoch a call is planned in. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Forgets every value when `sql` may change settings (a SET statement; a false alarm costs one read). */
  admit(sql: string): void {
    if (/\bset\b/i.test(sql)) {
      this.#epoch++;
      this.#restore.clear();
    }
  }

  /**
   * For a call planned in `epoch`, about to run: the restore literals known of `settings`, and
   * the names whose values must be read (undefined: none).
   */
  lookup(settings: PlannedSettings, epoch: number): { known: Map<string, string>; read: PlannedSettings | undefined } {
    const known = new Map<string, string>();
    if (epoch !== this.#epoch) return { known, read: settings };
    const read = new Map<string, string>();
    for (const [name, literal] of settings) {
      const restore = this.#restore.get(name);
      if (restore === undefined) read.set(name, literal);
      else known.set(name, restore);
    }
    return { known, read: read.size === 0 ? undefined : read };
  }

  /**
   * The SET statement that puts the connection's values back, from lookup() and the rows of
   * currentValuesSql(lookup().read) (when some were read): throws for unknown names and settings the
   * connection may not change (before anything is SET).
   */
  restoreStatement(
    settings: PlannedSettings,
    looked: { known: Map<string, string>; read: PlannedSettings | undefined },
    rows: string,
    epoch: number,
  ): string {
    const { known, read } = looked;
    const fresh = new Map<string, string>();
    const locked: string[] = [];
    for (const line of rows.split("\n")) {
      if (line === "") continue;
      const [name, value, changed, readonly] = JSON.parse(line) as [string, string, number, number];
      if (readonly !== 0) locked.push(name);
      // An unchanged setting goes back to DEFAULT, so it stays "unchanged" for the engine.
      fresh.set(name, changed ? quoted(value) : "DEFAULT");
    }
    const unknown = [...(read ?? new Map()).keys()].filter((name) => !fresh.has(name));
    if (unknown.length > 0) throw new ChdbArgumentError(`unknown setting(s): ${unknown.join(", ")}`);
    if (locked.length > 0) {
      throw new ChdbArgumentError(`setting(s) that this connection may not change: ${locked.join(", ")}`);
    }
    const keep = epoch === this.#epoch;
    if (keep) { for (const [name, literal] of fresh) this.#restore.set(name, literal); }
    return `SET ${[...settings.keys()].map((name) => `${name} = ${fresh.get(name) ?? known.get(name)}`).join(", ")}`;
  }
}

/** The SET statement for the query's own values. */
export function setStatement(settings: PlannedSettings): string {
  return `SET ${[...settings].map(([name, literal]) => `${name} = ${literal}`).join(", ")}`;
}

/** An engine error from setStatement() (a value it cannot parse, out of range...), named as such. */
export function setFailure(e: unknown, settings: PlannedSettings): unknown {
  if (!(e instanceof ChdbError) || e instanceof ChdbArgumentError) return e;
  const given = [...settings].map(([name, literal]) => `${name} = ${literal}`).join(", ");
  return new ChdbArgumentError(`invalid per-query settings (${given}): ${e.message}`, { code: e.code, cause: e });
}
