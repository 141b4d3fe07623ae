/**
 * Scheduled runs: cron schedules (validated in SQL, evaluated with
 * cron-parser) queue dq_run jobs that the worker executes; a rule fires once
 * per occurrence, and once after an outage.
 */
import { runTaskListOnce } from "graphile-worker";
import { onceTaskList } from "../support/onceTaskList";
import { dueGroups, latestOccurrence, queueDueRuns, type ScheduledRule } from "../../src/dq/schedule";
import { closePools, expectFailure, ownerPool, rolledBack, testSealingKey } from "../support/db";
import { addRule, ordersFixture } from "./support";

afterAll(closePools);

const taskList = onceTaskList({ sealingKey: testSealingKey() });

test("every schedule SQL accepts, cron-parser reads the same way; SQL refuses malformed ones", async () => {
  const accepted = ["* * * * *", "*/15 * * * *", "0 3 * * *", "5,35 8-18 * * mon-fri", "0 0 1 jan,jul *", "0 12 * * 0", "0 12 * * 7", "10-50/10 * 1-15 * *"];
  const refused = ["* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *", "@daily", "a b c d e", "* * * * * *"];
  await rolledBack(async (c) => {
    for (const s of accepted) {
      const { rows } = await c.query("select warden_private.dq_check_schedule($1) as s", [s]);
      expect(latestOccurrence(rows[0].s, new Date())).toBeInstanceOf(Date);
    }
    for (const s of refused) expect({ s, code: (await expectFailure(c, "select warden_private.dq_check_schedule($1)", [s])).code }).toEqual({ s, code: "22023" });
  });
});

test("due rules: the latest occurrence after the last one run, grouped by tenant and table", () => {
  const now = new Date("2026-03-10T12:07:30Z");
  const rule = (id: string, schedule: string, since: string, target = "1"): ScheduledRule => ({ rule_id: id, tenant_id: "t", target, schedule, since: new Date(since) });
  const { groups, unreadable } = dueGroups(
    [
      rule("a", "*/5 * * * *", "2026-03-10T12:00:00Z"), // 12:05 is due
      rule("b", "*/5 * * * *", "2026-03-10T12:05:00Z"), // ran for 12:05 already
      rule("c", "0 * * * *", "2026-03-09T00:00:00Z"), // days of outage: fires once, for 12:00
      rule("d", "*/5 * * * *", "2026-03-10T11:00:00Z", "2"),
      rule("e", "not a schedule", "2026-03-10T11:00:00Z"),
    ],
    now,
  );
  expect(groups.map((g) => [g.target, g.firedAt.toISOString(), g.ruleIds])).toEqual([
    ["1", "2026-03-10T12:05:00.000Z", ["a"]],
    ["1", "2026-03-10T12:00:00.000Z", ["c"]],
    ["2", "2026-03-10T12:05:00.000Z", ["d"]],
  ]);
  expect(unreadable.map((r) => r.rule_id)).toEqual(["e"]);
});

test("dq_schedule queues a run of the due rules and the worker's dq_run executes it; it fires once per occurrence", async () => {
  // Committed fixtures: the runner commits its own transaction, as in the worker.
  const c = await ownerPool().connect();
  let schema = "";
  try {
    const f = await ordersFixture(c, 10);
    schema = f.schema;
    const rule = await addRule(c, f.tenantA, f.table, "every_minute", "range", { column: "amount", min: 0 }, { schedule: "* * * * *" });
    await c.query("update warden.dq_rules set created_at = now() - interval '10 minutes' where id = $1", [rule]);
    await c.query("begin");
    const report = await queueDueRuns(c);
    expect((await queueDueRuns(c)).queued.filter((q) => q.tenant_id === f.tenantA)).toEqual([]);
    await c.query("commit");
    const mine = report.queued.filter((q) => q.tenant_id === f.tenantA);
    expect(mine).toEqual([{ run_id: expect.any(String), tenant_id: f.tenantA, target: expect.any(String), rules: 1 }]);
    const runId = mine[0].run_id;
    expect((await c.query("select status, trigger, rule_ids from warden.dq_runs where id = $1", [runId])).rows[0]).toEqual({
      status: "queued", trigger: "schedule", rule_ids: [rule],
    });
    const job = await c.query("select queue_name from graphile_worker.jobs where task_identifier = 'dq_run' and key = 'dq_run:' || $1", [runId]);
    expect(job.rows).toEqual([{ queue_name: "warden_dq" }]);
    const worker = await ownerPool().connect();
    try {
      await runTaskListOnce({ pgPool: ownerPool() }, taskList, worker);
    } finally {
      worker.release();
    }
    const run = (await c.query("select status, rules_total, rules_failed from warden.dq_runs where id = $1", [runId])).rows[0];
    expect(run).toEqual({ status: "finished", rules_total: 1, rules_failed: 1 });
  } finally {
    if (schema) {
      await c.query(`delete from warden.dq_rules where target_name like $1`, [`${schema}.%`]);
      await c.query(`drop schema ${schema} cascade`);
    }
    c.release();
  }
});

test("runs queued for more than a day that nobody executed are marked abandoned", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 3);
    const stale = (await c.query("select warden_private.dq_create_run($1, null, null, 'api', 'x') as id", [f.tenantA])).rows[0].id;
    await c.query("update warden.dq_runs set requested_at = now() - interval '2 days' where id = $1", [stale]);
    const report = await queueDueRuns(c);
    expect(report.abandoned).toBeGreaterThanOrEqual(1);
    expect((await c.query("select status from warden.dq_runs where id = $1", [stale])).rows[0].status).toBe("abandoned");
  });
});
