// The source tree is ranked (README "Layout"): a folder imports only from its own or lower ranks,
// type imports included, no import closes a cycle, and only src/core/ reaches into ffi/. Reads the TypeScript sources
// (tests/sources.ts).
import assert from "node:assert/strict";
import { dirname, relative, resolve } from "node:path";
import { test } from "node:test";
import { CHECKOUT, codeOf, sourceFiles } from "./sources.ts";

const RANKS: Record<string, number> = {
  "ffi": 0, "src/core": 1, "src/arrow": 2, "src/rows": 3, "src/stream": 3, "src/hashset": 3, "src/policy": 3,
  "src/connection": 4, "src/api": 5, "src/cli": 6, "src/clickhouse": 6, "mod.ts": 7, "cli.ts": 7, "clickhouse.ts": 7,
};
const rankOf = (f: string) => RANKS[Object.keys(RANKS).find((k) => f === k || f.startsWith(k + "/")) ?? ""];
/** Relative imports: static, dynamic, `import type`, `export ... from`. */
const importsOf = (f: string) =>
  [...codeOf(f).matchAll(/\b(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => relative(CHECKOUT, resolve(CHECKOUT, dirname(f), m[1])).replaceAll("\\", "/"));

test("layers: every source file has a rank; no import goes up a rank, closes a cycle or skips src/core/ to ffi/", () => {
  const edges = new Map(sourceFiles.map((f) => [f, importsOf(f)]));
  const problems = sourceFiles.filter((f) => rankOf(f) === undefined).map((f) => `unranked: ${f}`);
  for (const [f, deps] of edges) {
    for (const d of deps) if (!(rankOf(d) <= rankOf(f))) problems.push(`up: ${f} -> ${d}`);
    for (const d of deps) if (d.startsWith("ffi/") && !/^(ffi|src\/core)\//.test(f)) problems.push(`ffi: ${f} -> ${d}`);
  }
  const done = new Set<string>(), path: string[] = [];
  const visit = (f: string): void => {
    if (path.includes(f)) return void problems.push(`cycle: ${[...path.slice(path.indexOf(f)), f].join(" -> ")}`);
    if (done.has(f)) return;
    path.push(f);
    for (const d of edges.get(f) ?? []) visit(d);
    path.pop();
    done.add(f);
  };
  sourceFiles.forEach(visit);
  assert.deepEqual(problems, []);
});

test("layers: only ffi/ names a runtime's FFI; the entry sourceFiles only import and export", () => {
  assert.deepEqual(sourceFiles.filter((f) => !f.startsWith("ffi/") && /\bDeno\.|bun:|koffi/.test(codeOf(f))), []);
  for (const f of ["mod.ts", "cli.ts", "clickhouse.ts"]) {
    const rest = codeOf(f).replace(/^#!.*/, "").replace(/\b(?:import|export)\b[^;]*?\bfrom\s*"[^"]+"\s*;|\bimport\s*"[^"]+"\s*;/g, "");
    assert.equal(rest.trim(), "", `${f} holds more than imports and exports`);
  }
});
