/**
 * promote_capture: one promotion pass (warden_private.capture_promote) that
 * moves trigger-captured changes from the capture log into
 * warden.audit_events, then queues the next pass 250 ms later under the
 * same job key (the worker polls every 250 ms), so capture lag stays well
 * under two seconds. The crontab revives it should it ever be lost. A pass
 * that finds another promotion running (the sealing pass promotes too,
 * before it seals) skips.
 */
import type { Task } from "graphile-worker";

export const PROMOTE_JOB_KEY = "warden:promote_capture";

export function makePromoteTask(intervalMs = 250): Task {
  return async (_payload, helpers) => {
    const { rows } = await helpers.withPgClient((client) =>
      client.query<{ n: string }>("select p.promoted::text as n from warden_private.capture_promote(null, false, false) p"),
    );
    if (Number(rows[0].n) > 0) helpers.logger.debug(`promoted ${rows[0].n} captured changes`);
    await helpers.addJob("promote_capture", {}, { jobKey: PROMOTE_JOB_KEY, runAt: new Date(Date.now() + intervalMs), maxAttempts: 25 });
  };
}
