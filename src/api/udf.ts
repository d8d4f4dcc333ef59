// User-defined functions in JS: udf(fn) makes `fn` callable from SQL by its name. The engine runs
// it as an executable UDF: a child process of the same runtime (Deno, Bun or Node) that reads the
// arguments as TabSeparated rows on stdin and writes one result per row.
//
// The chDB rules apply: the function is stateless and self-contained (it is run from its source
// text in another process: import modules inside it, e.g. `await import("node:crypto")`), every
// argument arrives as a string, and it is called once per row; it may return a Promise.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Connection, MEMORY } from "../connection/connection.ts";
import { scriptsDir } from "../core/connection_calls.ts";
import { ChdbArgumentError } from "../core/errors.ts";
import { runAtExit } from "../core/native.ts";
import { optionsObject } from "../core/options.ts";
import { utf8 } from "../core/encoding.ts";
import { addUdfName } from "../policy/udf_names.ts";

/** Options of `udf()`. */
export interface UdfOptions {
  /** The SQL name (default: the function's own name). */
  name?: string;
  /** The ClickHouse type of the result (default String); the output is parsed as this type. */
  returnType?: string;
  /** Number of arguments (default: fn.length). */
  arity?: number;
  /** The connection that asks the engine to load the function (default: a short-lived in-memory one). */
  connection?: Connection;
}

// The engine reads executable UDF definitions and scripts from one directory, fixed when it boots.
// The shim gives it a path that only this process resolves (/proc/<pid>/fd/N/) and puts a private
// directory behind it on the first udf() of the process (native/access.cpp): made with mkdtemp
// (mode 0700, unpredictable name), removed at exit, and never made at all without a udf().
// The shim remembers it per process (module state is per JS realm: under `deno test`, per file).
function scriptsDirectory(): string {
  const current = scriptsDir(new Uint8Array(0));
  if (current !== "") return current;
  const made = mkdtempSync(join(temporaryDirectory(), "chdb-ffi-udf-"));
  let used = "";
  try {
    used = scriptsDir(utf8(made));
  } finally {
    // The shim also removes it in a C exit handler, which not every runtime's exit runs.
    if (used === made) runAtExit(() => rmSync(made, { recursive: true, force: true }));
    else rmSync(made, { recursive: true, force: true });
  }
  return used;
}

/** os.tmpdir() reads TMPDIR & co.; where reading the environment is not permitted (Deno), /tmp. */
function temporaryDirectory(): string {
  try {
    return tmpdir();
  } catch {
    return "/tmp";
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function xmlText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// The child process: reads all rows, calls the function per row, writes all results. A throw
// ends it with the error on stderr and exit code 1, which the engine reports as the query's error.
function runnerSource(source: string, name: string): string {
  return `import process from "node:process";
import { Buffer } from "node:buffer";
const fn = (${source});
const unescape = (s) => s.replace(/\\\\(.)/g, (_, c) => ({ t: "\\t", n: "\\n", r: "\\r", 0: "\\0", b: "\\b", f: "\\f" })[c] ?? c);
const escape = (s) => s.replace(/[\\\\\\t\\n\\r\\0]/g, (c) => ({ "\\\\": "\\\\\\\\", "\\t": "\\\\t", "\\n": "\\\\n", "\\r": "\\\\r", "\\0": "\\\\0" })[c]);
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = Buffer.concat(chunks).toString("utf8");
const lines = input.split("\\n");
if (lines[lines.length - 1] === "") lines.pop();
let out = "";
try {
  for (const line of lines) {
    const value = await fn(...line.split("\\t").map(unescape));
    out += (value === null || value === undefined ? "\\\\N" : escape(typeof value === "string" ? value : String(value))) + "\\n";
  }
} catch (e) {
  process.stderr.write("JS UDF ${name} threw: " + (e && e.stack ? e.stack : String(e)) + "\\n");
  process.exit(1);
}
process.stdout.write(out);
`;
}

function command(script: string): string {
  const runtime = process.execPath;
  const isDeno = "Deno" in globalThis;
  return `#!/bin/sh\nexec ${shellQuote(runtime)} ${isDeno ? "run -A --quiet --no-config " : ""}${shellQuote(script)}\n`;
}

/**
 * Makes `fn` callable from SQL as `name(...)` in every connection of this process, e.g.
 * `udf(function sum_udf(a, b) { return Number(a) + Number(b); }, { returnType: "Int64" })` then
 * `SELECT sum_udf(12, 22)` gives 34. Returns the SQL name. Registering a name again replaces it.
 */
export function udf(fn: (...args: string[]) => unknown, options: UdfOptions = {}): string {
  if (typeof fn !== "function") throw new ChdbArgumentError("udf() needs a function");
  options = optionsObject(options);
  const name = options.name ?? fn.name;
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new ChdbArgumentError(`invalid UDF name ${JSON.stringify(name)}: pass { name } for an anonymous function`);
  }
  const returnType = options.returnType ?? "String";
  if (typeof returnType !== "string" || !/^[A-Za-z][A-Za-z0-9_(), ']*$/.test(returnType)) {
    throw new ChdbArgumentError(`invalid returnType ${JSON.stringify(returnType)}`);
  }
  const arity = options.arity ?? fn.length;
  if (!Number.isInteger(arity) || arity < 0 || arity > 64) throw new ChdbArgumentError(`invalid arity ${arity}`);
  const source = fn.toString();
  try {
    new Function(`return (${source});`);
  } catch {
    throw new ChdbArgumentError(
      `the UDF ${name} has no standalone source (a method or a bound/native function?): pass a function expression`,
    );
  }
  const dir = scriptsDirectory();
  const script = join(dir, `${name}.mjs`);
  writeFileSync(script, runnerSource(source, name));
  writeFileSync(join(dir, `${name}.sh`), command(script));
  chmodSync(join(dir, `${name}.sh`), 0o755);
  const args = Array.from({ length: arity }, () => "    <argument><type>String</type></argument>\n").join("");
  writeFileSync(
    join(dir, `${name}_function.xml`),
    `<functions>\n  <function>\n    <type>executable</type>\n    <name>${name}</name>\n` +
      `    <return_type>${xmlText(returnType)}</return_type>\n${args}    <format>TabSeparated</format>\n` +
      `    <command>${name}.sh</command>\n  </function>\n</functions>\n`,
  );
  addUdfName(name);
  if (options.connection) options.connection.query(`SYSTEM RELOAD FUNCTION ${name}`);
  else {
    using conn = new Connection(MEMORY);
    conn.query(`SYSTEM RELOAD FUNCTION ${name}`);
  }
  return name;
}
