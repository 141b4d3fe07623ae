/**
 * compact_user_sessions: deletes sessions that ended (revoked or expired)
 * more than SESSION_RETENTION_DAYS (default 30) days ago (daily cron), and
 * viewer tokens (warden.viewer_tokens) that ended as long ago.
 */
import type { Task } from "graphile-worker";

export function sessionRetentionDaysFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SESSION_RETENTION_DAYS;
  if (raw === undefined || raw.trim() === "") return 30;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`SESSION_RETENTION_DAYS must be a whole number of days (0 or more), not ${JSON.stringify(raw)}`);
  return n;
}

export const compactUserSessions: Task = async (payload, helpers) => {
  const asked = (payload as { retention_days?: unknown } | null)?.retention_days;
  const days = typeof asked === "number" && Number.isInteger(asked) && asked >= 0 ? asked : sessionRetentionDaysFromEnv();
  const { rows } = await helpers.query<{ n: string }>("select warden_private.compact_user_sessions($1) as n", [days]);
  const n = Number(rows[0].n);
  if (n) helpers.logger.info(`compact_user_sessions: ${n} session(s) that ended more than ${days} days ago deleted`);
  const viewer = await helpers.query<{ n: string }>("select warden_private.compact_viewer_tokens($1) as n", [days]);
  const v = Number(viewer.rows[0].n);
  if (v) helpers.logger.info(`compact_user_sessions: ${v} viewer token(s) that ended more than ${days} days ago deleted`);
};
