// The one check of an options argument: a call's options object may be left out, but null or a
// non-object (a typo such as `query(sql, "CSV", "JSON")`) is a ChdbArgumentError, not a TypeError
// from reading a property of it somewhere inside.
import { ChdbArgumentError } from "./errors.ts";

/** `options` as given ({} when undefined); anything but an object is a ChdbArgumentError. */
export function optionsObject<T extends object>(options: T | undefined, what = "options"): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== "object") {
    throw new ChdbArgumentError(`${what} must be an object, got ${options === null ? "null" : typeof options}`);
  }
  return options;
}
