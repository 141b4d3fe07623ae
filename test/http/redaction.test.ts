/**
 * Redaction, through every read path and for every tenant role: owners and
 * admins see raw values only when they ask (include_redacted=true, or the
 * X-Include-Redacted header for GraphQL); auditors always get masked values
 * with redacted_fields saying what was hidden, even when they ask; support
 * and members read nothing. Write time: log stores raw and counts, enforce
 * stores the redacted values. The rules are one SQL function behind one
 * view, so every path must agree.
 */
import { actAs, closePools, expectFailure, rolledBack } from "../support/db";
import { gql, promoteCaptured, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;
let other: TenantFixture;
let eventId: string;
let customerId: string;

const EMAIL = "john.doe@example.com";
const RULES = [
  { field: "event_data", path: "customer.email", method: "mask" },
  { field: "event_data", path: "customer.ssn", method: "remove" },
  { field: "event_data", path: "customer.phone", method: "hash" },
  { field: "actor_ip", method: "mask" },
  { field: "user_agent", method: "mask" },
  { field: "values", table: "red_app.customers", column: "email", method: "mask" },
];

async function api(path: string, token: string, init: RequestInit = {}): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
  const text = await res.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* jsonl */
  }
  return { status: res.status, body, text };
}

async function setPolicy(fx: TenantFixture, mode: string, rules: unknown[] = RULES): Promise<void> {
  const r = await gql(server, fx.tokens.owner, `mutation($m: String!, $r: JSON!) { setRedactionPolicy(input: {mode: $m, rules: $r}) { __typename } }`, {
    m: mode,
    r: rules,
  });
  expect(r.body.errors).toBeUndefined();
}

async function post(fx: TenantFixture, events: unknown[]): Promise<string[]> {
  const r = await api("/api/v1/audit/events", fx.apiKey.key, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "Mozilla/5.0 (secret device)" },
    body: JSON.stringify(events),
  });
  expect(r.status).toBe(201);
  return r.body.event_ids;
}

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "Redaction tenant");
  other = await tenantFixture(server, "Other redaction tenant");
  await setPolicy(t, "log");
  [eventId] = await post(t, [
    {
      event_type: "shop.order.placed",
      outcome: "success",
      correlation_id: "red-corr-1",
      data: { customer: { email: EMAIL, ssn: "123-45-6789", phone: "+44 20 7946 0000", name: "John" } },
    },
  ]);
  await server.ownerPool.query(`create schema if not exists red_app;
    create table if not exists red_app.customers (id uuid primary key default gen_random_uuid(), tenant_id uuid not null, email text, tier text);
    select warden.enable_auditing('red_app.customers');`);
  const c = await server.ownerPool.connect();
  try {
    await c.query("begin");
    await c.query("select warden.set_context($1, $2, 'user')", [t.tenantId, t.users.owner]);
    customerId = (await c.query("insert into red_app.customers (tenant_id, email, tier) values ($1, $2, 'gold') returning id", [t.tenantId, EMAIL])).rows[0].id;
    await c.query("update red_app.customers set tier = 'platinum', email = 'jane@example.org' where id = $1", [customerId]);
    await c.query("commit");
  } finally {
    c.release();
  }
  await promoteCaptured(server);
});

afterAll(async () => {
  await server.close();
  await closePools();
});

function expectRaw(e: any): void {
  expect(e.event_data.customer).toMatchObject({ email: EMAIL, ssn: "123-45-6789", phone: "+44 20 7946 0000", name: "John" });
  expect(e.user_agent).toBe("Mozilla/5.0 (secret device)");
  expect(["127.0.0.1", "::1", "::ffff:127.0.0.1"]).toContain(e.actor_ip);
  expect(e.redacted_fields).toBeNull();
}

function expectMasked(e: any): void {
  expect(e.event_data.customer.email).toBe("j***@example.com");
  expect(e.event_data.customer).not.toHaveProperty("ssn");
  expect(e.event_data.customer.phone).toMatch(/^hmac:[0-9a-f]{64}$/);
  expect(e.event_data.customer.name).toBe("John");
  expect(e.user_agent).toBe("M***");
  expect(e.actor_ip).toMatch(/\/(24|48)$/);
  expect(e.redacted_fields).toEqual({
    actor_ip: "mask",
    user_agent: "mask",
    "event_data.customer.email": "mask",
    "event_data.customer.ssn": "remove",
    "event_data.customer.phone": "hash",
  });
  expect(JSON.stringify(e)).not.toContain(EMAIL);
  expect(JSON.stringify(e)).not.toContain("123-45-6789");
}

const cases: { role: string; include: boolean; expect: "raw" | "masked" | "forbidden" }[] = [
  { role: "owner", include: true, expect: "raw" },
  { role: "admin", include: true, expect: "raw" },
  { role: "owner", include: false, expect: "masked" },
  { role: "admin", include: false, expect: "masked" },
  { role: "auditor", include: true, expect: "masked" },
  { role: "auditor", include: false, expect: "masked" },
  { role: "support", include: true, expect: "forbidden" },
  { role: "member", include: true, expect: "forbidden" },
];

describe.each(cases)("$role with include_redacted=$include", ({ role, include, expect: want }) => {
  const q = include ? "include_redacted=true" : "include_redacted=false";
  const check = (e: any) => (want === "raw" ? expectRaw(e) : expectMasked(e));

  test("REST /audit/events, /events/{id}, /correlations/{id}", async () => {
    const list = await api(`/api/v1/audit/events?correlation_id=red-corr-1&${q}`, t.tokens[role]);
    const one = await api(`/api/v1/audit/events/${eventId}?${q}`, t.tokens[role]);
    const timeline = await api(`/api/v1/audit/correlations/red-corr-1?${q}`, t.tokens[role]);
    if (want === "forbidden") {
      expect([list.status, one.status, timeline.status]).toEqual([403, 403, 403]);
      return;
    }
    expect([list.status, one.status, timeline.status]).toEqual([200, 200, 200]);
    expect(list.body.data).toHaveLength(1);
    check(list.body.data[0]);
    check(one.body);
    expect(timeline.body.events).toHaveLength(1);
    check(timeline.body.events[0]);
  });

  test("REST export (JSONL and CSV)", async () => {
    const jsonl = await api(`/api/v1/audit/export?correlation_id=red-corr-1&${q}`, t.tokens[role]);
    if (want === "forbidden") {
      expect(jsonl.status).toBe(403);
      return;
    }
    const lines = jsonl.text.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2); // the event and the manifest
    check(lines[0]);
    const csv = await api(`/api/v1/audit/export?format=csv&correlation_id=red-corr-1&${q}`, t.tokens[role]);
    if (want === "raw") expect(csv.text).toContain(EMAIL);
    else {
      expect(csv.text).not.toContain(EMAIL);
      expect(csv.text).toContain("j***@example.com");
    }
  });

  test("GraphQL auditEvents (X-Include-Redacted header)", async () => {
    const r = await gql(
      server,
      t.tokens[role],
      `{ auditEvents(condition: {correlationId: "red-corr-1"}) { nodes { eventData userAgent actorIp redactedFields } } }`,
      {},
      { "x-include-redacted": String(include), "user-agent": "gql-test" },
    );
    if (want === "forbidden") {
      // the same error as REST's 403, not an empty list
      expect(r.body.errors[0].extensions).toMatchObject({ code: "missing_role", missing_role: "auditor", status: 403 });
      expect(r.body.data).toEqual({ auditEvents: null });
      return;
    }
    expect(r.body.errors).toBeUndefined();
    const nodes = r.body.data.auditEvents.nodes;
    expect(nodes).toHaveLength(1);
    const n = nodes[0];
    check({ event_data: n.eventData, user_agent: n.userAgent, actor_ip: n.actorIp, redacted_fields: n.redactedFields });
  });

  test("row_history (GraphQL rowHistory) of a customer row", async () => {
    const r = await gql(
      server,
      t.tokens[role],
      `query($pk: JSON!) { rowHistory(tableName: "red_app.customers", pk: $pk) { nodes { action newValues oldValues rowData redactedFields } } }`,
      { pk: { id: customerId } },
      { "x-include-redacted": String(include) },
    );
    if (want === "forbidden") {
      expect(r.body.errors[0].extensions).toMatchObject({ code: "missing_role", missing_role: "auditor", status: 403 });
      expect(r.body.data).toEqual({ rowHistory: null });
      return;
    }
    expect(r.body.errors).toBeUndefined();
    const nodes = r.body.data.rowHistory.nodes;
    expect(nodes.map((n: any) => n.action)).toEqual(["insert", "update"]);
    if (want === "raw") {
      expect(nodes[0].newValues.email).toBe(EMAIL);
      expect(nodes[1].rowData).toMatchObject({ email: "jane@example.org", tier: "platinum" });
      expect(nodes[1].redactedFields).toBeNull();
    } else {
      expect(nodes[0].newValues.email).toBe("j***@example.com");
      expect(nodes[1].oldValues.email).toBe("j***@example.com");
      expect(nodes[1].rowData).toMatchObject({ email: "j***@example.org", tier: "platinum" });
      expect(nodes[1].redactedFields).toEqual({ "old_values.email": "mask", "new_values.email": "mask" });
      expect(JSON.stringify(nodes)).not.toContain(EMAIL);
    }
  });
});

test("the store's raw redactable columns are not readable by API roles, even an owner, except through the view", async () => {
  await rolledBack(async (c) => {
    await actAs(c, { tenantId: t.tenantId, actorId: t.users.owner, tenantRole: "owner" });
    for (const col of ["event_data", "actor_ip", "user_agent", "old_values", "new_values"]) {
      const err = await expectFailure(c, `select ${col} from warden.audit_events limit 1`);
      expect(err.code).toBe("42501");
    }
    // the non-redactable columns still are (filters, counts)
    const n = await c.query("select count(*)::int as n from warden.audit_events where correlation_id = 'red-corr-1'");
    expect(n.rows[0].n).toBe(1);
    // and setting the flag as an auditor does not unmask
    await c.query("select set_config('jwt.claims.tenant_role', 'auditor', true), set_config('warden.include_redacted', 'true', true)");
    const v = await c.query("select event_data from warden.audit_events_redacted where event_id = $1", [eventId]);
    expect(v.rows[0].event_data.customer.email).toBe("j***@example.com");
  });
});

test("hash is a keyed pseudonym: stable within a tenant, different across tenants", async () => {
  await setPolicy(other, "log");
  const data = { customer: { phone: "+44 20 7946 0000" } };
  const [a2] = await post(t, [{ event_type: "shop.order.placed", outcome: "success", data }]);
  const [b1] = await post(other, [{ event_type: "shop.order.placed", outcome: "success", data }]);
  const first = (await api(`/api/v1/audit/events/${eventId}`, t.tokens.auditor)).body.event_data.customer.phone;
  const again = (await api(`/api/v1/audit/events/${a2}`, t.tokens.auditor)).body.event_data.customer.phone;
  const elsewhere = (await api(`/api/v1/audit/events/${b1}`, other.tokens.auditor)).body.event_data.customer.phone;
  expect(again).toBe(first);
  expect(elsewhere).toMatch(/^hmac:/);
  expect(elsewhere).not.toBe(first);
});

test("write time: log stores raw and counts matches; enforce stores the redacted values; metrics report both", async () => {
  const counts = async () =>
    Object.fromEntries(
      (await server.ownerPool.query("select mode || '/' || method as k, sum(n)::int as n from warden_private.redaction_counts group by 1")).rows.map((r) => [r.k, r.n]),
    );
  const before = await counts();
  const [logged] = await post(t, [{ event_type: "shop.order.placed", outcome: "success", data: { customer: { email: EMAIL } } }]);
  const stored = await server.ownerPool.query("select event_data, user_agent from warden.audit_events where event_id = $1", [logged]);
  expect(stored.rows[0].event_data.customer.email).toBe(EMAIL); // log: raw in the store
  const mid = await counts();
  expect((mid["log/mask"] ?? 0) - (before["log/mask"] ?? 0)).toBe(3); // email, actor_ip, user_agent

  await setPolicy(t, "enforce");
  // the policy change's own governance event is stored under the new mode: the actor's address and user agent masked
  const switched = await counts();
  expect((switched["enforce/mask"] ?? 0) - (mid["enforce/mask"] ?? 0)).toBe(2);
  const change = await server.ownerPool.query(
    `select user_agent, event_data -> 'before' ->> 'mode' as before, event_data -> 'after' ->> 'mode' as after from warden.audit_events
     where tenant_id = $1 and event_type = 'governance.redaction.policy_changed' order by recorded_at desc limit 1`,
    [t.tenantId],
  );
  expect(change.rows[0]).toEqual({ user_agent: "n***", before: "log", after: "enforce" });
  try {
    const [enforced] = await post(t, [{ event_type: "shop.order.placed", outcome: "success", data: { customer: { email: EMAIL, ssn: "1" } } }]);
    const row = (await server.ownerPool.query("select event_data, user_agent, host(actor_ip) as ip, masklen(actor_ip) as len from warden.audit_events where event_id = $1", [enforced])).rows[0];
    expect(row.event_data.customer).toEqual({ email: "j***@example.com" });
    expect(row.user_agent).toBe("M***");
    expect([24, 48]).toContain(row.len);
    const after = await counts();
    expect((after["enforce/mask"] ?? 0) - (switched["enforce/mask"] ?? 0)).toBe(3);
    expect((after["enforce/remove"] ?? 0) - (switched["enforce/remove"] ?? 0)).toBe(1);
    // an owner asking for raw values gets what was stored: the raw ones never were
    const raw = await api(`/api/v1/audit/events/${enforced}?include_redacted=true`, t.tokens.owner);
    expect(raw.body.event_data.customer.email).toBe("j***@example.com");
    // trigger capture is covered too
    const c = await server.ownerPool.connect();
    try {
      await c.query("begin");
      await c.query("select warden.set_context($1, $2, 'user')", [t.tenantId, t.users.owner]);
      await c.query("insert into red_app.customers (tenant_id, email) values ($1, 'zed@example.net')", [t.tenantId]);
      await c.query("commit");
    } finally {
      c.release();
    }
    await promoteCaptured(server); // promoted while the policy is enforced: stored redacted
    const cap = await server.ownerPool.query(
      "select new_values from warden.audit_events where tenant_id = $1 and table_name = 'red_app.customers' and new_values ->> 'email' like 'z%' order by recorded_at desc limit 1",
      [t.tenantId],
    );
    expect(cap.rows[0].new_values.email).toBe("z***@example.net");
  } finally {
    await setPolicy(t, "log");
  }
  // masked reads counted too
  await api(`/api/v1/audit/events/${eventId}`, t.tokens.auditor);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  expect(metrics).toMatch(/warden_redactions_total\{method="mask",mode="enforce"\} [1-9]/);
  expect(metrics).toMatch(/warden_redactions_total\{method="mask",mode="log"\} [1-9]/);
  expect(metrics).toMatch(/warden_redactions_total\{method="hash",mode="read"\} [1-9]/);
});

test("policies: only owners and admins set them; bad rules are refused with the rule named", async () => {
  const denied = await gql(server, t.tokens.auditor, `mutation { setRedactionPolicy(input: {mode: "off", rules: []}) { __typename } }`);
  expect(denied.body.errors[0].extensions.code).toBe("forbidden");
  for (const [rules, msg] of [
    [[{ field: "actor_ip", method: "hash" }], /rule 0: actor_ip/],
    [[{ field: "event_data", path: "a..b", method: "mask" }], /rule 0: path/],
    [[{ field: "event_data", path: "a", method: "mask" }, { field: "nope", method: "mask" }], /rule 1: field/],
    [[{ field: "user_agent", method: "scramble" }], /rule 0: method/],
  ] as const) {
    const r = await gql(server, t.tokens.owner, `mutation($r: JSON!) { setRedactionPolicy(input: {mode: "log", rules: $r}) { __typename } }`, { r: rules });
    expect(r.body.errors[0].message).toMatch(msg);
    expect(r.body.errors[0].extensions.code).toBe("invalid_input");
  }
  const mode = await gql(server, t.tokens.owner, `mutation { setRedactionPolicy(input: {mode: "sometimes", rules: []}) { __typename } }`);
  expect(mode.body.errors[0].message).toMatch(/mode must be/);
  // the policy in force is readable by auditors of the tenant only
  const seen = await gql(server, t.tokens.auditor, `{ redactionPolicies { nodes { tenantId mode } } }`);
  expect(seen.body.data.redactionPolicies.nodes).toEqual([{ tenantId: t.tenantId, mode: "log" }]);
});
