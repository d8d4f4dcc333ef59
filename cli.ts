#!/usr/bin/env -S deno run -A
// chdb-ffi command line: `deno run -A cli.ts "SELECT 1,'abc'" Pretty` or `bun cli.ts ...`.
import process from "node:process";
import { runCli } from "./src/cli.ts";

process.exitCode = runCli(process.argv.slice(2));
