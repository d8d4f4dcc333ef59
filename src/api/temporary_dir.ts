// Directories of temporary sessions, reused: the engine holds one data path per process, and
// moving it to a new directory reboots it, which leaks 0.1-2 MB inside libchdb each time
// (bench/README.md, "Sessions on paths"). A closed temporary session's directory is kept as the
// spare; the next temporary session gets it back emptied (every database, table, view, dictionary
// and SQL function dropped, stray files removed), so the still-booted engine serves it without
// a reboot. Only one directory path can be open at a time, so a spare is never shared.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Connection } from "../connection/connection.ts";
import { runAtExit } from "../core/native.ts";

const BUILT_IN_DATABASES = ["system", "information_schema", "INFORMATION_SCHEMA", "default"];
// What the engine itself keeps in a data directory; anything else was put there by the caller.
const ENGINE_ENTRIES = new Set(["status", "tmp", "data", "metadata", "store", "user_defined", "metadata_dropped", "flags"]);

let spare: string | undefined;
let forgetSpare: (() => void) | undefined;

function newDir(): string {
  return mkdtempSync(join(tmpdir(), "chdb-ffi-session-"));
}

function setSpare(dir: string | undefined, release: () => void): void {
  forgetSpare?.();
  spare = dir;
  forgetSpare = dir === undefined ? undefined : runAtExit(() => {
    release();
    rmSync(dir, { recursive: true, force: true });
  });
}

function quoted(name: string): string {
  return "`" + name.replaceAll("\\", "\\\\").replaceAll("`", "\\`") + "`";
}

function names(conn: Connection, sql: string): string[] {
  const text = conn.query(sql, "TabSeparatedRaw").text();
  return text === "" ? [] : text.replace(/\n$/, "").split("\n");
}

function entries(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Drops everything a session can leave in its directory; throws when any of it stays. */
function empty(dir: string): void {
  const builtIn = BUILT_IN_DATABASES.map((d) => `'${d}'`).join(", ");
  const databases = `SELECT name FROM system.databases WHERE name NOT IN (${builtIn})`;
  const tables = "SELECT name, engine = 'Dictionary' FROM system.tables WHERE database = 'default'";
  // SQL functions are files in user_defined/; system.functions takes ~50 ms to list: asked only when needed.
  const functionsDir = join(dir, "user_defined");
  const conn = new Connection(dir);
  try {
    conn.query("SET check_table_dependencies = 0, check_referential_table_dependencies = 0");
    for (const db of names(conn, databases)) conn.query(`DROP DATABASE IF EXISTS ${quoted(db)} SYNC`);
    for (const row of names(conn, tables)) {
      const [name, isDictionary] = row.split("\t");
      conn.query(`DROP ${isDictionary === "1" ? "DICTIONARY" : "TABLE"} IF EXISTS default.${quoted(name)} SYNC`);
    }
    if (entries(functionsDir).length > 0) {
      for (const fn of names(conn, "SELECT name FROM system.functions WHERE origin = 'SQLUserDefined'")) {
        conn.query(`DROP FUNCTION IF EXISTS ${quoted(fn)}`);
      }
    }
    const left = [
      ...names(conn, `${databases} UNION ALL SELECT name FROM system.tables WHERE database = 'default'`),
      ...entries(functionsDir),
    ];
    if (left.length > 0) throw new Error(`left after emptying: ${left.join(", ")}`);
  } finally {
    conn.close();
  }
  for (const entry of readdirSync(dir)) {
    if (!ENGINE_ENTRIES.has(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
  }
}

/** A directory for a new temporary session: the spare, emptied, or a new one. */
export function takeTemporaryDir(release: () => void): string {
  const dir = spare;
  if (dir === undefined) return newDir();
  setSpare(undefined, release);
  try {
    empty(dir);
    return dir;
  } catch {
    // Not emptied (another path is open, the directory was damaged...): never hand it out.
    release();
    rmSync(dir, { recursive: true, force: true });
    return newDir();
  }
}

/** Keeps a closed temporary session's directory for the next one; the previous spare is removed. */
export function keepTemporaryDir(dir: string, release: () => void): void {
  const previous = spare;
  setSpare(dir, release);
  if (previous !== undefined && previous !== dir) rmSync(previous, { recursive: true, force: true });
}

/** Removes the spare directory now (at exit: tasks added while exiting would never run). */
export function removeTemporaryDir(release: () => void): void {
  const dir = spare;
  if (dir === undefined) return;
  setSpare(undefined, release);
  release();
  rmSync(dir, { recursive: true, force: true });
}
