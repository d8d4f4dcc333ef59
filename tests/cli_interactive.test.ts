// The interactive prompt driven as a person drives it: in a real pseudo-terminal (tmux), keys sent
// with `send-keys`, the screen read with `capture-pane`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { ROOT, runtime, tempDir } from "./helpers.ts";

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const skip = hasTmux ? false : "tmux is not installed (apt-get install tmux): the interactive prompt is not tested";

/** The command line that runs the CLI under the runtime running the tests (as runScript does). */
function cliCommand(): string[] {
  if (runtime === "deno") return [process.execPath, "run", "-A", "cli.ts"];
  return [process.execPath, runtime === "node" ? "cli.js" : "cli.ts"];
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

class Terminal {
  readonly socket = `chdb-ffi-test-${process.pid}-${Math.random().toString(36).slice(2)}`;

  tmux(...args: string[]): string {
    const r = spawnSync("tmux", ["-L", this.socket, ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`tmux ${args[0]}: ${r.stderr}`);
    return r.stdout;
  }

  /** Starts the CLI in a fresh tmux server; the pane prints EXIT=<code> when it ends. */
  start(env: Record<string, string>, args: string[] = []): void {
    const vars = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`).join(" ");
    const cli = [...cliCommand(), ...args].map(quote).join(" ");
    const command = `cd ${quote(ROOT)} && env ${vars} ${cli}; echo EXIT=$?; sleep 600`;
    this.tmux("new-session", "-d", "-s", "cli", "-x", "160", "-y", "50", "sh", "-c", command);
  }

  screen(): string {
    return this.tmux("capture-pane", "-p", "-J", "-S", "-1000", "-t", "cli");
  }

  /** Types `text` literally (no key names; tmux would read a trailing `;` as its own separator). */
  type(text: string): void {
    this.tmux("send-keys", "-t", "cli", "-l", text.replace(/;$/, "\\;"));
  }

  keys(...names: string[]): void {
    this.tmux("send-keys", "-t", "cli", ...names);
  }

  line(text: string): void {
    this.type(text);
    this.keys("Enter");
  }

  /** Waits until the screen matches `pattern` (count: that many matches); returns the screen. */
  async waitFor(pattern: RegExp, what: string, count = 1): Promise<string> {
    const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : pattern.flags + "g");
    for (let i = 0; i < 600; i++) {
      const screen = this.screen();
      if ((screen.match(global)?.length ?? 0) >= count) return screen;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}; screen:\n${this.screen()}`);
  }

  close(): void {
    spawnSync("tmux", ["-L", this.socket, "kill-server"]);
  }
}

const PROMPT = /chdb-ffi :\) /;

/** The environment of the CLI under test: a terminal type, the library paths the suite uses, `extra`. */
function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { TERM: "xterm", ...extra };
  for (const name of ["CHDB_FFI_SHIM_PATH", "CHDB_LIB_PATH"]) if (process.env[name]) env[name] = process.env[name]!;
  return env;
}

/**
 * Runs `session` at the interactive prompt of a fresh terminal whose CLI keeps its state (the
 * history) in a directory of its own, removed afterwards.
 */
async function atPrompt(session: (term: Terminal, env: Record<string, string>, state: string) => Promise<void>): Promise<void> {
  const state = tempDir("chdb-ffi-cli-state-");
  const env = cliEnv({ XDG_STATE_HOME: state });
  const term = new Terminal();
  try {
    term.start(env);
    await term.waitFor(PROMPT, "the prompt");
    await session(term, env, state);
  } finally {
    term.close();
    rmSync(state, { recursive: true, force: true });
  }
}

test("cli prompt: multi-line statement, Ctrl-C cancels a running query, history persists, Ctrl-D exits", { skip }, async () => {
  await atPrompt(async (term, env, state) => {
    // A statement over two lines: the second prompt is the continuation one, Pretty output, a summary.
    term.line("SELECT 40 + 2 AS answer,");
    await term.waitFor(/chdb-ffi :-\] /, "the continuation prompt");
    term.line("  'multi' AS how;");
    let screen = await term.waitFor(/1 row in set\. Elapsed: [\d.]+ sec\./, "the summary");
    assert.match(screen, /┃ answer ┃ how\s+┃/);
    assert.match(screen, /│\s+42 │ multi │/);

    // A query that would run for hours and sends nothing before its end: only a kill in the engine
    // stops it (closing the stream waits for the block in flight).
    term.line("SELECT count() FROM numbers(1000000000000) WHERE NOT ignore(number) SETTINGS max_threads = 1;");
    await term.waitFor(/FROM numbers\(1000000000000\) WHERE/, "the typed query");
    // The progress bar on the terminal says the engine is at it.
    await term.waitFor(/\] +\d+% [\d.]+ (?:thousand |million |billion )?rows, .* rows\/s\)/, "the progress bar");
    term.keys("C-c");
    screen = await term.waitFor(/Query was cancelled\.\n.*chdb-ffi :\) /, "the cancellation and a new prompt");
    // Nothing runs in the engine any more (the query would run for 300 s): the process list says so.
    term.line("SELECT count() FROM system.processes WHERE query LIKE '%numbers(1000000000000)%' AND query_id != queryID();");
    screen = await term.waitFor(/1 row in set/, "the process count", 2);
    assert.match(screen, /│\s+0 │/, screen);

    // Ctrl-C at the prompt drops the unfinished statement.
    term.type("SELECT 'dropped'");
    term.keys("C-c");
    term.line("SELECT 'kept' AS k;");
    screen = await term.waitFor(/1 row in set/, "the statement after Ctrl-C", 3);
    assert.match(screen, /│ kept │/);
    assert.doesNotMatch(screen, /'dropped'SELECT|│ dropped │/);

    term.keys("C-d");
    await term.waitFor(/EXIT=0/, "the exit after Ctrl-D");
    term.close();

    // History: one entry per statement, on one line, under $XDG_STATE_HOME; recalled by Up next run.
    const history = readFileSync(join(state, "chdb-ffi", "history"), "utf8");
    assert.match(history, /^SELECT 40 \+ 2 AS answer, 'multi' AS how;$/m);
    assert.match(history, /^SELECT 'kept' AS k;$/m);
    assert.doesNotMatch(history, /dropped/);
    const second = new Terminal();
    try {
      second.start(env);
      await second.waitFor(PROMPT, "the prompt of the second run");
      second.keys("Up");
      await second.waitFor(/chdb-ffi :\) SELECT 'kept' AS k;/, "the last statement recalled by Up");
      second.keys("Up", "Up");
      await second.waitFor(/chdb-ffi :\) SELECT count\(\) FROM numbers\(1000000000000\)/, "an older statement recalled by Up");
      second.keys("C-u");
      second.line("\\q");
      await second.waitFor(/EXIT=0/, "the exit after \\q");
    } finally {
      second.close();
    }
  });
});

test("cli prompt: binary formats are refused on a terminal, errors are one line", { skip }, async () => {
  await atPrompt(async (term) => {
    term.line("SELECT 1 FORMAT Parquet;");
    let screen = await term.waitFor(/Parquet is a binary format: redirect/, "the refusal");
    assert.doesNotMatch(screen, /PAR1/);
    term.line("SELEC 1;");
    screen = await term.waitFor(/Code 62 \(SYNTAX_ERROR\): Syntax error/, "the error line");
    assert.doesNotMatch(screen, /DB::Exception/);
    term.line("exit");
    await term.waitFor(/EXIT=0/, "the exit after `exit`");
  });
});

test("cli in a terminal: Pretty by default, binary output refused unless --force-binary", { skip }, async () => {
  const env = cliEnv();
  const runs: [string[], RegExp, string][] = [
    [["-q", "SELECT 5 AS five"], /┃ five ┃[\s\S]*│\s+5 │[\s\S]*EXIT=0/, "Pretty output"],
    [["-q", "SELECT 5", "-f", "Parquet"], /Parquet is a binary format: redirect[\s\S]*EXIT=1/, "the refusal"],
    // RowBinary of a 65-byte string: a length byte "A", then the text (Parquet's bytes garble a screen).
    [["-q", "SELECT concat('forced-', repeat('b', 58))", "-f", "RowBinary"], /RowBinary is a binary format[\s\S]*EXIT=1/, "the refusal"],
    [
      ["-q", "SELECT concat('forced-', repeat('b', 58))", "-f", "RowBinary", "--force-binary"],
      /Aforced-b{58}[\s\S]*EXIT=0/,
      "forced RowBinary",
    ],
  ];
  for (const [args, expected, what] of runs) {
    const term = new Terminal();
    try {
      term.start(env, args);
      await term.waitFor(expected, what);
    } finally {
      term.close();
    }
  }
});
