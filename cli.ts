#!/usr/bin/env -S deno run -A
// chdb-ffi command line: `deno run -A cli.ts -q "SELECT 1, 'abc'" -f Pretty`, `bun cli.ts`, `node cli.js`.
import "./src/cli/main.ts";
