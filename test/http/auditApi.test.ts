/**
 * Auditing through the API: a GraphQL write is captured with the request's
 * context (actor, tenant, trace id, client address, user agent); the
 * auditor reads it, and GET /api/v1/audit/verify reports on the tenant's
 * sealed trail, catching tampering.
 */
import pg from "pg";
import { sealOnce } from "../../src/audit/sealer";
import { runTaskListOnce } from "graphile-worker";
import { onceTaskList } from "../support/onceTaskList";
import { closePools, rootOnTestDatabase } from "../support/db";
import { gql, promoteCaptured, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "Audited API tenant");
});

afterAll(async () => {
  await server.close();
  await closePools();
});

test("a GraphQL write is audited with the request's actor, tenant, trace id, address and user agent", async () => {
  const traceId = "0af7651916cd43dd8448eb211c80319c";
  const r = await gql(server, t.tokens.admin, `mutation { createProject(input: {project: {name: "audited"}}) { project { rowId } } }`, {}, {
    traceparent: `00-${traceId}-b7ad6b7169203331-01`,
    "user-agent": "warden-test/1.0",
  });
  expect(r.body.errors).toBeUndefined();
  const projectId = r.body.data.createProject.project.rowId;
  await promoteCaptured(server);
  const ev = await gql(
    server,
    t.tokens.auditor,
    `query($id: String!) { auditEvents(condition: {resourceId: $id}) { nodes { eventType actorType actorId tenantId traceId actorIp userAgent newValues } } }`,
    { id: projectId },
  );
  expect(ev.body.errors).toBeUndefined();
  const types = ev.body.data.auditEvents.nodes.map((n: any) => n.eventType);
  expect(types).toContain("db.warden.projects.insert");
  const insert = ev.body.data.auditEvents.nodes.find((n: any) => n.eventType === "db.warden.projects.insert");
  expect(insert).toMatchObject({
    actorType: "user",
    actorId: t.users.admin,
    tenantId: t.tenantId,
    traceId,
    userAgent: "warden-test/1.0",
    newValues: expect.objectContaining({ name: "audited", tenant_id: t.tenantId }),
  });
  expect(["127.0.0.1", "::1", "::ffff:127.0.0.1"]).toContain(insert.actorIp);
  // a member may not read the audit trail: the same error as REST's 403
  const member = await gql(server, t.tokens.member, `{ auditEvents { totalCount } }`);
  expect(member.body.errors[0].extensions).toMatchObject({ code: "missing_role", missing_role: "auditor", status: 403 });
  expect(member.body.data).toEqual({ auditEvents: null });
});

test("GET /api/v1/audit/verify says when the worker's scheduled verification last passed for the tenant", async () => {
  const read = async () => (await (await fetch(`${server.url}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${t.tokens.auditor}` } })).json()) as any;
  expect((await read()).last_verified_at).toBeNull();
  const started = Date.now();
  const c = await server.ownerPool.connect();
  try {
    await sealOnce(c, server.sealingKey);
    await c.query("select warden_private.enqueue_job('verify_audit_trail', '{}', null, null)");
    await runTaskListOnce({ pgPool: server.ownerPool }, onceTaskList({ sealingKey: server.sealingKey }), c);
  } finally {
    c.release();
  }
  const after = await read();
  expect(after.ok).toBe(true);
  expect(Date.parse(after.last_verified_at)).toBeGreaterThanOrEqual(started - 1000);
  expect(after.last_verify_failure_at).toBeNull();
});

test("GET /api/v1/audit/verify: ok for an intact trail, pinpoints tampering, and needs an auditing role", async () => {
  const c = await server.ownerPool.connect();
  try {
    await sealOnce(c, server.sealingKey);
  } finally {
    c.release();
  }
  const ok = await fetch(`${server.url}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${t.tokens.auditor}` } });
  expect(ok.status).toBe(200);
  const body = (await ok.json()) as any;
  expect(body).toMatchObject({ ok: true, status: "ok", tenant_id: t.tenantId, first_bad: null, truncated: [], capture_gaps: [] });
  expect(body.message).toMatch(/^ok: /);
  expect(body.events_verified).toBeGreaterThan(0);

  const denied = await fetch(`${server.url}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${t.tokens.member}` } });
  expect(denied.status).toBe(403);
  expect(((await denied.json()) as any).missing_role).toBe("auditor");

  // tamper as a superuser (committed, then restored)
  const su = new pg.Client({ connectionString: rootOnTestDatabase() });
  await su.connect();
  const victim = await su.query(
    "select event_id, actor_id from warden.audit_events where tenant_id = $1 and event_type = 'db.warden.projects.insert' limit 1",
    [t.tenantId],
  );
  try {
    await su.query("set session_replication_role = replica");
    await su.query("update warden.audit_events set actor_id = 'someone-else' where event_id = $1", [victim.rows[0].event_id]);
    const bad = await fetch(`${server.url}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${t.tokens.owner}` } });
    const report = (await bad.json()) as any;
    expect(report.ok).toBe(false);
    expect(report.status).toBe("tampered");
    expect(report.message).toMatch(/^TAMPERED: /);
    expect(report.first_bad).toMatchObject({ reason: "modified", event_id: victim.rows[0].event_id, tenant_id: t.tenantId });
  } finally {
    await su.query("update warden.audit_events set actor_id = $2 where event_id = $1", [victim.rows[0].event_id, victim.rows[0].actor_id]);
    await su.end();
  }
  const restored = await fetch(`${server.url}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${t.tokens.owner}` } });
  expect(((await restored.json()) as any).ok).toBe(true);
});

test("rowHistory over GraphQL shows a row's versions with diffs", async () => {
  const r = await gql(server, t.tokens.admin, `mutation { createProject(input: {project: {name: "v1"}}) { project { rowId } } }`);
  const id = r.body.data.createProject.project.rowId;
  await gql(server, t.tokens.admin, `mutation($id: UUID!) { updateProject(input: {rowId: $id, patch: {name: "v2", description: "d"}}) { project { rowId } } }`, { id });
  await promoteCaptured(server);
  const h = await gql(server, t.tokens.auditor, `query($pk: JSON!) { rowHistory(tableName: "warden.projects", pk: $pk) { nodes { action actorId changedFields rowData } } }`, {
    pk: { id },
  });
  expect(h.body.errors).toBeUndefined();
  const nodes = h.body.data.rowHistory.nodes;
  expect(nodes.map((n: any) => n.action)).toEqual(["insert", "update"]);
  expect(nodes[1]).toMatchObject({ actorId: t.users.admin, changedFields: ["description", "name", "updated_at"] });
  expect(nodes[1].rowData).toMatchObject({ name: "v2", description: "d" });
});
