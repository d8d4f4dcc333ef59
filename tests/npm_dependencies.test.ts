// Each npm dependency of the sources is imported by one module, whose `npm:` specifiers (Deno's way
// from a folder without configuration, issue 13) name package.json's version: a bump of one side
// without the other fails here. Reads the TypeScript sources (tests/sources.ts).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CHECKOUT, codeOf, sourceFiles } from "./sources.ts";

/** Specifiers of static, dynamic, type and re-export imports that are not relative or node: ones. */
const packageImports = (f: string) =>
  [...codeOf(f).matchAll(/\b(?:from|import)\s*\(?\s*["']([^"'.][^"']*)["']/g)].map((m) => m[1]).filter((s) =>
    !s.startsWith("node:")
  );

const owners: Record<string, string> = {
  "apache-arrow": "src/arrow/apache_arrow.ts",
  "@clickhouse/client": "src/clickhouse/clickhouse_client.ts",
};
const dependencies: Record<string, string> = JSON.parse(readFileSync(join(CHECKOUT, "package.json"), "utf8")).dependencies;

/** The package a specifier names and the version it pins: `npm:@scope/name@1.2.3/sub` -> ["@scope/name", "1.2.3"]. */
function parse(specifier: string): [string, string | undefined] {
  const m = /^(?:npm:)?((?:@[^/]+\/)?[^/@]+)(?:@([^/]+))?/.exec(specifier);
  assert.ok(m, `cannot read the import "${specifier}"`);
  return [m[1], m[2]];
}

test("npm dependencies: only a package's owning module imports it, and its npm: specifiers pin package.json's version", () => {
  assert.deepEqual(Object.keys(owners).sort(), Object.keys(dependencies).sort(), "an owning module per dependency");
  const problems: string[] = [];
  for (const f of sourceFiles) {
    for (const specifier of packageImports(f)) {
      const [name, version] = parse(specifier);
      if (owners[name] !== f) {
        problems.push(`${f} imports "${specifier}": only ${owners[name] ?? "(no owner: not a dependency)"} may`);
      } else if (specifier.startsWith("npm:") && version !== dependencies[name]) {
        problems.push(`${f} imports "${specifier}": package.json has ${name} ${dependencies[name]}`);
      }
    }
  }
  for (const [name, f] of Object.entries(owners)) {
    const imports = packageImports(f);
    for (const form of [name, `npm:${name}@${dependencies[name]}`]) {
      if (!imports.includes(form)) problems.push(`${f} does not import "${form}"`);
    }
  }
  assert.deepEqual(problems, []);
});
