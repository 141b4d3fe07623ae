/**
 * Write-time enforcement (warden.dq_enforce): reject mode fails the
 * statement with SQLSTATE 23514 naming the rule and the first failing row's
 * key; record mode lets it through and stores the violations as results;
 * only the enforcing tenant's rows are checked; the trigger follows the
 * rules; every change is a governance event.
 */
import type pg from "pg";
import { actAs, actAsOwner, closePools, createUser, expectFailure, rolledBack } from "../support/db";
import { addRule, ordersFixture } from "./support";

afterAll(closePools);

const INSERT = (table: string) => `insert into ${table} (id, tenant_id, customer_email, status, amount) values ($1, $2, $3, $4, $5)`;

async function enforce(c: pg.ClientBase, table: string, mode: string, tenant: string): Promise<Record<string, unknown>> {
  return (await c.query("select warden.dq_enforce($1::regclass, $2, $3) as r", [table, mode, tenant])).rows[0].r;
}

test("reject mode: a failing row fails the statement with 23514 naming the rule and the row's key; warn rules only record", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 5);
    await addRule(c, f.tenantA, f.table, "amount_positive", "range", { column: "amount", min: 0 });
    await addRule(c, f.tenantA, f.table, "status_known", "accepted_values", { column: "status", values: ["paid", "new"] }, { severity: "warn" });
    await addRule(c, f.tenantA, f.table, "fresh", "freshness", { column: "created_at", max_age: "1 day" }); // not enforceable
    const state = await enforce(c, f.table, "reject", f.tenantA);
    expect(state).toMatchObject({ mode: "reject", target: f.table });
    expect((state.rules as { name: string; action: string }[]).map((r) => [r.name, r.action])).toEqual([
      ["amount_positive", "reject"],
      ["status_known", "record"],
    ]);

    await c.query(INSERT(f.table), [500, f.tenantA, "a@acme.test", "paid", 10]);
    const err = await expectFailure(c, `insert into ${f.table} (id, tenant_id, status, amount) select 600 + g, $1, 'paid', 5 - g from generate_series(1, 10) g`, [
      f.tenantA,
    ]);
    expect(err.code).toBe("23514");
    expect(err.constraint).toBe("amount_positive");
    expect(err.table).toBe("orders");
    expect(err.message).toBe(`data-quality rule amount_positive (range on ${f.table}) rejected the statement: row {"id": 606} fails it`);
    expect((await c.query(`select count(*)::int as n from ${f.table} where id between 601 and 699`)).rows[0].n).toBe(0);
    // UPDATE is checked too.
    expect((await expectFailure(c, `update ${f.table} set amount = -3 where id = 500`)).code).toBe("23514");
    // Another tenant's rows are not tenant A's business.
    await c.query(INSERT(f.table), [700, f.tenantB, null, "other", -100]);
    // A warn rule records the violation instead.
    await c.query(INSERT(f.table), [701, f.tenantA, "b@acme.test", "strange", 1]);
    const recorded = await c.query(
      `select x.rule_name, x.status, x.rows_checked::int, x.rows_failing::int, x.sample, r.trigger
       from warden.dq_results x join warden.dq_runs r on r.id = x.run_id where x.target_name = $1`,
      [f.table],
    );
    expect(recorded.rows).toEqual([
      { rule_name: "status_known", status: "fail", rows_checked: 1, rows_failing: 1, sample: [{ key: { id: 701 }, values: { status: "strange" } }], trigger: "enforce" },
    ]);
  });
});

test("record mode: statements succeed, violations become results with dq.rule.failed events", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 1);
    const rule = await addRule(c, f.tenantA, f.table, "email_present", "not_null", { column: "customer_email" });
    await enforce(c, f.table, "record", f.tenantA);
    await c.query(`insert into ${f.table} (id, tenant_id, status, amount) select 800 + g, $1, 'paid', 1 from generate_series(1, 30) g`, [f.tenantA]);
    const r = (await c.query("select status, rows_checked::int, rows_failing::int, jsonb_array_length(sample) as n, run_id from warden.dq_results where rule_id = $1", [rule]))
      .rows;
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ status: "fail", rows_checked: 30, rows_failing: 30, n: 20 });
    const events = await c.query("select event_data ->> 'run_trigger' as t from warden.audit_events where event_type = 'dq.rule.failed' and resource_id = $1", [rule]);
    expect(events.rows).toEqual([{ t: "enforce" }]);
    // Clean writes record nothing.
    await c.query(INSERT(f.table), [900, f.tenantA, "ok@acme.test", "paid", 1]);
    expect((await c.query("select count(*)::int as n from warden.dq_results where rule_id = $1", [rule])).rows[0].n).toBe(1);
  });
});

test("the trigger follows the rules: added, disabled and dropped rules; off removes it; each mode change is a governance event", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 1);
    await enforce(c, f.table, "reject", f.tenantA);
    // Nothing to enforce yet: no trigger.
    const triggers = async () => (await c.query("select tgname from pg_trigger where tgrelid = $1::regclass and tgname like '_800_dq%' order by 1", [f.table])).rows.map((r) => r.tgname);
    expect(await triggers()).toEqual([]);
    const rule = await addRule(c, f.tenantA, f.table, "short_note", "max_length", { column: "note", max: 3 });
    expect(await triggers()).toEqual(["_800_dq_enforce_insert", "_800_dq_enforce_update"]);
    const bad = `insert into ${f.table} (id, tenant_id, note) values (950, $1, 'too long')`;
    expect((await expectFailure(c, bad, [f.tenantA])).code).toBe("23514");
    await c.query("update warden.dq_rules set enabled = false where id = $1", [rule]);
    await c.query(`savepoint s; ${bad.replace("$1", `'${f.tenantA}'`)}; rollback to savepoint s`);
    await c.query("update warden.dq_rules set enabled = true where id = $1", [rule]);
    expect((await expectFailure(c, bad, [f.tenantA])).code).toBe("23514");
    await enforce(c, f.table, "off", f.tenantA);
    expect(await triggers()).toEqual([]);
    await c.query(bad, [f.tenantA]);
    const events = await c.query(
      `select event_data -> 'before' ->> 'mode' as before, event_data -> 'after' ->> 'mode' as after from warden.audit_events
       where event_type = 'governance.dq.enforce_changed' and resource_id = $1 order by recorded_at`,
      [f.table],
    );
    expect(events.rows).toEqual([{ before: "off", after: "reject" }, { before: "reject", after: "off" }]);
    expect((await expectFailure(c, "select warden.dq_enforce($1::regclass, 'block', $2)", [f.table, f.tenantA])).code).toBe("22023");
  });
});

test("tenant owners and admins enforce their own rules through the API role; members cannot", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 1);
    await c.query(`grant usage on schema ${f.schema} to warden_visitor`);
    const admin = await createUser(c, f.tenantA, "admin");
    const member = await createUser(c, f.tenantA, "member");
    await actAs(c, { tenantId: f.tenantA, actorId: member, tenantRole: "member" });
    expect((await expectFailure(c, "select warden.dq_enforce($1::regclass, 'reject')", [f.table])).code).toBe("42501");
    await actAsOwner(c);
    await actAs(c, { tenantId: f.tenantA, actorId: admin, tenantRole: "admin" });
    expect((await c.query("select warden.dq_enforce($1::regclass, 'record') ->> 'mode' as m", [f.table])).rows[0].m).toBe("record");
    // Not for another tenant.
    expect((await expectFailure(c, "select warden.dq_enforce($1::regclass, 'record', $2)", [f.table, f.tenantB])).code).toBe("42501");
    await actAsOwner(c);
  });
});
