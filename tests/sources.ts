// The checkout's sources as text, for the tests that check them as text (layers, the ABI, the npm
// dependencies). Node runs the suite compiled into dist/node-tests, two folders below the checkout.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL("..", import.meta.url));
/** The checkout's own folder (with mod.ts, deno.json, native/ and node_modules). */
export const CHECKOUT = existsSync(join(here, "mod.ts")) ? here : resolve(here, "..", "..");

const walk = (dir: string): string[] =>
  readdirSync(join(CHECKOUT, dir)).flatMap((n) =>
    statSync(join(CHECKOUT, dir, n)).isDirectory() ? walk(`${dir}/${n}`) : [`${dir}/${n}`]
  );
/** The package's TypeScript sources, relative to the checkout: ffi/, src/ and the entry files. */
export const sourceFiles: readonly string[] = [...walk("ffi"), ...walk("src"), "mod.ts", "cli.ts", "clickhouse.ts"]
  .filter((f) => f.endsWith(".ts"));

/** The code of a source file without comments (string literals kept, so that a "//" in a string stays). */
export const codeOf = (f: string): string =>
  readFileSync(join(CHECKOUT, f), "utf8").replace(
    /("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g,
    (_, s) => s ?? "",
  );
