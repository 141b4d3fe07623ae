/**
 * Data-quality metrics in the process registry (src/metrics.ts): runs by
 * trigger, rule results by status and severity, run duration. Labels are
 * closed sets, never rule or table names.
 */
import client from "prom-client";
import { registry } from "../metrics";

export const dqRuns = new client.Counter({
  name: "warden_dq_runs_total",
  help: "Data-quality runs executed by this process (CLI or worker), by trigger (cli, api, schedule).",
  labelNames: ["trigger"] as const,
  registers: [registry],
});

export const dqRuleResults = new client.Counter({
  name: "warden_dq_rule_results_total",
  help: "Data-quality rule results of runs executed by this process, by status (pass, fail, error) and severity (warn, error).",
  labelNames: ["status", "severity"] as const,
  registers: [registry],
});

export const dqRunDuration = new client.Histogram({
  name: "warden_dq_run_duration_seconds",
  help: "Time to execute one data-quality run, from its start to its recorded results.",
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800],
  registers: [registry],
});
