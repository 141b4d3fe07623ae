/**
 * Request context over HTTP: trace ids from traceparent / X-Request-Id /
 * X-Correlation-Id (or generated), echoed, and visible to SQL; the actor
 * from a user token or an API key; health endpoints; error shapes.
 */
import { closePools } from "../support/db";
import { gql, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "Context tenant");
});

afterAll(async () => {
  await server.close();
  await closePools();
});

test("traceparent's trace id is echoed and seen by SQL (GraphQL)", async () => {
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const r = await gql(server, t.tokens.member, `{ currentTraceId currentActor }`, {}, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
  expect(r.headers.get("x-trace-id")).toBe(traceId);
  expect(r.body.data.currentTraceId).toBe(traceId);
  expect(r.body.data.currentActor).toMatchObject({ type: "user", id: t.users.member, tenant_role: "member", trace_id: traceId });
});

test("X-Request-Id, then X-Correlation-Id, are used when there is no traceparent", async () => {
  const r1 = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${t.apiKey.key}`, "x-request-id": "req-123", "x-correlation-id": "corr-9" } });
  expect(r1.headers.get("x-trace-id")).toBe("req-123");
  const body = (await r1.json()) as any;
  expect(body).toMatchObject({ tenant_id: t.tenantId, actor_id: t.apiKey.id, actor_type: "api_key", tenant_role: "member", trace_id: "req-123" });
  expect(body.actor).toMatchObject({ type: "api_key", id: t.apiKey.id, tenant_id: t.tenantId, trace_id: "req-123" });
  const r2 = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${t.apiKey.key}`, "x-correlation-id": "corr-9" } });
  expect(r2.headers.get("x-trace-id")).toBe("corr-9");
});

test("a trace id is generated when absent or invalid", async () => {
  const r = await fetch(`${server.url}/healthz`, { headers: { traceparent: "garbage", "x-request-id": "has spaces in it" } });
  expect(r.headers.get("x-trace-id")).toMatch(/^[0-9a-f]{32}$/);
  const r2 = await fetch(`${server.url}/healthz`);
  expect(r2.headers.get("x-trace-id")).toMatch(/^[0-9a-f]{32}$/);
  expect(r2.headers.get("x-trace-id")).not.toBe(r.headers.get("x-trace-id"));
});

test("healthz and readyz", async () => {
  expect((await (await fetch(`${server.url}/healthz`)).json()) as any).toEqual({ status: "ok" });
  const ready = await fetch(`${server.url}/readyz`);
  expect(ready.status).toBe(200);
  const body = (await ready.json()) as any;
  expect(body.status).toBe("ready");
  expect(body.migrations.applied).toBe(body.migrations.expected);
  expect(body.migrations.expected).toBeGreaterThan(0);
});

test("unknown routes and malformed JSON are problem+json, not 500", async () => {
  const nf = await fetch(`${server.url}/nope`);
  expect(nf.status).toBe(404);
  expect(nf.headers.get("content-type")).toMatch(/problem\+json/);
  expect(((await nf.json()) as any).code).toBe("route_not_found");
  const bad = await fetch(`${server.url}/api/v1/api-keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.tokens.owner}`, "content-type": "application/json" },
    body: '{"name": ',
  });
  expect(bad.status).toBe(400);
  const body = (await bad.json()) as any;
  expect(body).toMatchObject({ code: "malformed_json", trace_id: bad.headers.get("x-trace-id") });
  const invalid = await fetch(`${server.url}/api/v1/api-keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.tokens.owner}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "", role: "god", extra: 1 }),
  });
  expect(invalid.status).toBe(400);
  const ib = (await invalid.json()) as any;
  expect(ib.code).toBe("validation_failed");
  expect(ib.errors.map((e: any) => e.pointer).sort()).toEqual(["/extra", "/name", "/role"]);
});
