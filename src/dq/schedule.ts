/**
 * Rule schedules: which rules are due, evaluated with cron-parser (5 cron
 * fields, UTC; SQL validated the syntax when the rule was saved). A rule is
 * due when its latest occurrence at or before now is later than the one it
 * last ran for (or than its creation): an outage runs it once, not once per
 * missed occurrence.
 */
import { CronExpressionParser } from "cron-parser";
import type pg from "pg";

export interface ScheduledRule {
  rule_id: string;
  tenant_id: string;
  target: string;
  schedule: string;
  since: Date;
}

export interface DueGroup {
  tenantId: string;
  target: string;
  firedAt: Date;
  ruleIds: string[];
}

/** The latest occurrence of a schedule at or before `now`, or null when it cannot be read. */
export function latestOccurrence(schedule: string, now: Date): Date | null {
  try {
    const expression = CronExpressionParser.parse(schedule, { currentDate: new Date(now.getTime() + 1), tz: "UTC" });
    return expression.prev().toDate();
  } catch {
    return null;
  }
}

/** Due rules, grouped by tenant, table and occurrence (one run each); unreadable schedules are reported. */
export function dueGroups(rules: ScheduledRule[], now: Date): { groups: DueGroup[]; unreadable: ScheduledRule[] } {
  const groups = new Map<string, DueGroup>();
  const unreadable: ScheduledRule[] = [];
  for (const rule of rules) {
    const fired = latestOccurrence(rule.schedule, now);
    if (fired === null) {
      unreadable.push(rule);
      continue;
    }
    if (fired.getTime() <= rule.since.getTime()) continue;
    const key = `${rule.tenant_id}/${rule.target}/${fired.toISOString()}`;
    const group = groups.get(key) ?? { tenantId: rule.tenant_id, target: rule.target, firedAt: fired, ruleIds: [] };
    group.ruleIds.push(rule.rule_id);
    groups.set(key, group);
  }
  return { groups: [...groups.values()], unreadable };
}

export interface ScheduleReport {
  queued: { run_id: string; tenant_id: string; target: string; rules: number }[];
  unreadable: string[];
  abandoned: number;
}

/**
 * Queues one dq_run job per due group (and records the occurrence), and
 * marks runs queued for more than a day as abandoned, in the caller's
 * transaction (graphile-worker's job, or a test's).
 */
export async function queueDueRuns(client: pg.ClientBase, now: Date = new Date()): Promise<ScheduleReport> {
  const { rows } = await client.query<ScheduledRule>(
    "select rule_id, tenant_id, target::oid::text as target, schedule, since from warden_private.dq_scheduled_rules()",
  );
  const { groups, unreadable } = dueGroups(rows, now);
  const report: ScheduleReport = { queued: [], unreadable: unreadable.map((r) => r.rule_id), abandoned: 0 };
  for (const g of groups) {
    const run = await client.query<{ id: string }>(
      "select warden_private.dq_queue_scheduled($1, $2::oid::regclass, $3::uuid[], $4) as id",
      [g.tenantId, g.target, g.ruleIds, g.firedAt],
    );
    report.queued.push({ run_id: run.rows[0].id, tenant_id: g.tenantId, target: g.target, rules: g.ruleIds.length });
  }
  report.abandoned = (await client.query<{ n: number }>("select warden_private.dq_abandon_stale_runs() as n")).rows[0].n;
  return report;
}
