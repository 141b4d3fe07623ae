/**
 * purge_soft_deleted: deletes for good the rows of soft-delete tables that
 * were soft-deleted longer ago than the table's purge_after (default
 * SOFT_DELETE_PURGE_DAYS, 30 days). Bounded: batches of `batch_size` rows,
 * each its own statement (and transaction, outside tests), at most
 * `max_batches` per table per run; the next run (every 10 minutes) goes on.
 */
import type { Task } from "graphile-worker";

export interface PurgeSoftDeletedPayload {
  batch_size?: number;
  max_batches?: number;
  default_purge_days?: number;
}

export const DEFAULT_PURGE_DAYS = 30;

/** SOFT_DELETE_PURGE_DAYS, validated (a non-negative number of days). */
export function defaultPurgeDays(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SOFT_DELETE_PURGE_DAYS;
  if (raw === undefined || raw === "") return DEFAULT_PURGE_DAYS;
  const days = Number(raw);
  if (!Number.isFinite(days) || days < 0) {
    throw new Error(`SOFT_DELETE_PURGE_DAYS must be a non-negative number of days, got ${JSON.stringify(raw)}`);
  }
  return days;
}

function positiveInt(value: unknown, fallback: number, max: number): number {
  const n = Number(value ?? fallback);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback;
}

export const purgeSoftDeleted: Task = async (rawPayload, helpers) => {
  const payload = (rawPayload ?? {}) as PurgeSoftDeletedPayload;
  const batchSize = positiveInt(payload.batch_size, 1000, 100000);
  const maxBatches = positiveInt(payload.max_batches, 100, 100000);
  const days = payload.default_purge_days ?? defaultPurgeDays();
  const { rows: tables } = await helpers.query<{ oid: string; name: string; older_than: string }>(
    `select s.target::oid::text as oid, s.target::text as name,
            coalesce(s.purge_after, make_interval(secs => $1::double precision * 86400))::text as older_than
     from warden_private.soft_delete_tables s
     where exists (select 1 from pg_class c where c.oid = s.target)
     order by 1`,
    [days],
  );
  let total = 0;
  for (const t of tables) {
    for (let batch = 0; batch < maxBatches; batch++) {
      const { rows } = await helpers.query<{ n: number }>(
        "select warden_private.purge_soft_deleted($1::oid::regclass, $2::interval, $3) as n",
        [t.oid, t.older_than, batchSize],
      );
      total += rows[0].n;
      if (rows[0].n < batchSize) break;
    }
  }
  if (total) helpers.logger.info(`purge_soft_deleted: ${total} row(s) purged`);
};
