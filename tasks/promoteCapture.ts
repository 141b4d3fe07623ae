/**
 * promote_capture: moves trigger-captured changes from the capture log into
 * warden.audit_events (warden_private.capture_promote), every 250 ms, so
 * capture lag stays well under two seconds. One job runs passes for up to
 * 20 s (graphile-worker's polling would otherwise space them by its poll
 * interval), stops early when the worker shuts down, then queues its
 * successor under the same job key; the crontab revives it should it ever
 * be lost. A pass that finds another promotion running (the sealing pass
 * promotes too, before it seals) skips.
 */
import type { Task } from "graphile-worker";

export const PROMOTE_JOB_KEY = "warden:promote_capture";

export function makePromoteTask(intervalMs = 250, runForMs = 20_000): Task {
  return async (_payload, helpers) => {
    const until = Date.now() + runForMs;
    while (!helpers.abortSignal?.aborted) {
      const started = Date.now();
      const { rows } = await helpers.withPgClient((client) =>
        client.query<{ n: string }>("select p.promoted::text as n from warden_private.capture_promote(null, false, false) p"),
      );
      if (Number(rows[0].n) > 0) helpers.logger.debug(`promoted ${rows[0].n} captured changes`);
      if (Date.now() + intervalMs > until) break;
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - started))));
    }
    await helpers.addJob("promote_capture", {}, { jobKey: PROMOTE_JOB_KEY, maxAttempts: 25 });
  };
}
