/**
 * Recurring jobs (graphile-worker crontab syntax; times are UTC). Every line
 * has an ?id= so renaming a task does not reset its schedule.
 */
import { SEAL_JOB_KEY } from "../../tasks/sealAuditEvents";
import { PROMOTE_JOB_KEY } from "../../tasks/promoteCapture";

export const crontab = [
  "* * * * * heartbeat ?id=heartbeat&max=1",
  "17 3 * * * ensure_partitions ?id=ensure_partitions&max=1",
  "41 * * * * prune_idempotency_keys ?id=prune_idempotency_keys&max=1",
  "23 2 * * * apply_retention ?id=apply_retention&max=1",
  "*/10 * * * * purge_soft_deleted ?id=purge_soft_deleted&max=1",
  "* * * * * dq_schedule ?id=dq_schedule&max=1",
  "19 3 * * * dq_ensure_partitions ?id=dq_ensure_partitions&max=1",
  "* * * * * check_capture_coverage ?id=check_capture_coverage&max=1",
  "7 * * * * usage_rollup ?id=usage_rollup&max=1",
  // seal_audit_events reschedules itself every second; this revives it if lost.
  `* * * * * seal_audit_events ?id=seal_audit_events&max=1&jobKey=${SEAL_JOB_KEY}&jobKeyMode=preserve_run_at`,
  // promote_capture runs passes continuously and queues its successor; this revives it if lost.
  `* * * * * promote_capture ?id=promote_capture&max=1&jobKey=${PROMOTE_JOB_KEY}&jobKeyMode=preserve_run_at`,
].join("\n");
