// The command line: `chdb-ffi -q SQL [-f FORMAT]`, `chdb-ffi SQL [FORMAT]`, piped data as the
// table `table`, and an interactive prompt when stdin is a terminal and no SQL is given.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { isatty } from "node:tty";
import { fileURLToPath } from "node:url";
import { utf8 } from "../core/encoding.ts";
import { engineVersion } from "../core/native.ts";
import { writeAll } from "./write_all.ts";
import { HELP, parseOptions, USAGE, UsageError } from "./parse_options.ts";
import { StdoutClosed } from "./running_statement.ts";
import { CliSession, stderrLine } from "./cli_session.ts";
import { splitStatements } from "./split_statements.ts";
import { interactive } from "./interactive.ts";
import { errorLine } from "./report.ts";

/** The status of a process ended by SIGPIPE, what `seq 1 1000000 | head -1` gives `seq`. */
const SIGPIPE_STATUS = 141;

const readSql = (path: string) => readFileSync(path === "-" ? 0 : path, "utf8");

/** The package's version, from the package.json above this module (repository or npm package). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    if (manifest.name === "chdb-ffi") return manifest.version;
  }
  return "unknown";
}

/** Runs every statement of `sql` in order; stops at the first failure. Ctrl-C cancels and exits 130. */
async function batch(session: CliSession, sql: string): Promise<number> {
  const { statements, rest } = splitStatements(sql);
  if (rest.trim() !== "") statements.push(rest.trim());
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    session.running?.cancel();
  };
  process.on("SIGINT", onSigint);
  try {
    for (const statement of statements) {
      if (interrupted) break;
      try {
        await session.execute(statement);
      } catch (e) {
        if (e instanceof StdoutClosed) return SIGPIPE_STATUS;
        session.report(e);
        return 1;
      }
    }
    return interrupted ? 130 : 0;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

/** Runs the CLI; resolves to the exit code. Results go to stdout, everything else to stderr. */
export async function runCli(args: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(args, readSql);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    stderrLine(`${USAGE}\nerror: ${e.message} (--help lists the options)`);
    return 2;
  }
  if (options.help) {
    writeAll(1, utf8(HELP));
    return 0;
  }
  if (options.version) {
    writeAll(1, utf8(`chdb-ffi ${packageVersion()}, ClickHouse engine ${engineVersion()}\n`));
    return 0;
  }
  // No SQL: a prompt on a terminal; else the SQL is what stdin holds (as `clickhouse local`).
  const prompt = options.sql === undefined && isatty(0);
  if (options.sql === undefined && !prompt) options = { ...options, sql: readSql("-"), sqlFromStdin: true };
  let session: CliSession;
  try {
    session = new CliSession(options, prompt);
  } catch (e) {
    stderrLine(errorLine(e));
    return 1;
  }
  try {
    return prompt ? await interactive(session) : await batch(session, options.sql ?? "");
  } finally {
    session.close();
  }
}
