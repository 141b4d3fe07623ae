/**
 * POST /api/v1/audit/events: single and batch writes, header defaults,
 * severity normalisation, batch-as-a-whole validation (nothing written),
 * bad input never a 500, idempotent retries, body and rate limits, roles.
 */
import { closePools, createApiKey } from "../support/db";
import { gql, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "Ingest tenant");
});

afterAll(async () => {
  await server.close();
  await closePools();
});

async function post(body: unknown, headers: Record<string, string> = {}, token = t.apiKey.key): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${server.url}/api/v1/audit/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" || body instanceof Uint8Array ? (body as any) : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

async function countEvents(where = "true", params: unknown[] = []): Promise<number> {
  const { rows } = await server.ownerPool.query(`select count(*)::int as n from warden.audit_events where tenant_id = $1 and ${where}`, [t.tenantId, ...params]);
  return rows[0].n;
}

test("a single event is written, with the API key as actor and the envelope in event_data", async () => {
  const r = await post(
    { event_type: "gateway.signal.received", outcome: "success", attempt: 1, data: { http: { status: 202 } } },
    { "x-request-id": "req-ingest-1", "user-agent": "gw/2" },
  );
  expect(r.status).toBe(201);
  expect(r.body.event_ids).toHaveLength(1);
  const { rows } = await server.ownerPool.query("select * from warden.audit_events where event_id = $1", [r.body.event_ids[0]]);
  expect(rows[0]).toMatchObject({
    tenant_id: t.tenantId,
    event_type: "gateway.signal.received",
    category: "gateway",
    action: "received",
    outcome: "success",
    severity: "info",
    actor_type: "api_key",
    actor_id: t.apiKey.id,
    trace_id: "req-ingest-1",
    user_agent: "gw/2",
    event_data: { version: 1, operation: "received", status: "success", http: { status: 202 }, attempt: 1 },
  });
});

test("a batch, with header defaults for what the body leaves out and severities normalised", async () => {
  const r = await post(
    [
      { outcome: "failure", severity: "WARN" },
      { event_type: "worker.job.failed", severity: "Warning", actor: { type: "service", id: "scheduler" } },
      { severity: "warning", resource: { id: "order-9" } },
    ],
    { "x-event-type": "gateway.retry.scheduled", "x-service": "gateway", "x-correlation-id": "corr-ingest", "x-outcome": "unknown", "x-resource-type": "order" },
  );
  expect(r.status).toBe(201);
  const { rows } = await server.ownerPool.query(
    "select event_type, outcome, severity, service, correlation_id, resource_type, resource_id, actor_type, actor_id from warden.audit_events where event_id = any($1::uuid[]) order by array_position($1::uuid[], event_id)",
    [r.body.event_ids],
  );
  expect(rows).toEqual([
    { event_type: "gateway.retry.scheduled", outcome: "failure", severity: "warning", service: "gateway", correlation_id: "corr-ingest", resource_type: "order", resource_id: null, actor_type: "api_key", actor_id: t.apiKey.id },
    { event_type: "worker.job.failed", outcome: "unknown", severity: "warning", service: "gateway", correlation_id: "corr-ingest", resource_type: "order", resource_id: null, actor_type: "service", actor_id: "scheduler" },
    { event_type: "gateway.retry.scheduled", outcome: "unknown", severity: "warning", service: "gateway", correlation_id: "corr-ingest", resource_type: "order", resource_id: "order-9", actor_type: "api_key", actor_id: t.apiKey.id },
  ]);
});

test("one invalid item fails the whole batch with a pointer per problem, and nothing is written", async () => {
  const before = await countEvents();
  const r = await post([
    { event_type: "ok.event", outcome: "success" },
    { event_type: "Not Dotted", outcome: "maybe", extra: true, actor: { type: "robot", id: 5 } },
    { event_type: "ok.event", outcome: "success", occurred_at: "yesterday", data: [1, 2] },
  ]);
  expect(r.status).toBe(400);
  expect(r.headers.get("content-type")).toMatch(/problem\+json/);
  expect(r.body.code).toBe("validation_failed");
  expect(r.body.errors.map((e: any) => e.pointer)).toEqual(["/1/actor/id", "/1/actor/type", "/1/event_type", "/1/extra", "/1/outcome", "/2/data", "/2/occurred_at"]);
  expect(await countEvents()).toBe(before);
});

test("bad input is a 4xx, never a 500: wrong types, NUL, invalid UTF-8, malformed JSON, empty or huge batches", async () => {
  const cases: [unknown, number, string][] = [
    [{ event_type: 42, outcome: true }, 400, "validation_failed"],
    [{ event_type: "a.b", outcome: "success", service: "x\u0000y" }, 400, "validation_failed"],
    [{ event_type: "a.b", outcome: "success", data: { "k\u0000": 1 } }, 400, "validation_failed"],
    [[], 400, "validation_failed"],
    [Array.from({ length: 1001 }, () => ({ event_type: "a.b", outcome: "success" })), 400, "validation_failed"],
    ["\"just a string\"", 400, "validation_failed"],
    ["{\"event_type\": ", 400, "malformed_json"],
    [Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 400, "invalid_utf8"],
    [{ event_type: "a.b", outcome: "success", occurred_at: "2026-02-30T10:00:00Z" }, 400, "validation_failed"],
    [{ event_type: "a.b", outcome: "success", data: { big: "x".repeat(70_000) } }, 400, "validation_failed"],
  ];
  for (const [body, status, code] of cases) {
    const r = await post(body);
    expect({ status: r.status, code: r.body?.code }).toEqual({ status, code });
    expect(r.body.trace_id).toBeTruthy();
  }
  const plain = await fetch(`${server.url}/api/v1/audit/events`, { method: "POST", headers: { authorization: `Bearer ${t.apiKey.key}`, "content-type": "text/plain" }, body: "hi" });
  expect(plain.status).toBe(415);
});

test("a body over 1 MiB gets 413", async () => {
  const r = await post(JSON.stringify({ event_type: "a.b", outcome: "success", data: { pad: "x".repeat(1_100_000) } }));
  expect(r.status).toBe(413);
  expect(r.body.code).toBe("body_too_large");
});

test("retries are safe: a client event_id or an Idempotency-Key returns the same ids and writes once", async () => {
  const id = "6f1d2c3b-4a59-4e8f-9a7b-0c1d2e3f4a5b";
  const first = await post({ event_id: id, event_type: "billing.invoice.paid", outcome: "success" });
  const again = await post({ event_id: id, event_type: "billing.invoice.paid", outcome: "success" });
  expect(first.body.event_ids).toEqual([id]);
  expect(again.body.event_ids).toEqual([id]);
  expect(await countEvents("event_id = $2", [id])).toBe(1);

  const batch = [{ event_type: "billing.refund.issued", outcome: "success" }, { event_type: "billing.refund.issued", outcome: "failure" }];
  const k1 = await post(batch, { "idempotency-key": "refund-77" });
  const k2 = await post(batch, { "idempotency-key": "refund-77" });
  expect(k1.status).toBe(201);
  expect(k2.status).toBe(200);
  expect(k2.body).toMatchObject({ replayed: true, event_ids: k1.body.event_ids });
  expect(await countEvents("event_type = 'billing.refund.issued'")).toBe(2);
  const conflict = await post([{ event_type: "billing.refund.issued", outcome: "unknown" }], { "idempotency-key": "refund-77" });
  expect(conflict.status).toBe(409);
  expect(conflict.body.code).toBe("conflict");
});

test("per-key rate limit: each event counts; 429 with Retry-After and RateLimit headers", async () => {
  const c = await server.ownerPool.connect();
  let key: string;
  try {
    const k = await createApiKey(c, t.tenantId, "member");
    await c.query("update warden.api_keys set rate_limit_per_second = 5 where id = $1", [k.id]);
    key = k.key;
  } finally {
    c.release();
  }
  const five = Array.from({ length: 5 }, () => ({ event_type: "limit.test", outcome: "success" }));
  const ok = await post(five, {}, key);
  expect(ok.status).toBe(201);
  expect(ok.headers.get("ratelimit-limit")).toBe("5");
  // A second batch of five needs the whole bucket back, a full second at
  // 5/s: a single event could slip in on the tokens refilled while a busy
  // CI machine answers the first request (one token comes back every 200 ms).
  const limited = await post(five, {}, key);
  expect(limited.status).toBe(429);
  expect(limited.body.code).toBe("rate_limited");
  expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  expect(limited.headers.get("ratelimit-remaining")).toBe("0");
  expect(await countEvents("event_type = 'limit.test'")).toBe(5);
});

test("users need owner or admin to write; the tenant always comes from the credential", async () => {
  const member = await post({ event_type: "a.b", outcome: "success" }, {}, t.tokens.member);
  expect(member.status).toBe(403);
  expect(member.body).toMatchObject({ code: "forbidden", missing_role: "admin" });
  const admin = await post({ event_type: "admin.wrote", outcome: "success", tenant_id: "00000000-0000-4000-8000-000000000000" }, {}, t.tokens.admin);
  expect(admin.status).toBe(400); // tenant_id is not a field a client may set
  const ok = await post({ event_type: "admin.wrote", outcome: "success" }, {}, t.tokens.admin);
  expect(ok.status).toBe(201);
  expect(await countEvents("event_type = 'admin.wrote' and actor_id = $2", [t.users.admin])).toBe(1);
});

test("GraphQL recordAuditEvents applies the same rules and writes the same way", async () => {
  const ok = await gql(server, t.apiKey.key, `mutation($e: JSON!) { recordAuditEvents(input: {events: $e}) { result } }`, {
    e: [{ event_type: "graphql.event.posted", outcome: "success", severity: "WARN" }],
  });
  expect(ok.body.errors).toBeUndefined();
  const ids = ok.body.data.recordAuditEvents.result.event_ids;
  expect(ids).toHaveLength(1);
  expect(await countEvents("event_id = $2 and severity = 'warning'", [ids[0]])).toBe(1);
  const bad = await gql(server, t.apiKey.key, `mutation($e: JSON!) { recordAuditEvents(input: {events: $e}) { result } }`, {
    e: [{ event_type: "graphql.event.posted" }],
  });
  expect(bad.body.errors[0].extensions).toMatchObject({ code: "validation_failed", errors: [{ pointer: "/0/outcome", reason: "required" }] });
});
