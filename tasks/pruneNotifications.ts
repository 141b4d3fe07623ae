/** prune_notifications: deletes expired in-app notifications (daily). */
import type { Task } from "graphile-worker";

export const pruneNotifications: Task = async (_payload, helpers) => {
  const { rows } = await helpers.query<{ n: number }>("select warden_private.notify_prune() as n");
  if (rows[0].n > 0) helpers.logger.info(`pruned ${rows[0].n} expired notification(s)`);
};
