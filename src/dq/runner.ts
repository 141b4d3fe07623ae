/**
 * Executes data-quality runs from a client: the rules live in SQL
 * (warden_private.dq_start_run plans the checks, dq_execute_check runs one
 * read-only as the sandbox role, dq_finish_run records the results and
 * their audit events); this gives every check its own statement with the
 * rule's statement_timeout, inside a savepoint, so a check that times out or
 * fails is recorded as an error and the others still run. The whole run is
 * one transaction: its results and dq.rule.failed events commit together.
 */
import type pg from "pg";
import { dqRuleResults, dqRunDuration, dqRuns } from "./metrics";

export type DqTrigger = "cli" | "api" | "schedule" | "sql";

export interface DqCheck {
  no: number;
  tenant_id: string;
  target: string;
  target_name: string;
  kind: string;
  rule_ids: string[];
  timeout_ms: number;
}

export interface DqRun {
  id: string;
  tenant_id: string | null;
  trigger: string;
  status: string;
  started_at: Date | null;
  finished_at: Date | null;
  rules_total: number;
  rules_passed: number;
  rules_failed: number;
  rules_errored: number;
  gate_passed: boolean | null;
}

export interface DqResult {
  rule_id: string;
  tenant_id: string;
  target_name: string;
  rule_name: string;
  check_type: string;
  severity: "warn" | "error";
  status: "pass" | "fail" | "error";
  message: string | null;
  rows_checked: number | null;
  rows_failing: number | null;
  observed_value: unknown;
  duration_ms: number | null;
  sample: unknown[];
}

export interface DqRunReport {
  run: DqRun;
  results: DqResult[];
}

/** Which rules a new run covers (every one left out means all). */
export interface DqRunScope {
  tenantId?: string;
  /** A table name as SQL would resolve it (regclass), e.g. "public.orders". */
  table?: string;
  ruleIds?: string[];
}

const RUN_COLUMNS = `id, tenant_id, trigger, status, started_at, finished_at, rules_total, rules_passed, rules_failed, rules_errored, gate_passed`;

/** A check the database refused or cancelled, as dq_finish_run records it. */
function failedOutcome(check: DqCheck, err: unknown): Record<string, unknown> {
  const e = err as { code?: string; message?: string };
  const error = e.code === "57014" ? `timed out after ${check.timeout_ms} ms (the rule's statement timeout)` : (e.message ?? String(err));
  return { check, error, sqlstate: e.code ?? null };
}

async function executeChecks(client: pg.ClientBase, runId: string): Promise<unknown[]> {
  const timeout = (await client.query<{ t: string }>("select current_setting('statement_timeout') as t")).rows[0].t;
  const checks = (await client.query<{ c: DqCheck[] }>("select warden_private.dq_start_run($1) as c", [runId])).rows[0].c;
  const outcomes: unknown[] = [];
  for (const check of checks) {
    await client.query("savepoint warden_dq_check");
    try {
      await client.query("select set_config('statement_timeout', $1, true)", [String(check.timeout_ms)]);
      const { rows } = await client.query("select warden_private.dq_execute_check($1, $2::jsonb) as o", [runId, JSON.stringify(check)]);
      await client.query("select set_config('statement_timeout', $1, true)", [timeout]);
      await client.query("release savepoint warden_dq_check");
      outcomes.push(rows[0].o);
    } catch (err) {
      // Back to before the check (the timeout setting included).
      await client.query("rollback to savepoint warden_dq_check");
      outcomes.push(failedOutcome(check, err));
    }
  }
  return outcomes;
}

async function finish(client: pg.ClientBase, runId: string, outcomes: unknown[]): Promise<DqRunReport> {
  const run = (
    await client.query<DqRun>(`select ${RUN_COLUMNS} from warden_private.dq_finish_run($1, $2::jsonb)`, [runId, JSON.stringify(outcomes)])
  ).rows[0];
  const { rows } = await client.query<DqResult>(
    `select rule_id, tenant_id, target_name, rule_name, check_type, severity, status, message, rows_checked::float8 as rows_checked,
            rows_failing::float8 as rows_failing, observed_value, duration_ms::float8 as duration_ms, sample
     from warden.dq_results where run_id = $1 order by target_name, rule_name`,
    [runId],
  );
  return { run, results: rows };
}

function count(report: DqRunReport, seconds: number): void {
  dqRuns.inc({ trigger: report.run.trigger });
  dqRunDuration.observe(seconds);
  for (const r of report.results) dqRuleResults.inc({ status: r.status, severity: r.severity });
}

async function inRunTransaction(client: pg.ClientBase, fn: () => Promise<string>): Promise<DqRunReport> {
  const started = process.hrtime.bigint();
  await client.query("begin");
  try {
    const runId = await fn();
    const report = await finish(client, runId, await executeChecks(client, runId));
    await client.query("commit");
    count(report, Number(process.hrtime.bigint() - started) / 1e9);
    return report;
  } catch (err) {
    await client.query("rollback").catch(() => undefined);
    throw err;
  }
}

/** Creates a run of the matching rules and executes it at once (`warden dq run`). */
export function runRules(client: pg.ClientBase, scope: DqRunScope, trigger: DqTrigger = "cli"): Promise<DqRunReport> {
  return inRunTransaction(client, async () => {
    const { rows } = await client.query<{ id: string }>(
      "select warden_private.dq_create_run($1, $2::regclass, $3::uuid[], $4, null) as id",
      [scope.tenantId ?? null, scope.table ?? null, scope.ruleIds ?? null, trigger],
    );
    return rows[0].id;
  });
}

/** Executes a run queued by the API or the scheduler (the dq_run task). */
export function executeQueuedRun(client: pg.ClientBase, runId: string): Promise<DqRunReport> {
  return inRunTransaction(client, async () => runId);
}
