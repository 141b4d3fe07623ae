/**
 * notify_deliver {subscription_id}: delivers one subscription's due
 * deliveries (src/notify/deliver.ts), batch after batch for at most a few
 * seconds, then queues itself again: at once when more is due, at the next
 * retry or digest time otherwise. Each subscription has its own job queue
 * (notify:<id>), so its deliveries stay in order while a slow or failing
 * endpoint never holds back another subscription.
 */
import type { Task } from "graphile-worker";
import { deliverBatch } from "../src/notify/deliver";
import { helpersDb } from "../src/notify/db";
import { notifySettingsFromEnv, type NotifySettings } from "../src/notify/settings";

export function makeNotifyDeliverTask(settings: NotifySettings = notifySettingsFromEnv()): Task {
  return async (payload, helpers) => {
    const id = (payload as { subscription_id?: unknown })?.subscription_id;
    if (typeof id !== "string" || !/^[0-9a-f-]{36}$/i.test(id)) return;
    const db = helpersDb(helpers);
    const started = Date.now();
    let next: Date | null = null;
    for (;;) {
      const r = await deliverBatch(db, id, settings, started + settings.budgetMs);
      if (r.more && Date.now() - started < settings.budgetMs) continue;
      next = r.more ? new Date() : r.nextRunAt;
      break;
    }
    if (next) {
      await helpers.addJob("notify_deliver", { subscription_id: id }, { queueName: `notify:${id}`, jobKey: `notify_deliver:${id}`, jobKeyMode: "replace", runAt: next });
    }
  };
}
