/**
 * Data-quality runs: every check type measured, a table's column rules in
 * one scan, each tenant's rows only, samples redacted, results with
 * history, and a dq.rule.failed event for every failed rule in the run's
 * transaction.
 */
import { closePools, ownerPool, rolledBack } from "../support/db";
import { runRules } from "../../src/dq/runner";
import { addRule, dropSchema, ordersFixture } from "./support";

afterAll(closePools);

const RESULTS = `select rule_name, status, message, rows_checked::int, rows_failing::int, observed_value, sample
                 from warden.dq_results where run_id = $1 order by rule_name`;

test("one run measures every check type: status, rows checked and failing, observed value, samples", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 100);
    await c.query(`create table ${f.schema}.customers (email text, tenant_id uuid)`);
    await c.query(`grant select on ${f.schema}.customers to warden_dq_sandbox`);
    await c.query(`insert into ${f.schema}.customers select 'customer' || g || '@acme.test', $1 from generate_series(1, 95) g`, [f.tenantA]);
    // Tenant B has every customer, so only its own rows (none) may count for tenant A.
    await c.query(`insert into ${f.schema}.customers select 'customer' || g || '@acme.test', $1 from generate_series(96, 100) g`, [f.tenantB]);
    const t = f.tenantA;
    await addRule(c, t, f.table, "amount_positive", "range", { column: "amount", min: 0 });
    await addRule(c, t, f.table, "status_known", "accepted_values", { column: "status", values: ["paid", "new"] }, { severity: "warn" });
    await addRule(c, t, f.table, "email_present", "not_null", { column: "customer_email" });
    await addRule(c, t, f.table, "email_shape", "pattern", { column: "customer_email", regex: "^customer[0-9]+@acme\\.test$" });
    await addRule(c, t, f.table, "email_short", "max_length", { column: "customer_email", max: 18 }, { severity: "warn" });
    await addRule(c, t, f.table, "recent", "freshness", { column: "created_at", max_age: "1 hour" });
    await addRule(c, t, f.table, "stale", "freshness", { column: "created_at", max_age: "1 minute" }, { severity: "warn" });
    await addRule(c, t, f.table, "enough", "row_count", { min: 50, max: 1000 });
    await addRule(c, t, f.table, "status_unique", "unique", { column: "status" }, { severity: "warn" });
    await addRule(c, t, f.table, "known_customer", "referential", { column: "customer_email", references: `${f.schema}.customers`, to_column: "email" });
    await addRule(c, t, f.table, "amount_type", "schema", { columns: [{ name: "id", type: "bigint" }, { name: "amount", type: "integer" }, { name: "gone" }] });
    await addRule(c, t, f.table, "paid_negative", "custom_sql", { sql: "select id, amount from orders where status = 'paid' and amount < 0" });
    await addRule(c, t, f.table, "tolerated", "range", { column: "amount", min: 0, max_failing: 20 });

    const run = (await c.query("select * from warden.dq_run($1::regclass)", [f.table])).rows[0];
    expect(run).toMatchObject({ status: "finished", trigger: "sql", rules_total: 13, rules_passed: 5, rules_failed: 8, rules_errored: 0, gate_passed: false });
    const byName = Object.fromEntries((await c.query(RESULTS, [run.id])).rows.map((r) => [r.rule_name, r]));
    expect(byName.amount_positive).toMatchObject({ status: "fail", rows_checked: 100, rows_failing: 14, message: "14 of 100 row(s): amount is outside [0, inf]" });
    expect(byName.amount_positive.sample).toHaveLength(14);
    expect(byName.amount_positive.sample[0]).toEqual({ key: { id: 7 }, values: { amount: -1 } });
    expect(byName.amount_positive.observed_value).toEqual({ failing_ratio: 0.14 });
    expect(byName.status_known).toMatchObject({ status: "fail", rows_failing: 10 });
    expect(byName.status_known.sample[0]).toEqual({ key: { id: 10 }, values: { status: "weird" } });
    expect(byName.email_present).toMatchObject({ status: "pass", rows_checked: 100, rows_failing: 0, sample: [] });
    expect(byName.email_shape).toMatchObject({ status: "pass", rows_failing: 0 });
    // customer100@acme.test is 21 characters, customer10@acme.test 20, customer1@acme.test 19.
    expect(byName.email_short).toMatchObject({ status: "fail", rows_failing: 100 });
    expect(byName.email_short.sample).toHaveLength(20);
    expect(byName.recent).toMatchObject({ status: "pass", rows_checked: 100 });
    expect(byName.stale).toMatchObject({ status: "fail" });
    expect(byName.stale.message).toMatch(/^newest created_at is 00:05:0\d old \(allowed 00:01:00\)$/);
    expect(byName.enough).toMatchObject({ status: "pass", observed_value: { rows: 100 } });
    expect(byName.status_unique).toMatchObject({ status: "fail", rows_checked: 100, rows_failing: 100 });
    expect(byName.status_unique.sample).toEqual(expect.arrayContaining([{ key: { status: "paid" }, rows: 90 }, { key: { status: "weird" }, rows: 10 }]));
    expect(byName.known_customer).toMatchObject({ status: "fail", rows_checked: 100, rows_failing: 5 });
    expect(byName.known_customer.sample.map((s: { key: { id: number } }) => s.key.id).sort((a: number, b: number) => a - b)).toEqual([96, 97, 98, 99, 100]);
    expect(byName.amount_type).toMatchObject({ status: "fail", message: "column amount is numeric, expected integer; missing column gone" });
    expect(byName.paid_negative).toMatchObject({ status: "fail", rows_checked: null, rows_failing: 13 });
    expect(byName.paid_negative.sample[0]).toEqual({ id: 7, amount: -1 });
    expect(byName.tolerated).toMatchObject({ status: "pass", rows_failing: 14, message: "14 of 100 row(s): amount is outside [0, inf] (tolerated: at most 20)" });
  });
});

test("the column rules of a table are evaluated in one scan of it", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 50);
    await c.query(`analyze ${f.table}`);
    for (const [name, type, params] of [
      ["a", "range", { column: "amount", min: 0 }],
      ["b", "not_null", { column: "customer_email" }],
      ["c", "accepted_values", { column: "status", values: ["paid"] }],
      ["d", "pattern", { column: "customer_email", regex: "@" }],
      ["e", "max_length", { column: "status", max: 10 }],
      ["f", "freshness", { column: "created_at", max_age: "1 day" }],
      ["g", "row_count", { min: 1 }],
    ] as const) {
      await addRule(c, f.tenantA, f.table, name, type, params);
    }
    const scans = async () =>
      (await c.query("select seq_scan::int + coalesce(idx_scan, 0)::int as n from pg_stat_xact_user_tables where relid = $1::regclass", [f.table])).rows[0]?.n ?? 0;
    const before = await scans();
    const run = (await c.query("select * from warden.dq_run($1::regclass)", [f.table])).rows[0];
    expect(run.rules_total).toBe(7);
    expect((await scans()) - before).toBe(1);
  });
});

test("a run sees only its tenant's rows (row-level security), and every tenant's rules run in their own context", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 20);
    // Without a tenant column, row-level security alone keeps tenants apart.
    await addRule(c, f.tenantA, f.table, "amount_a", "range", { column: "amount", min: 0 });
    await addRule(c, f.tenantB, f.table, "amount_b", "range", { column: "amount", min: 0 });
    await c.query(`create view ${f.schema}.orders_rls as select id, amount, status from ${f.table}`);
    await c.query(`alter view ${f.schema}.orders_rls set (security_invoker = true)`);
    await c.query(`grant select on ${f.schema}.orders_rls to warden_dq_sandbox`);
    await addRule(c, f.tenantB, `${f.schema}.orders_rls`, "b_view", "not_null", { column: "status" });
    await addRule(c, f.tenantB, f.table, "b_peeks", "custom_sql", { sql: `select id from orders where tenant_id <> '${f.tenantB}'` });
    const run = (await c.query("select * from warden.dq_run()")).rows[0];
    expect(run.tenant_id).toBeNull();
    const rows = (
      await c.query(
        "select rule_name, tenant_id, status, rows_checked::int, rows_failing::int from warden.dq_results where run_id = $1 and target_name like $2 order by rule_name",
        [run.id, `${f.schema}.%`],
      )
    ).rows;
    expect(rows).toEqual([
      { rule_name: "amount_a", tenant_id: f.tenantA, status: "fail", rows_checked: 20, rows_failing: 2 },
      { rule_name: "amount_b", tenant_id: f.tenantB, status: "fail", rows_checked: 10, rows_failing: 10 },
      { rule_name: "b_peeks", tenant_id: f.tenantB, status: "pass", rows_checked: null, rows_failing: 0 },
      { rule_name: "b_view", tenant_id: f.tenantB, status: "pass", rows_checked: 10, rows_failing: 0 },
    ]);
    // The caller's own context is left as it was.
    expect((await c.query("select coalesce(current_setting('jwt.claims.tenant_id', true), '') as t")).rows[0].t).toBe("");
  });
});

test("samples carry the tenant's redaction rules; failed rules write dq.rule.failed in the run's transaction; history views", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 30);
    await c.query(
      `select warden.set_redaction_policy('off', jsonb_build_array(jsonb_build_object('field', 'values', 'table', $1::text, 'column', 'customer_email', 'method', 'mask')), $2)`,
      [f.table, f.tenantA],
    );
    const rule = await addRule(c, f.tenantA, f.table, "shape", "pattern", { column: "customer_email", regex: "^x" }, { severity: "warn" });
    const passing = await addRule(c, f.tenantA, f.table, "present", "not_null", { column: "customer_email" });
    const run = (await c.query("select * from warden.dq_run($1::regclass)", [f.table])).rows[0];
    const result = (await c.query("select id, sample from warden.dq_results where run_id = $1 and rule_id = $2", [run.id, rule])).rows[0];
    expect(result.sample[0]).toEqual({ key: { id: 1 }, values: { customer_email: "c***@acme.test" } });
    expect(JSON.stringify(result.sample)).not.toContain("customer1@");

    const events = await c.query(
      `select event_type, severity, outcome, actor_type, resource_id, event_data, txid = pg_current_xact_id()::text::bigint as same_tx
       from warden.audit_events where event_type like 'dq.rule.%' and resource_id = any ($1)`,
      [[rule, passing]],
    );
    expect(events.rows).toHaveLength(1);
    expect(events.rows[0]).toMatchObject({ event_type: "dq.rule.failed", severity: "warning", outcome: "failure", actor_type: "system", resource_id: rule, same_tx: true });
    expect(events.rows[0].event_data).toMatchObject({ run_id: run.id, result_id: result.id, rows_failing: 30, rule: { name: "shape", target: f.table } });
    expect(JSON.stringify(events.rows[0].event_data)).not.toContain("customer1@");

    // A second run: latest status per rule, and the daily pass rate.
    await c.query(`update ${f.table} set customer_email = 'x' || customer_email`);
    await c.query("select warden.dq_run($1::regclass)", [f.table]);
    const status = await c.query("select name, status, rows_failing::int from warden.dq_rule_status where target_name = $1 order by name", [f.table]);
    expect(status.rows).toEqual([
      { name: "present", status: "pass", rows_failing: 0 },
      { name: "shape", status: "pass", rows_failing: 0 },
    ]);
    const daily = await c.query("select results, passed, failed, pass_rate::float8 from warden.dq_daily_pass_rate where rule_id = $1", [rule]);
    expect(daily.rows).toEqual([{ results: 2, passed: 1, failed: 1, pass_rate: 0.5 }]);
  });
});

test("row_count compares with the last run (±N%)", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 100);
    const rule = await addRule(c, f.tenantA, f.table, "steady", "row_count", { max_change_pct: 10 });
    const first = (await c.query("select * from warden.dq_run(rule_ids => $1::uuid[])", [[rule]])).rows[0];
    expect(first.rules_passed).toBe(1);
    await c.query(`delete from ${f.table} where tenant_id = $1 and id > 80`, [f.tenantA]);
    const second = (await c.query("select * from warden.dq_run(rule_ids => $1::uuid[])", [[rule]])).rows[0];
    const r = (await c.query("select status, message, observed_value from warden.dq_results where run_id = $1", [second.id])).rows[0];
    expect(r).toEqual({ status: "fail", message: "80 row(s) against 100 last run (-20.000%, allowed ±10%)", observed_value: { rows: 80, previous: 100, change_pct: -20 } });
  });
});

test("the runner (CLI and worker) runs each check in its own statement; a missing table is an error result, the others still run", async () => {
  const c = await ownerPool().connect();
  let schema = "";
  try {
    const f = await ordersFixture(c, 10);
    schema = f.schema;
    await c.query(`create table ${f.schema}.temporary_orders (id int, tenant_id uuid)`);
    await c.query(`grant select on ${f.schema}.temporary_orders to warden_dq_sandbox`);
    await addRule(c, f.tenantA, `${f.schema}.temporary_orders`, "gone", "not_null", { column: "id" });
    await addRule(c, f.tenantA, f.table, "fine", "not_null", { column: "status" });
    await c.query(`drop table ${f.schema}.temporary_orders`);
    const report = await runRules(c, { tenantId: f.tenantA });
    expect(report.run).toMatchObject({ trigger: "cli", rules_total: 2, rules_passed: 1, rules_errored: 1, gate_passed: false });
    const gone = report.results.find((r) => r.rule_name === "gone")!;
    expect(gone.status).toBe("error");
    expect(gone.message).toMatch(/no longer exists/);
    expect(report.results.find((r) => r.rule_name === "fine")!.status).toBe("pass");
  } finally {
    if (schema) await dropSchema(c, schema);
    c.release();
  }
});
