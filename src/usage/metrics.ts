/**
 * Usage-metering metrics in the process registry (src/metrics.ts): flushes
 * of the in-memory counters, ingest requests refused by a quota, rollup
 * runs. Labels are closed sets, never tenant ids.
 */
import client from "prom-client";
import { registry } from "../metrics";

export const usageFlushes = new client.Counter({
  name: "warden_usage_flushes_total",
  help: "Flushes of the API's in-memory usage counters into the database, by outcome (ok, error).",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

export const usageQuotaRefusals = new client.Counter({
  name: "warden_usage_quota_refusals_total",
  help: "Ingest requests answered 429 quota_exceeded because the tenant's monthly event quota was used up.",
  registers: [registry],
});

export const usageRollupRows = new client.Counter({
  name: "warden_usage_rollup_rows_total",
  help: "Rows of warden.usage_daily written or changed by the usage_rollup task in this process.",
  registers: [registry],
});
