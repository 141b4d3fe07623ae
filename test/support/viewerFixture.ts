/**
 * A tenant for the viewer's tests: 60 events (two actors, three types, five
 * correlations, customer data with an email the policy masks and a removed
 * ssn), and one row of an audited table changed by two users (row history).
 */
import { gql, promoteCaptured, tenantFixture, type TenantFixture, type TestServer } from "./server";

export const EMAIL = "carol.secret@example.com";
export const TYPES = ["shop.order.placed", "shop.order.shipped", "auth.login"];

export interface ViewerFixture extends TenantFixture {
  customerId: string;
  table: string;
}

export async function viewerFixture(server: TestServer, name: string, schema: string): Promise<ViewerFixture> {
  const t = await tenantFixture(server, name);
  const seeds = Array.from({ length: 60 }, (_, i) => ({
    event_type: TYPES[i % 3],
    outcome: i % 7 === 0 ? "failure" : "success",
    severity: i % 7 === 0 ? "error" : "info",
    actor_id: i % 2 ? "alice" : "bob",
    resource_type: i % 3 === 2 ? "session" : "order",
    resource_id: `o-${i}`,
    correlation_id: `${schema}-corr-${i % 5}`,
    service: ["web", "billing", "shipping"][i % 3],
    minutes_ago: 60 - i,
    data: { customer: { email: EMAIL, ssn: "078-05-1120", tier: i % 2 ? "gold" : "silver" }, n: i },
  }));
  await server.ownerPool.query(
    `insert into warden.audit_events (tenant_id, event_type, category, action, outcome, severity, actor_type, actor_id, resource_type,
       resource_id, correlation_id, service, occurred_at, event_data)
     select $1, s.event_type, split_part(s.event_type, '.', 1), coalesce(nullif(split_part(s.event_type, '.', 3), ''), 'event'), s.outcome::warden.audit_outcome,
            s.severity::warden.audit_severity, 'user', s.actor_id, s.resource_type, s.resource_id, s.correlation_id, s.service,
            now() - make_interval(mins => s.minutes_ago), s.data
     from jsonb_to_recordset($2::jsonb) as s(event_type text, outcome text, severity text, actor_id text, resource_type text,
       resource_id text, correlation_id text, service text, minutes_ago int, data jsonb)`,
    [t.tenantId, JSON.stringify(seeds)],
  );
  const table = `${schema}.customers`;
  const policy = await gql(server, t.tokens.owner, `mutation($m: String!, $r: JSON!) { setRedactionPolicy(input: {mode: $m, rules: $r}) { __typename } }`, {
    m: "log",
    r: [
      { field: "event_data", path: "customer.email", method: "mask" },
      { field: "event_data", path: "customer.ssn", method: "remove" },
      { field: "values", table, column: "email", method: "mask" },
    ],
  });
  if (policy.body.errors) throw new Error(JSON.stringify(policy.body.errors));
  await server.ownerPool.query(`create schema if not exists ${schema};
    create table if not exists ${table} (id uuid primary key default gen_random_uuid(), tenant_id uuid not null, email text, tier text);
    select warden.enable_auditing('${table}');`);
  const c = await server.ownerPool.connect();
  let customerId: string;
  try {
    await c.query("begin");
    await c.query("select warden.set_context($1, $2, 'user')", [t.tenantId, t.users.owner]);
    customerId = (await c.query(`insert into ${table} (tenant_id, email, tier) values ($1, $2, 'silver') returning id`, [t.tenantId, EMAIL])).rows[0].id;
    await c.query("commit");
    await c.query("begin");
    await c.query("select warden.set_context($1, $2, 'user')", [t.tenantId, t.users.admin]);
    await c.query(`update ${table} set tier = 'gold' where id = $1`, [customerId]);
    await c.query("commit");
  } finally {
    c.release();
  }
  await promoteCaptured(server);
  return { ...t, customerId, table };
}

export async function mintViewerToken(server: TestServer, token: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/api/v1/viewer-tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
