/**
 * One retention run, driven from TypeScript so every step commits on its
 * own: each droppable partition in its own transaction (archived first when
 * an archive directory is set), then each tenant's rows in bounded batches,
 * one transaction per batch, so no lock is held for long. The rules live in
 * SQL (warden_private.retention_plan, governance_drop_partition,
 * governance_purge_rows); this only sequences them, and signs each prune
 * record with the sealing key in the transaction that wrote it.
 */
import type pg from "pg";
import { signPendingPruneRecords } from "../audit/pruneRecords";
import type { SealingKey } from "../audit/sealingKey";
import { archivePartition, type ArchiveResult } from "./archive";
import { purgeDqResults } from "../dq/retention";

export const MAX_RETENTION_DAYS = 2557;

export interface RetentionOptions {
  dryRun: boolean;
  /** Default retention in days (AUDIT_RETENTION_DAYS; 30 when unset). */
  defaultDays: number;
  /** Archive each partition here before dropping it. */
  archiveDir?: string;
  /** Rows per delete batch (default 10,000). */
  batchSize?: number;
  /** Called as the run advances (the CLI's progress line). */
  onProgress?: (text: string) => void;
  /** Longest wait for a lock before a step gives up (default 2s). */
  lockTimeout?: string;
}

export interface RetentionResultRow {
  tenant_id: string | null;
  partition: string;
  method: "partition" | "rows";
  rows: number;
}

export interface RetentionReport {
  dry_run: boolean;
  default_days: number;
  partitions_dropped: number;
  rows_deleted: number;
  batches: number;
  prune_records_signed: number;
  /** Data-quality results past policy (dq.result), deleted or, in a dry run, that would be. */
  dq_results_deleted: number;
  archived: ArchiveResult[];
  results: RetentionResultRow[];
  /** Steps that could not run this time (a lock not granted, rows arriving mid-archive); the next run retries. */
  skipped: { partition?: string; tenant_id?: string | null; reason: string }[];
}

const ZERO = "00000000-0000-0000-0000-000000000000";

/** AUDIT_RETENTION_DAYS: 30 when unset, a whole number of days from 1 to 2557 (7 years). */
export function retentionDaysFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.AUDIT_RETENTION_DAYS;
  if (raw === undefined || raw.trim() === "") return 30;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RETENTION_DAYS) {
    throw new Error(`AUDIT_RETENTION_DAYS must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export function archiveDirFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.ARCHIVE_DIR?.trim() || undefined;
}

async function inTransaction<T>(client: pg.ClientBase, fn: () => Promise<T>): Promise<T> {
  await client.query("begin");
  try {
    const out = await fn();
    await client.query("commit");
    return out;
  } catch (err) {
    await client.query("rollback").catch(() => undefined);
    throw err;
  }
}

/** Lock not granted in time, or rows changed under an archive: retry on the next run. */
function retryable(err: unknown): string | null {
  const code = (err as { code?: string }).code;
  if (code === "55P03" || code === "40001" || code === "40P01") return (err as Error).message;
  return null;
}

export async function runRetention(client: pg.ClientBase, key: SealingKey, opts: RetentionOptions): Promise<RetentionReport> {
  const days = opts.defaultDays;
  if (!Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS) throw new Error(`default retention must be 1..${MAX_RETENTION_DAYS} days`);
  const batchSize = opts.batchSize ?? 10_000;
  const lockTimeout = opts.lockTimeout ?? "2s";
  const report: RetentionReport = {
    dry_run: opts.dryRun,
    default_days: days,
    partitions_dropped: 0,
    rows_deleted: 0,
    batches: 0,
    prune_records_signed: 0,
    dq_results_deleted: 0,
    archived: [],
    results: [],
    skipped: [],
  };

  if (opts.dryRun) {
    // Counts every candidate row: read-only, but a scan of everything older than the shortest policy.
    const plan = await inTransaction(client, async () => {
      await client.query("select set_config('warden.retention_default_days', $1, true)", [String(days)]);
      return (await client.query("select * from warden.apply_retention(true)")).rows as {
        tenant_id: string | null;
        partition_name: string;
        method: "partition" | "rows";
        rows_purged: string;
      }[];
    });
    report.results = plan.map((r) => ({ tenant_id: r.tenant_id, partition: r.partition_name, method: r.method, rows: Number(r.rows_purged) }));
    report.partitions_dropped = new Set(plan.filter((r) => r.method === "partition").map((r) => r.partition_name)).size;
    report.rows_deleted = report.results.reduce((n, r) => n + r.rows, 0);
    report.dq_results_deleted = await purgeDqResults(client, days, batchSize, true);
    return report;
  }

  // 1. Whole partitions: re-checked by the governance function itself.
  const partitions = (
    await client.query("select d.partition_name from warden_private.retention_droppable_partitions($1) d order by d.range_from", [days])
  ).rows.map((r) => r.partition_name as string);
  for (const [i, partition] of partitions.entries()) {
    opts.onProgress?.(`partition ${i + 1} of ${partitions.length} (${partition}), ${report.rows_deleted} event(s) purged`);
    try {
      await inTransaction(client, async () => {
        await client.query("select set_config('lock_timeout', $1, true)", [lockTimeout]);
        let expected: number | null = null;
        if (opts.archiveDir) {
          // Writers stay out of the partition from the archive to the drop.
          await client.query(`lock table warden_private.${partition} in share mode`);
          const archived = await archivePartition(client, partition, opts.archiveDir);
          report.archived.push(archived);
          expected = archived.rows;
        }
        const { rows } = await client.query(
          "select tenant_id, rows_purged::bigint::text as n from warden_private.governance_drop_partition($1, $2, $3, $4)",
          [partition, days, expected, lockTimeout],
        );
        for (const r of rows) {
          report.results.push({ tenant_id: r.tenant_id, partition, method: "partition", rows: Number(r.n) });
          report.rows_deleted += Number(r.n);
        }
        report.partitions_dropped++;
        // signed in the transaction that wrote them: only this drop's records
        report.prune_records_signed += await signPendingPruneRecords(client, key, "this_transaction");
      });
    } catch (err) {
      const reason = retryable(err);
      if (!reason) throw err;
      report.skipped.push({ partition, reason });
    }
  }

  // 2. Rows past policy elsewhere: per tenant, one committed batch at a time.
  const tenants = (await client.query("select k::text as k from warden_private.retention_tenant_keys() k order by 1")).rows.map((r) => r.k as string);
  const sums = new Map<string, RetentionResultRow>();
  for (const [i, tenantKey] of tenants.entries()) {
    opts.onProgress?.(`tenant ${i + 1} of ${tenants.length}, ${report.rows_deleted} event(s) purged`);
    try {
      let after: Date | null = null;
      for (;;) {
        const { rows } = await inTransaction(client, async () => {
          const batch = await client.query(
            "select partition_name, rows_purged::text as n, last_occurred_at from warden_private.governance_purge_rows($1, $2, $3, $4, $5)",
            [tenantKey, days, batchSize, lockTimeout, after],
          );
          report.prune_records_signed += await signPendingPruneRecords(client, key, "this_transaction");
          return batch;
        });
        if (rows.length === 0) break;
        after = rows[0].last_occurred_at;
        report.batches++;
        opts.onProgress?.(`tenant ${i + 1} of ${tenants.length}, batch ${report.batches}, ${report.rows_deleted + rows.reduce((n: number, r: { n: string }) => n + Number(r.n), 0)} event(s) purged`);
        for (const r of rows) {
          const k = `${tenantKey}/${r.partition_name}`;
          const row = sums.get(k) ?? { tenant_id: tenantKey === ZERO ? null : tenantKey, partition: r.partition_name, method: "rows" as const, rows: 0 };
          row.rows += Number(r.n);
          sums.set(k, row);
          report.rows_deleted += Number(r.n);
        }
      }
    } catch (err) {
      const reason = retryable(err);
      if (!reason) throw err;
      report.skipped.push({ tenant_id: tenantKey === ZERO ? null : tenantKey, reason });
    }
  }
  report.results.push(...sums.values());

  // 3. Data-quality results past policy.
  report.dq_results_deleted = await purgeDqResults(client, days, batchSize, false);

  // 4. Done: the run's time.
  await inTransaction(client, async () => {
    await client.query("select warden_private.finish_retention_run()");
  });
  return report;
}
