/** prune_idempotency_keys: forgets Idempotency-Keys older than 24 hours (hourly cron). */
import type { Task } from "graphile-worker";

export const pruneIdempotencyKeys: Task = async (_payload, helpers) => {
  const { rowCount } = await helpers.query("delete from warden_private.idempotency_keys where created_at < now() - interval '24 hours'");
  if (rowCount) helpers.logger.info(`prune_idempotency_keys: ${rowCount} key(s) forgotten`);
};
