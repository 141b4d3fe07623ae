/**
 * seal_audit_events: one sealing pass (src/audit/sealer.ts), then schedules
 * the next pass a second later under the same job key, so exactly one
 * sealing job is ever queued and sealing lag stays around a second. The
 * crontab re-creates the job every minute should it ever be lost.
 */
import type { Task } from "graphile-worker";
import type pg from "pg";
import { sealOnce } from "../src/audit/sealer";
import type { SealingKey } from "../src/audit/sealingKey";
import { anchorFromEnv, checkAnchorEnv, type AnchorResult } from "../src/audit/anchors";
import { loadConfig } from "../src/config";

export const SEAL_JOB_KEY = "warden:seal_audit_events";

export function makeSealTask(key: SealingKey, intervalMs = 1000): Task {
  checkAnchorEnv();
  // true at start: checkpoints a previous process could not anchor are sent on the first pass
  let anchorRetry = true;
  return async (_payload, helpers) => {
    const result = await helpers.withPgClient(async (client) => {
      const r = await sealOnce(client as unknown as pg.ClientBase, key);
      // Its checkpoints (and any a failed anchor write left behind) go outside the database.
      if (r.tenants > 0 || anchorRetry) {
        // The pass is committed: anchoring never fails it (nor the scheduling of the next one).
        const anchored = await anchorFromEnv(client as unknown as pg.ClientBase, loadConfig()).catch(
          (err: Error): AnchorResult => ({ written: {}, failed: { configuration: err.message ?? String(err) } }),
        );
        const failed = Object.entries(anchored.failed);
        anchorRetry = failed.length > 0;
        for (const [sink, why] of failed) helpers.logger.error(`anchoring checkpoints to ${sink} failed (sent again next pass): ${why}`);
      }
      return r;
    });
    if (result.sealed > 0) helpers.logger.debug(`sealed ${result.sealed} events for ${result.tenants} tenant(s)`);
    await helpers.addJob("seal_audit_events", {}, { jobKey: SEAL_JOB_KEY, runAt: new Date(Date.now() + intervalMs), maxAttempts: 25 });
  };
}
