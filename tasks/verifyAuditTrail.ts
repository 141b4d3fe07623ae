/**
 * verify_audit_trail (every WARDEN_VERIFY_INTERVAL_MINUTES, default 10):
 * verifies each tenant's chain incrementally, from its last verified
 * checkpoint, and compares heads with the newest anchors outside the
 * database (src/audit/scheduledVerify.ts). A finding writes a critical
 * governance.verify_failed event and counts in warden_verify_failures_total.
 */
import type { Task } from "graphile-worker";
import type pg from "pg";
import { verifyIncrementally } from "../src/audit/scheduledVerify";
import { anchorsFromEnv } from "../src/audit/anchors";
import type { SealingKey } from "../src/audit/sealingKey";
import { refreshVerifyMetrics } from "../src/audit/verifyMetrics";
import { loadConfig } from "../src/config";

/** The schedule in minutes, from WARDEN_VERIFY_INTERVAL_MINUTES (1 to 60, default 10). */
export function verifyIntervalMinutes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WARDEN_VERIFY_INTERVAL_MINUTES;
  if (raw === undefined || raw === "") return 10;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 60) throw new Error(`WARDEN_VERIFY_INTERVAL_MINUTES must be a whole number of minutes from 1 to 60, got ${JSON.stringify(raw)}`);
  return n;
}

/** Its crontab line. */
export function verifyCrontabLine(env: NodeJS.ProcessEnv = process.env): string {
  const n = verifyIntervalMinutes(env);
  return `${n === 60 ? "0" : `*/${n}`} * * * * verify_audit_trail ?id=verify_audit_trail&max=1`;
}

export function makeVerifyTask(key: SealingKey): Task {
  return async (_payload, helpers) => {
    const result = await helpers.withPgClient(async (client) => {
      const c = client as unknown as pg.ClientBase;
      const anchors = await anchorsFromEnv(c, loadConfig(), key);
      for (const [sink, why] of Object.entries(anchors.unreadable)) helpers.logger.error(`verify: anchors in ${sink} unreadable: ${why}`);
      const r = await verifyIncrementally(c, key, { anchors: anchors.latest });
      await refreshVerifyMetrics(c);
      return r;
    });
    for (const t of result.tenants.filter((x) => x.outcome === "failed")) {
      const why = t.truncated
        ? `truncated: seq ${t.truncated.missing_from}..${t.truncated.missing_to} gone`
        : `${t.first_bad?.reason} at seq ${t.first_bad?.seq}: ${t.first_bad?.detail}`;
      helpers.logger.error(`verify: tenant ${t.tenant_id ?? "(none)"}: ${why}`);
    }
  };
}
