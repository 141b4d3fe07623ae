/**
 * Usage metering (issue 16, part 3): the daily rollup (idempotent, backfills
 * missed days), the billing rules (replays by Idempotency-Key or client
 * event_id counted once, rejected 4xx requests not counted, purged events
 * stay counted), the monthly quota (Warning header and a notification past
 * the soft limit, 429 quota_exceeded past the hard limit, trigger capture
 * never refused), and the read paths: REST, GraphQL and the CLI, for tenant
 * owners and admins only (attacked as a member and from another tenant).
 */
import { randomUUID } from "node:crypto";
import { asTriggerlessSuperuser, closePools, ownerPool } from "../support/db";
import { gql, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";
import { runWarden } from "../support/cli";

let server: TestServer;
let t: TenantFixture;
let other: TenantFixture;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, `usage-${randomUUID().slice(0, 8)}`);
  other = await tenantFixture(server, `usage-other-${randomUUID().slice(0, 8)}`);
});

afterAll(async () => {
  await server.close();
  await closePools();
});

async function post(key: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/api/v1/audit/events`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

const event = (service: string, extra: Record<string, unknown> = {}) => ({
  event_type: "billing.invoice.sent",
  outcome: "success",
  service,
  actor: { type: "service", id: service },
  ...extra,
});

async function rollup(tenant: string): Promise<Record<string, number>> {
  await server.flushUsage();
  await server.ownerPool.query("select warden_private.usage_rollup($1::date, $1::date)", [today]);
  const { rows } = await server.ownerPool.query(
    "select metric || ':' || dimension as k, value::int as v from warden.usage_daily where tenant_id = $1 and day = $2::date",
    [tenant, today],
  );
  return Object.fromEntries(rows.map((r) => [r.k, r.v]));
}

test("billing rules: replays counted once, rejected requests free, purged events stay counted; requests by key", async () => {
  const key = t.apiKey.key;
  // 3 events from two services
  expect((await post(key, [event("billing"), event("billing"), event("mailer")])).status).toBe(201);
  // an Idempotency-Key replay: stored once, counted once
  const idem = randomUUID();
  expect((await post(key, event("billing"), { "idempotency-key": idem })).status).toBe(201);
  const replay = await post(key, event("billing"), { "idempotency-key": idem });
  expect(replay.status).toBe(200);
  expect(replay.body.replayed).toBe(true);
  // a client event_id sent twice (different requests): stored once
  const clientId = "01900000-0000-7000-8000-" + randomUUID().slice(-12);
  expect((await post(key, event("mailer", { event_id: clientId }))).status).toBe(201);
  expect((await post(key, event("mailer", { event_id: clientId }))).status).toBeLessThan(300);
  // rejected: invalid event (400) and no credential for the route's role (a member key reading usage: 403)
  expect((await post(key, { event_type: "NOT VALID" })).status).toBe(400);
  const forbidden = await fetch(`${server.url}/api/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
  expect(forbidden.status).toBe(403);

  const usage = await rollup(t.tenantId);
  expect(usage["events_ingested:billing"]).toBe(3);
  expect(usage["events_ingested:mailer"]).toBe(2);
  // 5 answered requests below 400 by the key (the replays included: answering them is work); the 400 and the 403 are free
  expect(usage[`api_requests:${t.apiKey.id}`]).toBe(5);
  expect(usage["storage_bytes:"]).toBeGreaterThan(0);

  // rerunning gives the same rows
  const again = await rollup(t.tenantId);
  expect(again).toEqual(usage);

  // a purge (here: the strongest attacker deleting the events) does not lower the day's count
  await asTriggerlessSuperuser(async (c) => {
    await c.query("delete from warden.audit_events where tenant_id = $1 and service = 'billing'", [t.tenantId]);
  }, true);
  const afterPurge = await rollup(t.tenantId);
  expect(afterPurge["events_ingested:billing"]).toBe(3);
  expect(afterPurge["events_ingested:mailer"]).toBe(2);
});

test("row events by table, audit exports, and the rollup backfills days the worker missed", async () => {
  const c = await server.ownerPool.connect();
  try {
    await c.query("create schema if not exists usage_app; create table if not exists usage_app.items (id int primary key, tenant_id uuid, name text)");
    await c.query("select warden.enable_auditing('usage_app.items')");
    await c.query("insert into usage_app.items select g, $1, 'x' from generate_series(1, 4) g", [t.tenantId]);
    await c.query("update usage_app.items set name = 'y' where id = 1");
    await c.query("select warden.flush_capture()");
  } finally {
    c.release();
  }
  const exp = await fetch(`${server.url}/api/v1/audit/export?format=jsonl`, { headers: { authorization: `Bearer ${t.tokens.auditor}` } });
  expect(exp.status).toBe(200);
  await exp.text();
  const usage = await rollup(t.tenantId);
  expect(usage["row_events:usage_app.items"]).toBe(5);
  expect(usage["exports:audit_export"]).toBe(1);

  // a missed day: events that arrived three days ago, the worker down since
  const past = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
  await asTriggerlessSuperuser(async (s) => {
    await s.query(
      `insert into warden.audit_events (occurred_at, recorded_at, tenant_id, event_type, category, action, actor_type, actor_id, service)
       select $2::timestamptz + interval '1 hour', $2::timestamptz + interval '1 hour', $1, 'billing.invoice.sent', 'billing', 'sent', 'service', 'old', 'backfilled'
       from generate_series(1, 2)`,
      [other.tenantId, `${past}T00:00:00Z`],
    );
  }, true);
  await server.ownerPool.query("update warden_private.usage_rollup_state set complete_through = $1::date - 2", [past]);
  const { rows } = await server.ownerPool.query("select from_day::text, to_day::text from warden_private.usage_rollup_due()");
  expect(rows[0]).toEqual({ from_day: new Date(Date.parse(past) - 86_400_000).toISOString().slice(0, 10), to_day: today });
  const { rows: back } = await server.ownerPool.query(
    "select value::int as v from warden.usage_daily where tenant_id = $1 and day = $2::date and metric = 'events_ingested' and dimension = 'backfilled'",
    [other.tenantId, past],
  );
  expect(back).toEqual([{ v: 2 }]);
  const { rows: state } = await server.ownerPool.query("select complete_through::text as d from warden_private.usage_rollup_state");
  expect(state[0].d).toBe(new Date(Date.now() - 86_400_000).toISOString().slice(0, 10));
});

test("quota: a Warning header and one notification past the soft limit, 429 quota_exceeded past the hard one; capture is never refused", async () => {
  const q = await tenantFixture(server, `usage-quota-${randomUUID().slice(0, 8)}`);
  const cli = await runWarden({}, "usage", "quota", "--tenant", q.tenantId, "--monthly-events", "5", "--soft-percent", "60", "--json");
  expect(cli.code).toBe(0);
  expect(JSON.parse(cli.stdout)).toEqual({ tenant_id: q.tenantId, monthly_events: 5, soft_limit_percent: 60 });

  const first = await post(q.apiKey.key, [event("a"), event("a")]);
  expect(first.status).toBe(201);
  expect(first.headers.get("warning")).toBeNull();
  const second = await post(q.apiKey.key, [event("a"), event("a")]);
  expect(second.status).toBe(201);
  expect(second.headers.get("warning")).toMatch(/^299 warden "monthly event quota: 4 of 5 events used/);
  expect(second.headers.get("warden-quota-remaining")).toBe("1");
  const refused = await post(q.apiKey.key, [event("a"), event("a")]);
  expect(refused.status).toBe(429);
  expect(refused.headers.get("content-type")).toMatch(/application\/problem\+json/);
  expect(refused.body).toMatchObject({ code: "quota_exceeded", monthly_events: 5, used: 4 });
  expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  // the refused request is not counted: one more event still fits
  expect((await post(q.apiKey.key, event("a"))).status).toBe(201);
  // GraphQL ingest is held to the same quota, with the same problem
  const gqlRefused = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { authorization: `Bearer ${q.apiKey.key}`, "content-type": "application/json" },
    body: JSON.stringify({ query: "mutation($e: JSON!) { recordAuditEvents(input: {events: $e}) { result } }", variables: { e: [event("a")] } }),
  });
  expect(gqlRefused.status).toBe(429);
  expect(await gqlRefused.json()).toMatchObject({ code: "quota_exceeded", monthly_events: 5 });
  // reads over GraphQL are not ingest: never refused by the quota
  const gqlRead = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { authorization: `Bearer ${q.apiKey.key}`, "content-type": "application/json" },
    body: JSON.stringify({ query: "{ __typename }" }),
  });
  expect(gqlRead.status).toBe(200);

  // the soft-limit notification, once, whichever process sees it
  await server.flushUsage();
  await server.flushUsage();
  const { rows: notes } = await server.ownerPool.query(
    "select event_type, event_data from warden.audit_events where tenant_id = $1 and event_type like 'governance.usage_quota.%' order by recorded_at",
    [q.tenantId],
  );
  expect(notes.map((n) => n.event_type)).toEqual([
    "governance.usage_quota.changed",
    "governance.usage_quota.soft_limit_reached",
    "governance.usage_quota.hard_limit_reached",
  ]);
  // and the tenant's owner finds both in the inbox (warden.notifications), once each
  const { rows: inbox } = await server.ownerPool.query(
    "select kind from warden.notifications where tenant_id = $1 and user_id = $2 and kind like 'usage.quota.%' order by created_at",
    [q.tenantId, q.users.owner],
  );
  expect(inbox.map((n) => n.kind)).toEqual(["usage.quota.soft", "usage.quota.hard"]);

  // trigger capture for the tenant past its quota: the application's transaction succeeds and is audited
  const c = await server.ownerPool.connect();
  try {
    await c.query("create schema if not exists usage_app; create table if not exists usage_app.quota_items (id int primary key, tenant_id uuid)");
    await c.query("select warden.enable_auditing('usage_app.quota_items')");
    await c.query("begin");
    await c.query("select warden.set_context($1, $2, 'user')", [q.tenantId, q.users.owner]);
    await c.query("insert into usage_app.quota_items values (1, $1)", [q.tenantId]);
    await c.query("commit");
    await c.query("select warden.flush_capture()");
    const { rows } = await c.query("select count(*)::int as n from warden.audit_events where table_name = 'usage_app.quota_items' and tenant_id = $1", [
      q.tenantId,
    ]);
    expect(rows[0].n).toBe(1);
  } finally {
    c.release();
  }
});

test("quota: events GraphQL accepts count against it (replays do not), so GraphQL is no way around it", async () => {
  const q = await tenantFixture(server, `usage-gql-${randomUUID().slice(0, 8)}`);
  await server.ownerPool.query("select warden_private.set_usage_quota($1, 3, 60)", [q.tenantId]);
  const record = (events: unknown[], key?: string) =>
    fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { authorization: `Bearer ${q.apiKey.key}`, "content-type": "application/json" },
      body: JSON.stringify({ query: "mutation($e: JSON!, $k: String) { recordAuditEvents(input: {events: $e, idempotencyKey: $k}) { result } }", variables: { e: events, k: key ?? null } }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
  const first = await record([event("g"), event("g")], "gql-quota-1");
  expect(first.status).toBe(200);
  expect(first.body.errors).toBeUndefined();
  // the same request again is a replay: not counted
  const replay = await record([event("g"), event("g")], "gql-quota-1");
  expect(replay.body.data.recordAuditEvents.result.replayed).toBe(true);
  await server.flushUsage();
  // 2 of 3 used: one more REST event fits, the next is refused
  expect((await post(q.apiKey.key, event("a"))).status).toBe(201);
  const refused = await post(q.apiKey.key, event("a"));
  expect(refused.status).toBe(429);
  expect(refused.body).toMatchObject({ code: "quota_exceeded", monthly_events: 3, used: 3 });
});

test("reads: REST and GraphQL for owners and admins only, never another tenant's; the CLI", async () => {
  await rollup(t.tenantId);
  const rest = await fetch(`${server.url}/api/v1/usage?from=${today}&to=${today}`, { headers: { authorization: `Bearer ${t.tokens.admin}` } });
  expect(rest.status).toBe(200);
  const doc: any = await rest.json();
  expect(doc).toMatchObject({ tenant_id: t.tenantId, from: today, to: today, quota: null });
  expect(doc.totals.events_ingested).toBe(5);
  expect(doc.rows.every((r: any) => r.day === today)).toBe(true);

  // attacks: a member, an auditor, and another tenant's owner
  for (const token of [t.tokens.member, t.tokens.auditor]) {
    const res = await fetch(`${server.url}/api/v1/usage`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).code).toBe("missing_role");
  }
  const theirs: any = await (await fetch(`${server.url}/api/v1/usage?from=${today}&to=${today}`, { headers: { authorization: `Bearer ${other.tokens.owner}` } })).json();
  expect(JSON.stringify(theirs)).not.toContain(t.apiKey.id);
  expect(theirs.totals.events_ingested ?? 0).toBe(0);
  const bad = await fetch(`${server.url}/api/v1/usage?from=2026-13-01`, { headers: { authorization: `Bearer ${t.tokens.owner}` } });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as any).code).toBe("invalid_query");

  const query = `query ($d: Date!) { usage(fromDay: $d, toDay: $d) { nodes { day metric dimension value } } }`;
  const g = await gql(server, t.tokens.owner, query, { d: today });
  expect(g.body.errors).toBeUndefined();
  expect(g.body.data.usage.nodes).toEqual(expect.arrayContaining([expect.objectContaining({ metric: "events_ingested", dimension: "mailer", value: "2" })]));
  const denied = await gql(server, t.tokens.member, query, { d: today });
  expect(denied.body.data?.usage ?? null).toBeNull();
  expect(denied.body.errors[0].message).toMatch(/owner or admin/);
  // the table itself, as a member through SQL: row-level security shows nothing
  const c = await ownerPool().connect();
  try {
    await c.query("begin");
    await c.query(
      "select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.actor_id', $2, true), set_config('jwt.claims.actor_type', 'user', true), set_config('jwt.claims.tenant_role', 'member', true)",
      [t.tenantId, t.users.member],
    );
    await c.query("set local role warden_visitor");
    const { rows } = await c.query("select count(*)::int as n from warden.usage_daily");
    expect(rows[0].n).toBe(0);
  } finally {
    await c.query("rollback");
    c.release();
  }

  const cli = await runWarden({}, "usage", "--tenant", t.tenantId, "--from", today, "--to", today, "--json");
  expect(cli.code).toBe(0);
  const out = JSON.parse(cli.stdout);
  expect(out).toMatchObject({ tenant_id: t.tenantId, from: today, to: today, quota: null });
  expect(out.totals.events_ingested).toBe(5);
  expect((await runWarden({}, "usage", "--tenant", "nope")).code).toBe(2);
});
