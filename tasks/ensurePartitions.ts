/** ensure_partitions: premakes monthly audit partitions (daily cron). */
import type { Task } from "graphile-worker";

export const ensurePartitions: Task = async (payload, helpers) => {
  const monthsAhead = Number((payload as { months_ahead?: number } | null)?.months_ahead ?? 3);
  const { rows } = await helpers.query("select warden.ensure_partitions($1) as created", [monthsAhead]);
  helpers.logger.info(`ensure_partitions: ${rows[0].created} partition(s) created`);
};
