// The command line in the spelling of `clickhouse local`, parsed by node:util parseArgs (Deno,
// Bun and Node all have it). `--param_<name>=value` has no fixed name, so it is taken out first.
import { parseArgs } from "node:util";

export const USAGE = "usage: chdb-ffi [options] [SQL [FORMAT]]";

export const HELP = `${USAGE}

Runs ClickHouse SQL in this process. With no SQL and a terminal on stdin: an interactive prompt.

  -q, --query SQL            the SQL to run (several statements separated by ';')
  SQL [FORMAT]               the same, positional (as the chDB command line); SQL "-" reads it from stdin
      --queries-file FILE    read the SQL from FILE ("-": stdin)
  -f, --format FMT           output format (also --output-format); default Pretty on a terminal, else CSV
      --input-format FMT     format of the data piped to stdin, read as the table \`table\` and as
                             file(stdin) (default TSV; schema inferred unless --structure)
  -S, --structure COLS       columns of \`table\`, e.g. 'a UInt32, b String'
      --path DIR             data directory of a stateful session (default: in memory)
      --param_NAME=VALUE     value of the query parameter {NAME:Type}
  -t, --time                 print each statement's elapsed seconds to stderr
      --progress             draw the progress bar on stderr even when it is not a terminal
      --no-progress          never draw it (default: drawn when stderr is a terminal)
      --force-binary         write binary formats (Parquet, Arrow, Native...) to a terminal anyway
      --history FILE         interactive history file (default: $XDG_STATE_HOME/chdb-ffi/history,
                             else ~/.local/state/chdb-ffi/history)
      --version              print the versions and exit
  -h, --help                 print this help and exit

Exit codes: 0 success, 1 a statement failed, 2 a bad command line, 130 Ctrl-C, 141 stdout closed.
`;

export class UsageError extends Error {}

export interface CliOptions {
  /** SQL from -q, a positional SQL, --queries-file or "-" (stdin); undefined: none given. */
  sql?: string;
  /** True when the SQL came from stdin ("-"): stdin then holds no data. */
  sqlFromStdin: boolean;
  format?: string;
  inputFormat: string;
  structure?: string;
  path: string;
  params: Record<string, string>;
  time: boolean;
  /** true: always, false: never, undefined: when stderr is a terminal. */
  progress?: boolean;
  forceBinary: boolean;
  history?: string;
  help: boolean;
  version: boolean;
}

const PARAM = /^--param_([A-Za-z_][A-Za-z0-9_]*)(?:=([\s\S]*))?$/;

/** Splits `--param_NAME=VALUE` / `--param_NAME VALUE` from the other arguments. */
function takeParams(args: readonly string[]): { rest: string[]; params: Record<string, string> } {
  const rest: string[] = [];
  const params: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--") {
      rest.push(...args.slice(i));
      break;
    }
    const m = PARAM.exec(args[i]);
    if (m === null) {
      rest.push(args[i]);
    } else if (m[2] !== undefined) {
      params[m[1]] = m[2];
    } else {
      if (i + 1 >= args.length) throw new UsageError(`--param_${m[1]} needs a value`);
      params[m[1]] = args[++i];
    }
  }
  return { rest, params };
}

/** Parses the arguments; `readFile` reads --queries-file and, for the path "-", stdin. */
export function parseOptions(args: readonly string[], readFile: (path: string) => string): CliOptions {
  const { rest, params } = takeParams(args);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        query: { type: "string", short: "q" },
        "queries-file": { type: "string" },
        format: { type: "string", short: "f" },
        "output-format": { type: "string" },
        "input-format": { type: "string" },
        structure: { type: "string", short: "S" },
        path: { type: "string" },
        time: { type: "boolean", short: "t" },
        progress: { type: "boolean" },
        "no-progress": { type: "boolean" },
        "force-binary": { type: "boolean" },
        history: { type: "string" },
        version: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const positionals = parsed.positionals;
  if (positionals.length > 2) throw new UsageError(`expected SQL and an optional FORMAT, got ${positionals.length} arguments`);
  const sources = [v.query !== undefined, v["queries-file"] !== undefined, positionals.length > 0].filter(Boolean).length;
  if (sources > 1) throw new UsageError("give the SQL once: -q, --queries-file or a positional SQL");
  if (v.format !== undefined && v["output-format"] !== undefined && v.format !== v["output-format"]) {
    throw new UsageError("--format and --output-format disagree");
  }
  if (v.progress && v["no-progress"]) throw new UsageError("--progress and --no-progress together");
  if (positionals.length === 2 && (v.format ?? v["output-format"]) !== undefined) {
    throw new UsageError("the format is given twice (positional FORMAT and --format)");
  }
  let sql: string | undefined = v.query;
  let sqlFromStdin = v["queries-file"] === "-";
  if (v["queries-file"] !== undefined) {
    try {
      sql = readFile(v["queries-file"]);
    } catch (e) {
      throw new UsageError(`--queries-file: ${(e as Error).message}`);
    }
  } else if (positionals.length > 0) {
    sqlFromStdin = positionals[0] === "-";
    sql = sqlFromStdin ? readFile("-") : positionals[0];
  }
  return {
    sql,
    sqlFromStdin,
    format: v.format ?? v["output-format"] ?? positionals[1],
    inputFormat: v["input-format"] ?? "TSV",
    structure: v.structure,
    path: v.path ?? ":memory:",
    params,
    time: v.time ?? false,
    progress: v.progress ? true : v["no-progress"] ? false : undefined,
    forceBinary: v["force-binary"] ?? false,
    history: v.history,
    help: v.help ?? false,
    version: v.version ?? false,
  };
}
