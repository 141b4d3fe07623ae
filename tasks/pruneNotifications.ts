/**
 * prune_notifications (daily): deletes expired in-app notifications, then
 * the delivery log's finished deliveries older than WARDEN_NOTIFY_KEEP_DAYS
 * (with their attempts), a batch per transaction so no delete holds the log
 * for long.
 */
import type { Task } from "graphile-worker";
import { notifySettingsFromEnv } from "../src/notify/settings";
import { helpersDb, type Db } from "../src/notify/db";

/** Deliveries deleted per transaction. */
export const PRUNE_DELIVERIES_BATCH = 10_000;

/** Deletes finished deliveries older than keepDays, batch after batch; returns how many. */
export async function pruneDeliveries(db: Pick<Db, "query">, keepDays: number, batch = PRUNE_DELIVERIES_BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      "select warden_private.notify_prune_deliveries(make_interval(days => $1), $2) as n",
      [keepDays, batch],
    );
    total += rows[0].n;
    if (rows[0].n < batch) return total;
  }
}

export const pruneNotifications: Task = async (_payload, helpers) => {
  const { rows } = await helpers.query<{ n: number }>("select warden_private.notify_prune() as n");
  if (rows[0].n > 0) helpers.logger.info(`pruned ${rows[0].n} expired notification(s)`);
  const { keepDays } = notifySettingsFromEnv();
  const deliveries = await pruneDeliveries(helpersDb(helpers), keepDays);
  if (deliveries > 0) helpers.logger.info(`pruned ${deliveries} finished deliver${deliveries === 1 ? "y" : "ies"} older than ${keepDays} days`);
};
