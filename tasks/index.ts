/** Every graphile-worker task Warden runs, by identifier. */
import type { TaskList } from "graphile-worker";
import type { SealingKey } from "../src/audit/sealingKey";
import { heartbeat } from "./heartbeat";
import { ensurePartitions } from "./ensurePartitions";
import { makeSealTask } from "./sealAuditEvents";
import { pruneIdempotencyKeys } from "./pruneIdempotencyKeys";
import { makeRetentionTask } from "./applyRetention";
import { purgeSoftDeleted } from "./purgeSoftDeleted";
import { dqEnsurePartitions, dqRun } from "./dqRun";
import { dqSchedule } from "./dqSchedule";
import { checkCaptureCoverage } from "./checkCaptureCoverage";
import { makePromoteTask, promoteOptionsFromEnv } from "./promoteCapture";
import { compactUserSessions } from "./compactUserSessions";
import { makeVerifyTask } from "./verifyAuditTrail";
import { makeNotifyDispatchTask } from "./notifyDispatch";
import { makeNotifyDeliverTask } from "./notifyDeliver";
import { pruneNotifications } from "./pruneNotifications";
import { usageRollup } from "./usageRollup";

export interface TaskDeps {
  sealingKey: SealingKey;
}

export function makeTaskList(deps: TaskDeps): TaskList {
  return {
    heartbeat,
    ensure_partitions: ensurePartitions,
    seal_audit_events: makeSealTask(deps.sealingKey),
    prune_idempotency_keys: pruneIdempotencyKeys,
    apply_retention: makeRetentionTask(deps.sealingKey),
    purge_soft_deleted: purgeSoftDeleted,
    dq_run: dqRun,
    dq_schedule: dqSchedule,
    dq_ensure_partitions: dqEnsurePartitions,
    check_capture_coverage: checkCaptureCoverage,
    promote_capture: makePromoteTask(promoteOptionsFromEnv()),
    compact_user_sessions: compactUserSessions,
    verify_audit_trail: makeVerifyTask(deps.sealingKey),
    notify_dispatch: makeNotifyDispatchTask(),
    notify_deliver: makeNotifyDeliverTask(),
    prune_notifications: pruneNotifications,
    usage_rollup: usageRollup,
  };
}
