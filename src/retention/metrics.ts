/**
 * Retention metrics, read from the database at scrape time (the totals live
 * in warden_private.retention_state, so runs by the worker and by
 * `warden retention` in another process both count).
 */
import type pg from "pg";
import { retentionLastRun, retentionPartitionsDropped, retentionRowsDeleted } from "../metrics";

export async function refreshRetentionMetrics(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query(
    `select rows_deleted::float8 as rows_deleted, partitions_dropped::float8 as partitions_dropped,
            coalesce(extract(epoch from last_run_at), 0)::float8 as last_run
     from warden_private.retention_state`,
  );
  if (!rows.length) return;
  retentionRowsDeleted.reset();
  retentionRowsDeleted.inc(rows[0].rows_deleted);
  retentionPartitionsDropped.reset();
  retentionPartitionsDropped.inc(rows[0].partitions_dropped);
  retentionLastRun.set(rows[0].last_run);
}
