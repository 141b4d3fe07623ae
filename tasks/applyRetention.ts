/**
 * apply_retention: the daily retention run (src/retention/run.ts): drops
 * whole partitions past policy (archived first when ARCHIVE_DIR is set),
 * deletes other expired rows in committed batches, and signs the prune
 * records. Payload {"dry_run": true} only reports.
 */
import type { Task } from "graphile-worker";
import type pg from "pg";
import type { SealingKey } from "../src/audit/sealingKey";
import { archiveDirFromEnv, retentionDaysFromEnv, runRetention } from "../src/retention/run";

export function makeRetentionTask(key: SealingKey): Task {
  return async (payload, helpers) => {
    const dryRun = (payload as { dry_run?: boolean } | null)?.dry_run === true;
    const report = await helpers.withPgClient((client) =>
      runRetention(client as unknown as pg.ClientBase, key, {
        dryRun,
        defaultDays: retentionDaysFromEnv(),
        archiveDir: archiveDirFromEnv(),
      }),
    );
    helpers.logger.info(
      `apply_retention${dryRun ? " (dry run)" : ""}: ${report.rows_deleted} event(s), ${report.partitions_dropped} partition(s)` +
        (report.skipped.length ? `, ${report.skipped.length} step(s) left for the next run` : ""),
    );
  };
}
