// Runs one contender of a @clickhouse/client benchmark per child process: chdb-node's engine and
// ours cannot share a process (one data path per process: chdb-node opens a directory of its own).
// The parent alternates the children round by round, so machine drift hits both alike.
import { spawnSync } from "node:child_process";
import process from "node:process";
import { createClient as createHttpClient } from "@clickhouse/client";
import { createClient } from "../clickhouse.ts";
import { median, runtimeName } from "./stats.ts";

export type Client = ReturnType<typeof createClient>;
/**
 * chdb-ffi and chdb-node are the contenders; `http-floor` is the client over HTTP against
 * bench/json_rows_server.ts, a server in another process whose rows cost this process nothing: the
 * client's own memory, which no backend can go under.
 */
export type Contender = "chdb-ffi" | "chdb-node" | "http-floor";

/** The contender this process runs, or undefined in the parent. */
export function childContender(): Contender | undefined {
  const i = process.argv.indexOf("--contender");
  return i < 0 ? undefined : process.argv[i + 1] as Contender;
}

export async function clientFor(contender: Contender): Promise<Client> {
  if (contender === "chdb-ffi") return createClient({ url: "chdb://memory" });
  if (contender === "http-floor") return createHttpClient({ url: process.env.FLOOR_URL }) as unknown as Client;
  const { createChdbConnection } = await import("chdb/connection" as string);
  return createHttpClient({ connection: createChdbConnection({ path: ":memory:" }) }) as unknown as Client;
}

/** Runs this script as a child for `contender`; returns what it printed as JSON on its last line. */
export function runChild(contender: Contender, extra: string[] = []): Record<string, number> {
  const args = [...process.execArgv, process.argv[1], "--contender", contender, ...extra];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env: process.env, maxBuffer: 64 << 20 });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !last.startsWith("{")) throw new Error(`${contender} child failed: ${r.stderr || r.stdout}`);
  return JSON.parse(last);
}

/**
 * The parent's part: runs the two contenders' children alternately for `rounds` rounds and prints
 * the medians of the `ms` they report, under `what`.
 */
export function compareContenders(what: string, rounds: number): void {
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(runChild("chdb-ffi").ms);
    theirs.push(runChild("chdb-node").ms);
  }
  console.log(`# ${runtimeName()}: ${what}, median of ${rounds}, alternating`);
  console.log(`chdb-ffi/clickhouse   ${median(ours).toFixed(0)} ms`);
  console.log(`chdb/connection       ${median(theirs).toFixed(0)} ms   (ours ${(median(theirs) / median(ours)).toFixed(2)}x faster)`);
}
