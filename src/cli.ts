// The command line: `cli.ts [--path DIR] SQL|- [FORMAT]`.
import { readFileSync } from "node:fs";
import { Connection, MEMORY } from "./connection.ts";
import { ChdbError } from "./errors.ts";
import { utf8 } from "./encoding.ts";
import { writeAll } from "./output.ts";

const USAGE = `usage: cli.ts [--path DIR] SQL [FORMAT]
  SQL      the query; "-" reads it from standard input
  FORMAT   any ClickHouse output format (default CSV), e.g. Pretty, JSON, Parquet
  --path   data directory of a stateful session (default: in memory)
`;

interface Invocation {
  sql: string;
  format: string;
  path: string;
}

class UsageError extends Error {}

function parse(args: readonly string[]): Invocation | "help" {
  let path = MEMORY;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-h" || arg === "--help") return "help";
    if (arg === "--path") {
      if (i + 1 >= args.length) throw new UsageError("--path needs a directory");
      path = args[++i];
    } else if (arg.startsWith("--path=")) {
      path = arg.slice("--path=".length);
    } else if (arg.startsWith("--")) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length < 1 || positional.length > 2) throw new UsageError("expected SQL and an optional FORMAT");
  const sql = positional[0] === "-" ? readFileSync(0, "utf8") : positional[0];
  return { sql, format: positional[1] ?? "CSV", path };
}

/** Runs the CLI; returns the exit code. Output goes to stdout, errors to stderr. */
export function runCli(args: readonly string[]): number {
  try {
    const invocation = parse(args);
    if (invocation === "help") {
      writeAll(1, utf8(USAGE));
      return 0;
    }
    using conn = new Connection(invocation.path);
    writeAll(1, conn.query(invocation.sql, invocation.format).bytes());
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      writeAll(2, utf8(`error: ${e.message}\n${USAGE}`));
    } else if (e instanceof ChdbError) {
      writeAll(2, utf8(`${e.message}\n`));
    } else {
      throw e;
    }
    return 1;
  }
}
