// The sandbox for untrusted SQL: `connect(path, { sandbox: true })` (or `{ sandbox: { allowRead:
// [dirs] } }`). Three lines, each named where it acts:
//
// 1. The engine, per connection (settings given at connect, which SQL cannot undo):
//    readonly=2 (no INSERT, DDL or other writes; `readonly` itself cannot change), allow_ddl=0,
//    allow_introspection_functions=0, and the resource limits (src/policy/limits.ts) with defaults.
//    The engine would refuse table functions under readonly=1, but also the `arrowstream()` that
//    reads registered JS tables, hence readonly=2, which lets SET and SETTINGS through: line 2
//    refuses those.
// 2. The engine's parser, asked before the query runs (chdb_classify_query_n on a second
//    connection): exactly one statement, of the engine's class READ_ONLY. This refuses SET, KILL,
//    SYSTEM, USE, INTO OUTFILE, INSERT (also INTO FUNCTION file/url/...), CREATE, DROP, ALTER,
//    BACKUP, EXECUTE AS, and text that does not parse (the engine runs several statements one by
//    one, so a text whose tail fails to parse could still run its head).
// 3. Our check of the engine's syntax tree (EXPLAIN AST on that second connection, read-only,
//    with the query's own parameters bound so that {x:Identifier} is substituted): the statement
//    is a SELECT (with WITH, UNION, subqueries) or DESCRIBE; no SETTINGS clause anywhere; table
//    functions only from an allowlist (numbers, zeros, values, view, generateRandom, null,
//    generate_series, arrowstream for registered JS tables, file() only for literal paths under
//    `allowRead`); no scalar file(), no JS UDF; no table of the `system` or
//    `information_schema` databases (other connections' queries, settings, users...); no table
//    name that is a path or an existing file (the engine reads a file named like a table when no
//    such table exists) unless it lies under `allowRead`.
//
// SYSTEM SHUTDOWN and SYSTEM KILL are refused in every mode, sandbox or not, by the engine's
// access control (native/access.cpp).
import { realpathSync, statSync } from "node:fs";
import { isAbsolute, resolve, sep } from "node:path";
import process from "node:process";
import { QueryClass } from "../core/abi.ts";
import { classifyStatement } from "../core/connection_calls.ts";
import { utf8 } from "../core/encoding.ts";
import { ChdbArgumentError, ChdbQueryError } from "../core/errors.ts";
import type { Limits } from "./limits.ts";
import { encodeParams, type QueryParams } from "../core/params.ts";
import { type SideConnection, withSideConnection } from "../core/side_connection.ts";
import { udfNames } from "./udf_names.ts";

/** The sandbox's options (README "Running untrusted SQL"). */
export interface SandboxOptions {
  /** Directories whose files SQL may read with file('path') (literal paths, no globs). */
  allowRead?: string[];
}

/** The limits a sandboxed connection gets unless it names its own. */
export const sandboxDefaults: Required<Limits> = {
  timeout: 30_000,
  maxMemory: 1 << 30,
  maxRowsRead: 1_000_000_000,
  maxResultBytes: 256 << 20,
};

/** Engine settings of every sandboxed connection (line 1). */
export const sandboxSettings: Record<string, number> = { readonly: 2, allow_ddl: 0, allow_introspection_functions: 0 };

/** A parsed `sandbox` option, or undefined when the connection is not sandboxed. */
export interface Sandbox {
  readonly allowRead: readonly string[];
}

export function sandboxOf(option: unknown): Sandbox | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return { allowRead: [] };
  if (typeof option !== "object" || option === null || Array.isArray(option)) {
    throw new ChdbArgumentError("sandbox must be true, false or { allowRead?: string[] }");
  }
  const dirs = (option as SandboxOptions).allowRead ?? [];
  if (!Array.isArray(dirs) || dirs.some((d) => typeof d !== "string" || d === "" || d.includes("\0"))) {
    throw new ChdbArgumentError("sandbox.allowRead must be an array of directory paths");
  }
  return { allowRead: dirs.map((d) => realpathSync(resolve(d))) };
}

const allowedTableFunctions = new Set([
  "numbers", "numbers_mt", "zeros", "zeros_mt", "generate_series", "generateseries", "values", "null", "view",
  "generaterandom", "arrowstream",
]);
const refusedDatabases = new Set(["system", "information_schema"]);
const allowedRoots = new Set(["SelectWithUnionQuery", "SelectIntersectExceptQuery", "DescribeQuery"]);

function refuse(why: string): never {
  throw new ChdbQueryError(`refused by the sandbox: ${why}`, { code: 497 });
}

interface AstNode {
  depth: number;
  kind: string; // first word: SelectQuery, Function, TableExpression, Identifier...
  name: string; // second word (a function's or identifier's name), "" if none
  text: string;
  parent: AstNode | undefined;
}

function astOf(side: SideConnection, sql: string, params: Uint8Array): AstNode[] {
  const rows = side.query(`EXPLAIN AST ${sql}`, "JSONCompactEachRow", params).json<string[][]>();
  const nodes: AstNode[] = [];
  const open: AstNode[] = [];
  for (const [line] of rows) {
    const depth = line.length - line.trimStart().length;
    const text = line.trimStart();
    const [kind = "", name = ""] = text.split(" ", 2);
    while (open.length > 0 && open[open.length - 1].depth >= depth) open.pop();
    const node = { depth, kind, name, text, parent: open[open.length - 1] };
    nodes.push(node);
    open.push(node);
  }
  return nodes;
}

/** A string literal's value, from EXPLAIN AST's `Literal '...'`; undefined for other literals. */
function stringLiteral(node: AstNode | undefined): string | undefined {
  const m = node && /^Literal '((?:[^'\\]|\\.)*)'$/.exec(node.text);
  return m ? m[1].replace(/\\(.)/g, "$1") : undefined;
}

function checkFileRead(nodes: AstNode[], at: number, sandbox: Sandbox): void {
  const path = stringLiteral(nodes.slice(at + 1).find((n) => n.kind === "Literal" && n.parent?.parent === nodes[at]));
  if (path === undefined) refuse("file() needs a literal path");
  checkPath(path, sandbox);
}

/**
 * arrowstream() only for a literal name: the names this connection registered are rewritten to
 * fresh engine names (`name#N`) just before the query runs; a `#` name is another call's table.
 */
function checkOwnTable(nodes: AstNode[], at: number): void {
  const name = stringLiteral(nodes.slice(at + 1).find((n) => n.kind === "Literal" && n.parent?.parent === nodes[at]));
  if (name === undefined || name.includes("#")) refuse("arrowstream() takes the literal name of a table registered on this connection");
}

/** A file the query would read (file() or a path used as a table name) must lie under allowRead. */
function checkPath(path: string, sandbox: Sandbox): void {
  if (sandbox.allowRead.length === 0) refuse("reading files is not allowed (sandbox.allowRead names the directories it may read)");
  if (/[*?{}]/.test(path)) refuse("file paths may not hold glob patterns in the sandbox");
  let real: string;
  try {
    real = realpathSync(isAbsolute(path) ? path : resolve(process.cwd(), path));
  } catch {
    refuse(`file path ${JSON.stringify(path)} is not an existing file under sandbox.allowRead`);
  }
  if (!sandbox.allowRead.some((dir) => real === dir || real.startsWith(dir.endsWith(sep) ? dir : dir + sep))) {
    refuse(`file path ${JSON.stringify(path)} is outside sandbox.allowRead`);
  }
}

function isFile(name: string): boolean {
  try {
    return statSync(resolve(process.cwd(), name)).isFile();
  } catch {
    return false;
  }
}

/** Lines 2 and 3: throws a ChdbQueryError (code 497, ACCESS_DENIED) for SQL the sandbox refuses. */
export function checkSandboxed(sandbox: Sandbox, path: string, sql: string, params: QueryParams | undefined): void {
  if (typeof sql !== "string") return; // the caller reports it
  const encodedParams = encodeParams(params);
  withSideConnection(path, (side) => {
    let analysis;
    try {
      analysis = classifyStatement(side.handle, utf8(sql));
    } catch (e) {
      refuse((e as Error).message);
    }
    const { statements, queryClass } = analysis;
    if (statements === 0) refuse("the SQL does not parse as a statement");
    if (statements > 1) refuse("one statement per call");
    if (queryClass !== QueryClass.READ_ONLY) refuse("only SELECT and DESCRIBE run here (no SET, KILL, SYSTEM, INSERT, DDL, INTO OUTFILE...)");
    const nodes = astOf(side, sql, encodedParams);
    if (!allowedRoots.has(nodes[0]?.kind ?? "")) refuse(`only SELECT and DESCRIBE run here, not ${nodes[0]?.kind}`);
    const udfs = udfNames();
    nodes.forEach((node, at) => {
      if (node.kind === "Set") refuse("SETTINGS clauses are not allowed");
      if (node.kind === "Function") {
        const name = node.name.toLowerCase();
        if (node.parent?.kind === "TableExpression") {
          if (name === "file") checkFileRead(nodes, at, sandbox);
          else if (name === "arrowstream") checkOwnTable(nodes, at);
          else if (!allowedTableFunctions.has(name)) refuse(`table function ${node.name}() is not allowed`);
        } else if (name === "file") refuse("the file() function is not allowed");
        else if (udfs.has(node.name)) refuse(`the JS UDF ${node.name}() is not allowed`);
      }
      if (node.kind === "TableIdentifier" || node.kind === "Identifier") {
        const name = node.text.slice(node.kind.length + 1).replace(/ \(alias [^)]*\)$/, "");
        if (refusedDatabases.has(name.split(".")[0].toLowerCase())) refuse(`the ${name.split(".")[0]} database is not readable`);
        // The engine reads a file named like a table when no such table exists (its default
        // database falls back to the file system).
        if (name.includes("/") || isFile(name)) checkPath(name, sandbox);
      }
    });
  }, ["--readonly=1"]);
}
