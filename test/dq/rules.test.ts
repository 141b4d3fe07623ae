/**
 * Data-quality rules: validated against the catalog when saved (a clear
 * SQLSTATE for an unknown column, a wrong parameter, an unknown check
 * type), managed by tenant owners and admins only, every change a
 * governance.dq.* event.
 */
import { actAs, actAsOwner, closePools, createUser, expectFailure, rolledBack } from "../support/db";
import { addRule, ordersFixture } from "./support";

afterAll(closePools);

const ADD = `select id from warden.dq_add_rule($1::regclass, $2, $3, $4::jsonb, schedule => $5, tenant => $6)`;

test("a rule of every check type is accepted and compiled", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 10);
    await c.query(`create table ${f.schema}.customers (email text, tenant_id uuid)`);
    await c.query(`grant select on ${f.schema}.customers to warden_dq_sandbox`);
    const rules: [string, Record<string, unknown>][] = [
      ["not_null", { column: "customer_email" }],
      ["unique", { columns: ["tenant_id", "id"] }],
      ["accepted_values", { column: "status", values: ["paid", "new"] }],
      ["range", { column: "amount", min: 0, max: 1000, max_inclusive: false }],
      ["pattern", { column: "customer_email", regex: "^[^@]+@[^@]+$", case_insensitive: true }],
      ["max_length", { column: "note", max: 200 }],
      ["referential", { column: "customer_email", references: `${f.schema}.customers`, to_column: "email" }],
      ["freshness", { column: "created_at", max_age: "1 hour" }],
      ["row_count", { min: 1, max_change_pct: 50 }],
      ["schema", { columns: [{ name: "id", type: "bigint" }, { name: "amount" }], exact: false }],
      ["custom_sql", { sql: "select id, amount from orders where amount < 0 and status = 'paid'" }],
    ];
    for (const [type, params] of rules) await addRule(c, f.tenantA, f.table, `r_${type}`, type, params, { schedule: "*/15 * * * *" });
    const { rows } = await c.query(
      `select check_type, compiled ->> 'kind' as kind, target_name, tenant_column, schedule from warden.dq_rules where target = $1::regclass order by check_type`,
      [f.table],
    );
    expect(rows).toHaveLength(rules.length);
    for (const r of rows) expect(r).toMatchObject({ target_name: f.table, tenant_column: "tenant_id", schedule: "*/15 * * * *" });
    expect(Object.fromEntries(rows.map((r) => [r.check_type, r.kind]))).toEqual({
      accepted_values: "scan", custom_sql: "custom", freshness: "scan", max_length: "scan", not_null: "scan", pattern: "scan",
      range: "scan", referential: "referential", row_count: "scan", schema: "schema", unique: "unique",
    });
    // custom_sql is stored schema-qualified, as PostgreSQL printed it back.
    const custom = await c.query(`select compiled ->> 'sql' as sql from warden.dq_rules where target = $1::regclass and check_type = 'custom_sql'`, [f.table]);
    expect(custom.rows[0].sql).toContain(`FROM ${f.table}`);
  });
});

test("a bad rule fails when saved, with a SQLSTATE naming the problem", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 1);
    const cases: [string, Record<string, unknown>, string, RegExp, string?][] = [
      ["range", { column: "nope", min: 0 }, "42703", /column nope does not exist/],
      ["range", { column: "amount", min: "abc" }, "22023", /param min: 'abc' is not a valid numeric/],
      ["range", { column: "amount" }, "22023", /needs min, max or both/],
      ["bogus", {}, "22023", /unknown check type 'bogus'/],
      ["not_null", { column: "amount", colour: "red" }, "22023", /unknown param 'colour'/],
      ["not_null", { column: 42 }, "42703", /column "42" does not exist|column 42 does not exist/],
      ["accepted_values", { column: "amount", values: ["x"] }, "22023", /param values/],
      ["accepted_values", { column: "status", values: "paid" }, "22023", /param values must be an array/],
      ["max_length", { column: "amount", max: 3 }, "42804", /max_length applies to text columns/],
      ["max_length", { column: "note", max: -1 }, "22023", /param max must be a whole number/],
      ["pattern", { column: "note", regex: "(" }, "2201B", /not a valid regular expression/],
      ["freshness", { column: "status", max_age: "1 hour" }, "42804", /timestamp or date column/],
      ["freshness", { column: "created_at", max_age: "soon" }, "22023", /param max_age/],
      ["referential", { column: "status", references: "nowhere.at_all" }, "42P01", /does not exist/],
      ["schema", { columns: [{ name: "id", type: "no_such_type" }] }, "42704", /type 'no_such_type' does not exist/],
      ["row_count", { max_change_pct: -3 }, "22023", /max_change_pct must be a positive number/],
      ["not_null", { column: "note" }, "22023", /schedule/, "every day"],
      ["not_null", { column: "note" }, "22023", /minute '61' is out of range/, "61 * * * *"],
    ];
    for (const [type, params, code, message, schedule] of cases) {
      const err = await expectFailure(c, ADD, [f.table, "bad", type, JSON.stringify(params), schedule ?? null, f.tenantA]);
      expect({ type, params, code: err.code, message: err.message }).toEqual({ type, params, code, message: expect.stringMatching(message) });
    }
    expect((await c.query("select count(*)::int as n from warden.dq_rules where target = $1::regclass", [f.table])).rows[0].n).toBe(0);
  });
});

test("a table the sandbox role cannot read is refused, with the grant to make in the hint", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 1);
    await c.query(`create table ${f.schema}.hidden (id int, tenant_id uuid)`);
    const err = await expectFailure(c, ADD, [`${f.schema}.hidden`, "r", "not_null", '{"column": "id"}', null, f.tenantA]);
    expect(err.code).toBe("42501");
    expect(err.hint).toBe(`a DBA grants it: grant select on ${f.schema}.hidden to warden_dq_sandbox`);
    const internal = await expectFailure(c, ADD, ["warden_private.api_key_secrets", "r", "not_null", '{"column": "key_hash"}', null, f.tenantA]);
    expect(internal.code).toBe("42501");
  });
});

test("tenant owners and admins manage their rules through the API role; others cannot; every change is a governance event", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 5);
    const owner = await createUser(c, f.tenantA, "owner");
    const member = await createUser(c, f.tenantA, "member");
    const ownerB = await createUser(c, f.tenantB, "owner");
    await actAs(c, { tenantId: f.tenantA, actorId: owner, tenantRole: "owner", traceId: "trace-dq-1" });
    const ins = await c.query(
      `insert into warden.dq_rules (target_name, name, check_type, params) values ($1, 'amount_ok', 'range', '{"column": "amount", "min": 0}')
       returning id, tenant_id, created_by`,
      [f.table],
    );
    expect(ins.rows[0]).toMatchObject({ tenant_id: f.tenantA, created_by: owner });
    const id = ins.rows[0].id;
    // Validation applies to the API path too.
    const bad = await expectFailure(c, `insert into warden.dq_rules (target_name, name, check_type, params) values ($1, 'x', 'range', '{"column": "nope"}')`, [
      f.table,
    ]);
    expect(bad.code).toBe("42703");
    await c.query(`update warden.dq_rules set severity = 'warn', params = '{"column": "amount", "min": 1}' where id = $1`, [id]);
    // The compiled SQL is Warden's: the API role can neither read nor write it.
    expect((await expectFailure(c, `select compiled from warden.dq_rules`)).code).toBe("42501");
    expect((await expectFailure(c, `update warden.dq_rules set compiled = '{}' where id = $1`, [id])).code).toBe("42501");
    await c.query("delete from warden.dq_rules where id = $1", [id]);
    await actAsOwner(c);

    await actAs(c, { tenantId: f.tenantA, actorId: member, tenantRole: "member" });
    const denied = await expectFailure(c, `insert into warden.dq_rules (target_name, name, check_type, params) values ($1, 'm', 'not_null', '{"column": "note"}')`, [
      f.table,
    ]);
    expect(denied.code).toBe("42501");
    await actAsOwner(c);

    // Another tenant's owner sees none of tenant A's rules.
    await c.query("select set_config('jwt.claims.tenant_id', '', true), set_config('jwt.claims.actor_id', '', true), set_config('jwt.claims.tenant_role', '', true)");
    const keep = await addRule(c, f.tenantA, f.table, "kept", "not_null", { column: "note" });
    await actAs(c, { tenantId: f.tenantB, actorId: ownerB, tenantRole: "owner" });
    expect((await c.query("select id from warden.dq_rules")).rows).toEqual([]);
    expect((await c.query("delete from warden.dq_rules where id = $1", [keep])).rowCount).toBe(0);
    await actAsOwner(c);

    const events = await c.query(
      `select event_type, actor_id, trace_id, event_data -> 'before' ->> 'severity' as before, event_data -> 'after' ->> 'severity' as after
       from warden.audit_events where resource_type = 'dq_rule' and resource_id = $1 order by recorded_at, event_type`,
      [id],
    );
    expect(events.rows).toEqual([
      { event_type: "governance.dq.rule_added", actor_id: owner, trace_id: "trace-dq-1", before: null, after: "error" },
      { event_type: "governance.dq.rule_changed", actor_id: owner, trace_id: "trace-dq-1", before: "error", after: "warn" },
      { event_type: "governance.dq.rule_dropped", actor_id: owner, trace_id: "trace-dq-1", before: "warn", after: null },
    ]);
  });
});

test("an API caller may not check a table whose tenants nothing keeps apart; a DBA may", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 1);
    const owner = await createUser(c, f.tenantA, "owner");
    await c.query(`create table ${f.schema}.shared (code text)`);
    await c.query(`grant select on ${f.schema}.shared to warden_dq_sandbox`);
    await actAs(c, { tenantId: f.tenantA, actorId: owner, tenantRole: "owner" });
    const err = await expectFailure(c, `insert into warden.dq_rules (target_name, name, check_type, params) values ($1, 's', 'not_null', '{"column": "code"}')`, [
      `${f.schema}.shared`,
    ]);
    expect(err.code).toBe("42501");
    expect(err.message).toMatch(/neither a tenant column nor row-level security/);
    await actAsOwner(c);
    await addRule(c, f.tenantA, `${f.schema}.shared`, "s", "not_null", { column: "code" });
  });
});

test("warden.dq_drop_rule by id or by name; the target, type and tenant of a rule never change", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 1);
    const id = await addRule(c, f.tenantA, f.table, "a", "not_null", { column: "note" });
    await addRule(c, f.tenantA, f.table, "b", "not_null", { column: "note" });
    const moved = await expectFailure(c, "update warden.dq_rules set check_type = 'unique' where id = $1", [id]);
    expect(moved.code).toBe("22023");
    expect((await c.query("select warden.dq_drop_rule($1::uuid) as ok", [id])).rows[0].ok).toBe(true);
    expect((await c.query("select warden.dq_drop_rule($1::uuid) as ok", [id])).rows[0].ok).toBe(false);
    expect((await c.query("select warden.dq_drop_rule($1::regclass, 'b', $2) as ok", [f.table, f.tenantA])).rows[0].ok).toBe(true);
    expect((await c.query("select count(*)::int as n from warden.dq_rules where target = $1::regclass", [f.table])).rows[0].n).toBe(0);
  });
});
