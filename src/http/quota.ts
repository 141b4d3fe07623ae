/**
 * How the API answers a tenant near or past its monthly event quota:
 * past the soft limit a Warning header (RFC 9111 warn-code 299) and
 * Warden-Quota-* headers; past the hard limit 429 quota_exceeded with
 * Retry-After until the month ends.
 */
import { problem, type Problem } from "./problem";
import type { QuotaVerdict } from "../usage/meter";

type Counted = Exclude<QuotaVerdict, { state: "none" }>;

export function quotaWarningHeaders(verdict: QuotaVerdict, incoming: number): Record<string, string> {
  if (verdict.state !== "soft") return {};
  const used = verdict.used + incoming;
  return {
    Warning: `299 warden "monthly event quota: ${used} of ${verdict.limit} events used (soft limit ${verdict.softLimit})"`,
    "Warden-Quota-Limit": String(verdict.limit),
    "Warden-Quota-Remaining": String(Math.max(0, verdict.limit - used)),
  };
}

export function quotaProblem(verdict: Counted): { problem: Problem; headers: Record<string, string> } {
  const retryAfter = Math.max(1, Math.ceil((verdict.resetsAt.getTime() - Date.now()) / 1000));
  return {
    problem: problem(429, "quota_exceeded", `the tenant's monthly event quota of ${verdict.limit} events is used up (${verdict.used} accepted this month); it resets at ${verdict.resetsAt.toISOString()}`, {
      monthly_events: verdict.limit,
      used: verdict.used,
      resets_at: verdict.resetsAt.toISOString(),
    }),
    headers: { "Retry-After": String(retryAfter), "Warden-Quota-Limit": String(verdict.limit), "Warden-Quota-Remaining": "0" },
  };
}
