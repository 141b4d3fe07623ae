/**
 * notify_dispatch: one dispatch pass (src/notify/dispatch.ts), then queues
 * the next pass 200 ms later under the same job key, so exactly one is ever
 * queued and commit-to-delivery lag stays well under a second plus the
 * sealer's horizon. The crontab revives it every minute should it be lost.
 */
import type { Task } from "graphile-worker";
import type pg from "pg";
import { dispatchOnce } from "../src/notify/dispatch";
import { notifySettingsFromEnv } from "../src/notify/settings";

export const NOTIFY_DISPATCH_JOB_KEY = "warden:notify_dispatch";

export function makeNotifyDispatchTask(intervalMs = Number(process.env.WARDEN_NOTIFY_DISPATCH_MS ?? 200)): Task {
  const { staleLockSeconds } = notifySettingsFromEnv();
  return async (_payload, helpers) => {
    try {
      const n = await helpers.withPgClient((c) => dispatchOnce(c as unknown as pg.ClientBase, staleLockSeconds));
      if (n > 0) helpers.logger.debug(`matched ${n} event(s) to subscriptions`);
    } finally {
      await helpers.addJob("notify_dispatch", {}, { jobKey: NOTIFY_DISPATCH_JOB_KEY, runAt: new Date(Date.now() + intervalMs), maxAttempts: 25 });
    }
  };
}
