/**
 * Recurring jobs (graphile-worker crontab syntax; times are UTC). Every line
 * has an ?id= so renaming a task does not reset its schedule.
 */
import { SEAL_JOB_KEY } from "../../tasks/sealAuditEvents";
import { PROMOTE_JOB_KEY } from "../../tasks/promoteCapture";
import { verifyCrontabLine } from "../../tasks/verifyAuditTrail";
import { NOTIFY_DISPATCH_JOB_KEY } from "../../tasks/notifyDispatch";

export const crontab = [
  "* * * * * heartbeat ?id=heartbeat&max=1",
  "17 3 * * * ensure_partitions ?id=ensure_partitions&max=1",
  "41 * * * * prune_idempotency_keys ?id=prune_idempotency_keys&max=1",
  "23 2 * * * apply_retention ?id=apply_retention&max=1",
  "*/10 * * * * purge_soft_deleted ?id=purge_soft_deleted&max=1",
  "* * * * * dq_schedule ?id=dq_schedule&max=1",
  "19 3 * * * dq_ensure_partitions ?id=dq_ensure_partitions&max=1",
  "* * * * * check_capture_coverage ?id=check_capture_coverage&max=1",
  "37 4 * * * compact_user_sessions ?id=compact_user_sessions&max=1",
  "7 * * * * usage_rollup ?id=usage_rollup&max=1",
  // seal_audit_events reschedules itself every second; this revives it if lost.
  `* * * * * seal_audit_events ?id=seal_audit_events&max=1&jobKey=${SEAL_JOB_KEY}&jobKeyMode=preserve_run_at`,
  // promote_capture runs passes continuously and queues its successor; this revives it if lost.
  // incremental verification of every chain (WARDEN_VERIFY_INTERVAL_MINUTES, default 10)
  verifyCrontabLine(),
  `* * * * * promote_capture ?id=promote_capture&max=1&jobKey=${PROMOTE_JOB_KEY}&jobKeyMode=preserve_run_at`,
  "29 4 * * * prune_notifications ?id=prune_notifications&max=1",
  // notify_dispatch reschedules itself every 200 ms; this revives it if lost.
  `* * * * * notify_dispatch ?id=notify_dispatch&max=1&jobKey=${NOTIFY_DISPATCH_JOB_KEY}&jobKeyMode=preserve_run_at`,
].join("\n");
