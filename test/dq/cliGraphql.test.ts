/**
 * Data quality from the outside: `warden dq run` gates a pipeline (exit 1
 * when an error rule fails), and tenant owners and admins manage rules,
 * queue runs and read results through GraphQL.
 */
import { runWarden } from "../support/cli";
import { gql, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";
import { closePools } from "../support/db";
import { addRule, dropSchema, ordersFixture, type OrdersFixture } from "./support";

let server: TestServer;
let t: TenantFixture;
let f: OrdersFixture;

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "dq api");
  const c = await server.ownerPool.connect();
  try {
    f = await ordersFixture(c, 20);
    await c.query(`update ${f.table} set tenant_id = $1 where tenant_id = $2`, [t.tenantId, f.tenantA]);
  } finally {
    c.release();
  }
});

afterAll(async () => {
  const c = await server.ownerPool.connect();
  try {
    await c.query("delete from warden.dq_rules where target_name = $1", [f.table]);
    await dropSchema(c, f.schema);
  } finally {
    c.release();
  }
  await server.close();
  await closePools();
});

test("warden dq run: exit 0 when only warn rules fail, exit 1 when an error rule fails; --json; bad --table exits 2", async () => {
  const c = await server.ownerPool.connect();
  try {
    await addRule(c, t.tenantId, f.table, "status_known", "accepted_values", { column: "status", values: ["paid"] }, { severity: "warn" });
    const warnOnly = await runWarden({}, "dq", "run", "--tenant", t.tenantId, "--table", f.table, "--json");
    expect(warnOnly.code).toBe(0);
    const out = JSON.parse(warnOnly.stdout);
    expect(out.run).toMatchObject({ trigger: "cli", rules_total: 1, rules_failed: 1, gate_passed: true });
    expect(out.results[0]).toMatchObject({ rule_name: "status_known", status: "fail", rows_failing: 2 });

    await addRule(c, t.tenantId, f.table, "amount_positive", "range", { column: "amount", min: 0 });
    const gated = await runWarden({}, "dq", "run", "--tenant", t.tenantId, "--table", f.table);
    expect(gated.code).toBe(1);
    expect(gated.stdout).toContain(`FAIL  error ${f.table} amount_positive: 2 of 20 row(s): amount is outside [0, inf]`);
    expect(gated.stdout).toMatch(/FAILED \(a rule of severity error did not pass\)/);

    const bad = await runWarden({}, "dq", "run", "--table", "no_such.table_at_all");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^warden: --table: /);
    expect((await runWarden({}, "dq", "run", "--tenant", "nope")).code).toBe(2);
  } finally {
    await c.query("delete from warden.dq_rules where target_name = $1", [f.table]);
    c.release();
  }
});

test("GraphQL: owners and admins create, change and delete rules; bad rules get a stable code; members are refused", async () => {
  const create = await gql(
    server,
    t.tokens.admin,
    `mutation($t: String!) { createDqRule(input: {dqRule: {targetName: $t, name: "email_present", checkType: "not_null", params: {column: "customer_email"}, schedule: "0 * * * *"}}) { dqRule { rowId targetName tenantId severity schedule } } }`,
    { t: f.table },
  );
  expect(create.body.errors).toBeUndefined();
  const rule = create.body.data.createDqRule.dqRule;
  expect(rule).toMatchObject({ targetName: f.table, tenantId: t.tenantId, severity: "error", schedule: "0 * * * *" });

  const bad = await gql(
    server,
    t.tokens.owner,
    `mutation($t: String!) { createDqRule(input: {dqRule: {targetName: $t, name: "x", checkType: "range", params: {column: "nope"}}}) { dqRule { rowId } } }`,
    { t: f.table },
  );
  expect(bad.body.errors[0].extensions.code).toBe("invalid_input");
  expect(bad.body.errors[0].message).toMatch(/column nope does not exist/);

  const denied = await gql(
    server,
    t.tokens.member,
    `mutation($t: String!) { createDqRule(input: {dqRule: {targetName: $t, name: "m", checkType: "not_null", params: {column: "note"}}}) { dqRule { rowId } } }`,
    { t: f.table },
  );
  expect(denied.body.errors[0].extensions.code).toBe("forbidden");

  const update = await gql(server, t.tokens.owner, `mutation($id: UUID!) { updateDqRule(input: {rowId: $id, patch: {severity: "warn", enabled: false}}) { dqRule { severity enabled } } }`, {
    id: rule.rowId,
  });
  expect(update.body.errors).toBeUndefined();
  expect(update.body.data.updateDqRule.dqRule).toEqual({ severity: "warn", enabled: false });

  const auditorReads = await gql(server, t.tokens.auditor, `{ dqRules { nodes { name } } dqRuleStatuses { nodes { name status } } }`);
  expect(auditorReads.body.errors).toBeUndefined();
  expect(auditorReads.body.data.dqRules.nodes).toEqual([{ name: "email_present" }]);

  const del = await gql(server, t.tokens.owner, `mutation($id: UUID!) { deleteDqRule(input: {rowId: $id}) { deletedDqRuleId } }`, { id: rule.rowId });
  expect(del.body.errors).toBeUndefined();
  const events = await server.ownerPool.query(
    "select event_type from warden.audit_events where resource_type = 'dq_rule' and resource_id = $1 order by recorded_at",
    [rule.rowId],
  );
  expect(events.rows.map((r) => r.event_type)).toEqual(["governance.dq.rule_added", "governance.dq.rule_changed", "governance.dq.rule_dropped"]);
});

test("GraphQL: dqRequestRun queues a run for the worker; results and the daily pass rate are readable; the SQL-only functions are not exposed", async () => {
  const c = await server.ownerPool.connect();
  try {
    await addRule(c, t.tenantId, f.table, "amount_positive", "range", { column: "amount", min: 0 });
    await c.query("select warden.dq_run($1::regclass)", [f.table]);
  } finally {
    c.release();
  }
  const queued = await gql(server, t.tokens.owner, `mutation($t: String) { dqRequestRun(input: {targetName: $t}) { result { rowId status trigger } } }`, { t: f.table });
  expect(queued.body.errors).toBeUndefined();
  expect(queued.body.data.dqRequestRun.result).toMatchObject({ status: "queued", trigger: "api" });
  const member = await gql(server, t.tokens.member, `mutation { dqRequestRun(input: {}) { result { rowId } } }`);
  expect(member.body.errors[0].extensions.code).toBe("forbidden");

  const read = await gql(
    server,
    t.tokens.auditor,
    `{ dqResults { nodes { ruleName status rowsFailing sample } } dqDailyPassRates { nodes { ruleName results passed } } dqRuns { nodes { trigger status } } }`,
  );
  expect(read.body.errors).toBeUndefined();
  // (The CLI test before ran a rule of this tenant too.)
  const mine = read.body.data.dqResults.nodes.filter((n: { ruleName: string }) => n.ruleName === "amount_positive");
  expect(mine.length).toBeGreaterThanOrEqual(1);
  for (const n of mine) expect(n).toMatchObject({ status: "fail", rowsFailing: "2" });
  const daily = read.body.data.dqDailyPassRates.nodes.filter((n: { ruleName: string }) => n.ruleName === "amount_positive");
  expect(daily.reduce((sum: number, n: { results: number }) => sum + n.results, 0)).toBe(mine.length);
  for (const n of daily) expect(n.passed).toBe(0);

  const schema = await gql(server, t.tokens.owner, `{ __schema { mutationType { fields { name } } queryType { fields { name } } } }`);
  const names = [...schema.body.data.__schema.mutationType.fields, ...schema.body.data.__schema.queryType.fields].map((x: { name: string }) => x.name);
  expect(names).toEqual(expect.arrayContaining(["createDqRule", "dqRequestRun", "dqEnforce", "dqRuleStatuses"]));
  const mutations = schema.body.data.__schema.mutationType.fields.map((x: { name: string }) => x.name);
  expect(mutations.filter((n: string) => /^dq(Run|AddRule|DropRule|Sample\w*|EnsurePartitions)$/.test(n))).toEqual([]);
});
