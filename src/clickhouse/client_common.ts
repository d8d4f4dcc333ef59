// The functions of @clickhouse/client's common layer this backend uses. They come from the
// installed client by default; a process that loads the client's sources a second time (its own
// test suite) passes its copy, so that `instanceof ClickHouseError` and `TupleParam` hold there.
import { createRequire } from "node:module";

export interface ClientCommon {
  /** Turns `Code: N. DB::Exception: ... (TYPE)` into the client's ClickHouseError. */
  parseError(message: string): Error;
  /** A query parameter as the text the client sends as HTTP `param_x`. */
  formatQueryParams(options: { value: unknown }): string;
}

let installed: ClientCommon | undefined;

/** The installed client's common layer (CommonJS, loaded on first use). */
export function installedCommon(): ClientCommon {
  return installed ??= createRequire(import.meta.url)("@clickhouse/client/dist/common/index.js") as ClientCommon;
}
