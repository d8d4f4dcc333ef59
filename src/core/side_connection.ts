// A short-lived second engine connection on the same data path, for work that must not wait for
// (or run on) the caller's connection: stopping its running query (src/policy/kill_query.ts) and asking the
// engine's parser about SQL before it runs (src/policy/sandbox.ts). Opened per use and closed at once,
// so that it never keeps a data path open after the caller's own connections are gone (opening
// one costs ~0.1 ms while another connection is open).
import { Status } from "../../ffi/symbols.ts";
import type { Pointer } from "../../ffi/types.ts";
import { encodeStringList, fromCBuffer, utf8 } from "./encoding.ts";
import { ChdbConnectionError } from "./errors.ts";
import { native } from "./native.ts";
import { ResultSlots, takeResult } from "./native_result.ts";
import type { Result } from "./result.ts";

const ERR_CAP = 1024;

/** Runs `use` with a fresh connection to `path` (":memory:" or an absolute directory), `--name=value` settings. */
export function withSideConnection<T>(path: string, use: (side: SideConnection) => T, settings: string[] = []): T {
  const lib = native();
  const pathBytes = utf8(path);
  const options = encodeStringList(settings);
  const out = new BigUint64Array(1);
  const err = new Uint8Array(ERR_CAP);
  const status = lib.fn.chffi_connect(pathBytes, pathBytes.length, options, options.length, out, err, ERR_CAP);
  if (status !== Status.OK) throw new ChdbConnectionError(`cannot open a second connection: ${fromCBuffer(err)}`);
  const handle = lib.pointer(out[0]);
  if (handle === null) throw new ChdbConnectionError("the shim reported success but returned no connection");
  try {
    return use(new SideConnection(handle));
  } finally {
    lib.fn.chffi_close(handle);
  }
}

export class SideConnection {
  constructor(readonly handle: Pointer) {}

  /** Runs one statement (no parameters) and returns its output. */
  query(sql: string, format = "TSV", params: Uint8Array = new Uint8Array(0)): Result {
    const text = utf8(sql);
    const fmt = utf8(format);
    const slots = new ResultSlots();
    const status = native().fn.chffi_query(this.handle, text, text.length, fmt, fmt.length, params, params.length, slots.out, slots.info);
    return takeResult(status, slots, format);
  }
}
