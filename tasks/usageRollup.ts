/**
 * usage_rollup: rolls up warden.usage_daily from the last day rolled up
 * after its end (backfilling days the worker missed) through today
 * (hourly cron). Idempotent: see warden_private.usage_rollup.
 */
import type { Task } from "graphile-worker";
import { usageRollupRows } from "../src/usage/metrics";

export const usageRollup: Task = async (_payload, helpers) => {
  const { rows } = await helpers.query<{ from_day: string; to_day: string; rows_written: string }>(
    "select from_day::text, to_day::text, rows_written::text from warden_private.usage_rollup_due()",
  );
  const r = rows[0];
  usageRollupRows.inc(Number(r.rows_written));
  helpers.logger.info(`usage_rollup: ${r.from_day}..${r.to_day}, ${r.rows_written} row(s) written`);
};
