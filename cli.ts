#!/usr/bin/env -S deno run -A
// chdb-ffi command line: `deno run -A cli.ts -q "SELECT 1, 'abc'" -f Pretty`, `bun cli.ts`, `node cli.js`.
import process from "node:process";
import { runCli } from "./src/cli/run_cli.ts";

process.exitCode = await runCli(process.argv.slice(2));
