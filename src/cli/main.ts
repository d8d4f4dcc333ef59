// The command line's entry (cli.ts imports it): runs the arguments of this process and sets its
// exit code. src/cli/ is rank 6 (the command line): it imports ranks 0-5 (today src/connection/,
// src/policy/ and src/core/).
import process from "node:process";
import { runCli } from "./run_cli.ts";

process.exitCode = await runCli(process.argv.slice(2));
