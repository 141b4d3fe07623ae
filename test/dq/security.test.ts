/**
 * The sandbox of data-quality checks, attacked: custom_sql that tries to
 * write, to read another tenant's rows, to read a secret, to sleep past its
 * timeout, to change its role or context, or to call functions with side
 * effects. Each is refused when the rule is saved; rules tampered with
 * behind the validation (triggers off) still cannot do any of it at run time.
 */
import type pg from "pg";
import { asTriggerlessSuperuser, closePools, createApiKey, expectFailure, ownerPool, rolledBack } from "../support/db";
import { runRules } from "../../src/dq/runner";
import { addRule, dropSchema, ordersFixture, type OrdersFixture } from "./support";

afterAll(closePools);

const ADD = `select id from warden.dq_add_rule($1::regclass, $2, 'custom_sql', jsonb_build_object('sql', $3::text), tenant => $4)`;

async function refused(c: pg.ClientBase, f: OrdersFixture, sql: string): Promise<pg.DatabaseError> {
  return expectFailure(c, ADD, [f.table, "attack", sql, f.tenantA]);
}

/** Replaces a rule's compiled query behind the validation trigger (as an attacker with write access to the table would). */
async function tamper(ruleId: string, sql: string, wrap = true): Promise<void> {
  await asTriggerlessSuperuser(async (s) => {
    await s.query(`update warden.dq_rules set compiled = jsonb_set(compiled, '{sql}', to_jsonb($2::text)) where id = $1`, [
      ruleId,
      wrap ? `select jsonb_build_array(null::bigint, count(*), '[]'::jsonb) from (${sql}) q` : sql,
    ]);
  }, true);
}

test("custom_sql is refused when saved if it writes, changes role or context, calls unsafe functions or reads Warden's internals", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 5);
    await c.query(`create function ${f.schema}.side_effect() returns int language sql volatile as 'select 1'`);
    await c.query(`grant execute on function ${f.schema}.side_effect() to public`);
    const attacks: [string, string, RegExp][] = [
      ["insert", `insert into orders (id, tenant_id) values (-1, '${f.tenantA}') returning *`, /read-only|cannot|syntax error/],
      ["insert in WITH", `with x as (insert into orders (id, tenant_id) values (-1, '${f.tenantA}') returning *) select * from x`, /data-modifying/],
      ["update", `update orders set amount = 0 returning *`, /read-only|cannot|syntax error/],
      ["delete", `delete from orders returning *`, /read-only|cannot|syntax error/],
      ["several statements", `select 1; commit; delete from orders`, /multi-query|cannot/],
      ["set role", `set role warden_owner`, /cannot open|syntax|SET/],
      ["reset role", `select 1; reset role; select * from warden_private.api_key_secrets`, /multi-query|permission denied/],
      ["set_config", `select * from orders where set_config('jwt.claims.tenant_id', '${f.tenantB}', true) is not null`, /may not call set_config/],
      ["set_config in WITH", `with s as materialized (select set_config('role', 'warden_owner', true)) select * from s`, /may not call set_config/],
      ["pg_sleep", `select * from orders where pg_sleep(5) is null`, /may not call pg_sleep/],
      ["query_to_xml", `select query_to_xml('select * from warden_private.api_key_secrets', true, false, '')`, /may not call query_to_xml/],
      ["table_to_xml", `select table_to_xml('orders', true, false, '')`, /may not call table_to_xml/],
      ["pg_read_file", `select pg_read_file('/etc/passwd')`, /may not call pg_read_file|permission denied for function pg_read_file/],
      ["large objects", `select lo_import('/etc/passwd')`, /may not call lo_import|permission denied for function lo_import/],
      ["advisory locks", `select 1 from orders where pg_try_advisory_lock(1)`, /may not call pg_try_advisory_lock/],
      ["sequences", `select nextval('pg_class_oid_seq')`, /may not call nextval|does not exist/],
      ["dblink", `select * from dblink('dbname=postgres', 'select 1') as t(x int)`, /does not exist/],
      ["a function with side effects", `select ${f.schema}.side_effect()`, /may not call/],
      ["a secret", `select * from warden_private.api_key_secrets`, /permission denied/],
      ["the audit trail", `select * from warden.audit_events`, /permission denied/],
      ["another schema's table", `select * from pg_catalog.pg_authid`, /permission denied/],
    ];
    for (const [what, sql, message] of attacks) {
      const err = await refused(c, f, sql);
      expect({ what, code: err.code, message: err.message }).toEqual({ what, code: expect.stringMatching(/^(42|0A|25)/), message: expect.stringMatching(message) });
    }
    expect((await c.query("select count(*)::int as n from warden.dq_rules where target = $1::regclass", [f.table])).rows[0].n).toBe(0);
  });
});

test("another tenant's rows stay out of reach: row-level security applies to custom_sql run in the tenant's context", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 5);
    await addRule(c, f.tenantA, f.table, "peek", "custom_sql", { sql: `select * from orders where tenant_id = '${f.tenantB}'` });
    await addRule(c, f.tenantA, f.table, "everything", "custom_sql", { sql: `select * from orders` });
    const run = (await c.query("select * from warden.dq_run($1::regclass)", [f.table])).rows[0];
    const rows = (await c.query("select rule_name, rows_failing::int, sample from warden.dq_results where run_id = $1 order by rule_name", [run.id])).rows;
    expect(rows.map((r) => [r.rule_name, r.rows_failing])).toEqual([["everything", 5], ["peek", 0]]);
    for (const s of rows[0].sample) expect(s.tenant_id).toBe(f.tenantA);
  });
});

test("the sandbox role: no login, no writes, no warden_private, no request-context functions", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 1);
    const { rows } = await c.query(
      `select r.rolcanlogin, r.rolsuper, r.rolbypassrls, r.rolinherit,
              has_schema_privilege('warden_dq_sandbox', 'warden_private', 'usage') as private_usage,
              has_table_privilege('warden_dq_sandbox', $1, 'insert,update,delete,truncate') as writes,
              has_table_privilege('warden_dq_sandbox', 'warden.audit_events', 'select') as audit,
              has_function_privilege('warden_dq_sandbox', 'warden.set_context(uuid, text, text, text, jsonb)', 'execute') as set_context,
              has_function_privilege('warden_visitor', 'warden_private.dq_sandbox_eval(text)', 'execute') as visitor_eval,
              has_function_privilege('warden_dq_sandbox', 'warden_private.dq_sandbox_eval(text)', 'execute') as self_eval
       from pg_roles r where r.rolname = 'warden_dq_sandbox'`,
      [f.table],
    );
    expect(rows[0]).toEqual({
      rolcanlogin: false, rolsuper: false, rolbypassrls: false, rolinherit: false, private_usage: false, writes: false, audit: false,
      set_context: false, visitor_eval: false, self_eval: true,
    });
    // Owning its three functions does not let the sandbox reach them: it cannot even name warden_private.
  });
});

test("rules tampered with behind the validation still cannot write, switch tenant or read secrets at run time", async () => {
  const c = await ownerPool().connect();
  let f: OrdersFixture | undefined;
  try {
    f = await ordersFixture(c, 5);
    await createApiKey(c, f.tenantB, "owner");
    const write = await addRule(c, f.tenantA, f.table, "write", "custom_sql", { sql: "select 1" });
    const sneak = await addRule(c, f.tenantA, f.table, "sneak", "custom_sql", { sql: "select 1" });
    const secret = await addRule(c, f.tenantA, f.table, "secret", "custom_sql", { sql: "select 1" });
    const ddl = await addRule(c, f.tenantA, f.table, "ddl", "custom_sql", { sql: "select 1" });
    await tamper(write, `with x as (insert into ${f.table} (id, tenant_id) values (-1, '${f.tenantA}') returning 1)
      select jsonb_build_array(null::bigint, count(*), '[]'::jsonb) from x`, false);
    await tamper(sneak, `with s as materialized (select set_config('jwt.claims.tenant_id', '${f.tenantB}', true) as t) select o.* from s, ${f.table} o where o.tenant_id = s.t::uuid`);
    await tamper(secret, `select * from warden_private.api_key_secrets`);
    await tamper(ddl, `select 1) q; drop table ${f.table}; select (1`);
    const report = await runRules(c, { tenantId: f.tenantA, table: f.table });
    const by = Object.fromEntries(report.results.map((r) => [r.rule_name, r]));
    expect(by.write.status).toBe("error");
    expect(by.write.message).toMatch(/in a read-only transaction/);
    expect(by.sneak.status).toBe("error");
    expect(by.sneak.message).toMatch(/changed its request context/);
    expect(by.secret).toMatchObject({ status: "error", sample: [] });
    expect(by.secret.message).toMatch(/permission denied/);
    expect(by.ddl.status).toBe("error");
    expect((await c.query(`select count(*)::int as n from ${f.table} where id = -1`)).rows[0].n).toBe(0);
    expect((await c.query(`select to_regclass($1) is not null as exists`, [f.table])).rows[0].exists).toBe(true);
  } finally {
    if (f) {
      await c.query("delete from warden.dq_rules where target = $1::regclass", [f.table]);
      await dropSchema(c, f.schema);
    }
    c.release();
  }
});

test("a check that runs past its rule's timeout is cancelled and recorded as an error; the run goes on", async () => {
  const c = await ownerPool().connect();
  let f: OrdersFixture | undefined;
  try {
    f = await ordersFixture(c, 5);
    const sleeper = await addRule(c, f.tenantA, f.table, "sleeper", "custom_sql", { sql: "select 1" }, { timeoutMs: 300 });
    await addRule(c, f.tenantA, f.table, "heavy", "custom_sql",
      { sql: "select a.g from generate_series(1, 100000000) a(g) where a.g < 0" }, { timeoutMs: 300 });
    await addRule(c, f.tenantA, f.table, "after", "not_null", { column: "status" });
    await tamper(sleeper, "select pg_sleep(30)");
    const started = Date.now();
    const report = await runRules(c, { tenantId: f.tenantA, table: f.table });
    const seconds = (Date.now() - started) / 1000;
    const by = Object.fromEntries(report.results.map((r) => [r.rule_name, r]));
    expect(by.sleeper).toMatchObject({ status: "error", message: "timed out after 300 ms (the rule's statement timeout) (SQLSTATE 57014)" });
    expect(by.heavy).toMatchObject({ status: "error", message: "timed out after 300 ms (the rule's statement timeout) (SQLSTATE 57014)" });
    expect(by.after.status).toBe("pass");
    // Far below the 30 s the sleep asked for (a loose bound: the machine is shared).
    expect(seconds).toBeLessThan(20);
  } finally {
    if (f) {
      await c.query("delete from warden.dq_rules where target = $1::regclass", [f.table]);
      await dropSchema(c, f.schema);
    }
    c.release();
  }
});
