/**
 * check_capture_coverage (every minute): compares the registry of audited
 * tables with their capture triggers and opens or closes capture gaps
 * (warden_private.capture_check_coverage), so a gap the DDL event trigger
 * could not see (no superuser to install it, or triggers switched off
 * under session_replication_role = replica) is reported within a minute.
 */
import type { Task } from "graphile-worker";

export const checkCaptureCoverage: Task = async (_payload, helpers) => {
  const { rows } = await helpers.withPgClient((client) =>
    client.query<{ table_name: string; gap_reason: string; gap_since: Date }>(
      "select table_name, gap_reason, gap_since from warden_private.capture_check_coverage()",
    ),
  );
  for (const gap of rows) {
    helpers.logger.error(`capture gap: ${gap.table_name} (${gap.gap_reason}) since ${gap.gap_since.toISOString()}`);
  }
};
