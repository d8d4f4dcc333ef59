// Child process of bench/arrow_results.ts: chdb-node (npm `chdb`) loads its own copy of libchdb,
// which cannot share a process with ours. Prints one JSON line: { ms: number[], rows: number }.
// Run: deno run -A bench/arrow_chdb_node.ts SQL ROUNDS   |   bun bench/arrow_chdb_node.ts SQL ROUNDS
import process from "node:process";
import { queryAsync } from "chdb";

const [sql, roundsText] = process.argv.slice(-2);
const ms: number[] = [];
let rows = 0;
await (await queryAsync("SELECT 1", { format: "arrow" })).toArrow(); // warm-up: engine start
for (let r = 0; r < Number(roundsText); r++) {
  const start = performance.now();
  const table = (await queryAsync(sql, { format: "arrow" })).toArrow() as { numRows: number };
  ms.push(performance.now() - start);
  rows = table.numRows;
}
console.log(JSON.stringify({ ms, rows }));
