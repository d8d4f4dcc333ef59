// QueryOptions: what one query call takes besides its SQL and format (command() and insert() use
// it without importing Connection).
import type { QueryParams } from "../core/params.ts";
import type { CancelOptions } from "../policy/kill_query.ts";
import type { Limits } from "../policy/limits.ts";
import type { SettingsOption } from "../policy/query_settings.ts";

/** Options of one query: parameters, limits, per-query settings and a query id for cancelling it. */
export interface QueryOptions extends Limits, CancelOptions, SettingsOption {
  /** Values bound server-side to `{name:Type}` placeholders; never interpolated into SQL. */
  params?: QueryParams;
}
