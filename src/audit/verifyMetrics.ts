/** Refreshes the scheduled-verification metrics from warden_private.verify_positions (at scrape time and after each run). */
import type pg from "pg";
import { setVerifyFailures, verifyLastSuccess } from "../metrics";
import { verifyMetricsSnapshot } from "./scheduledVerify";

export async function refreshVerifyMetrics(db: pg.Pool | pg.ClientBase): Promise<void> {
  const snap = await verifyMetricsSnapshot(db);
  verifyLastSuccess.reset();
  for (const s of snap.lastSuccess) verifyLastSuccess.set({ tenant: s.tenant }, s.at);
  setVerifyFailures(snap.failures);
}
