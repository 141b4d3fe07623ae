/**
 * The OpenAPI document: valid OpenAPI 3.1 (openapi-schema-validator), and
 * real responses of each endpoint match the schemas it declares (ajv,
 * JSON Schema 2020-12), errors included.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { closePools } from "../support/db";
import { startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;
let doc: any;
let ajv: Ajv2020;

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "OpenAPI tenant");
  doc = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: "openapi", components: doc.components });
});

afterAll(async () => {
  await server.close();
  await closePools();
});

function check(schemaName: string, body: unknown): void {
  const validate = ajv.getSchema(`openapi#/components/schemas/${schemaName}`)!;
  const ok = validate(body);
  expect({ schemaName, errors: ok ? null : validate.errors }).toEqual({ schemaName, errors: null });
}

async function call(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; type: string; body: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.json() };
}

test("the document is valid OpenAPI 3.1 and names every route", async () => {
  const run = spawnSync(process.execPath, [path.join(__dirname, "../support/validateOpenApi.mjs")], { input: JSON.stringify(doc), encoding: "utf8" });
  expect(run.stderr).toBe("");
  expect(JSON.parse(run.stdout)).toEqual({ valid: true, version: "3.1", errors: null });
  // and the validator does catch a broken document
  const broken = spawnSync(process.execPath, [path.join(__dirname, "../support/validateOpenApi.mjs")], {
    input: JSON.stringify({ ...doc, info: undefined }),
    encoding: "utf8",
  });
  expect(JSON.parse(broken.stdout).valid).toBe(false);
  expect(Object.keys(doc.paths).sort()).toEqual([
    "/api/v1/api-keys",
    "/api/v1/api-keys/{api_key_id}",
    "/api/v1/audit/correlations/{correlation_id}",
    "/api/v1/audit/events",
    "/api/v1/audit/events/{event_id}",
    "/api/v1/audit/export",
    "/api/v1/audit/public-key",
    "/api/v1/audit/row-history",
    "/api/v1/audit/verify",
    "/api/v1/invitations",
    "/api/v1/invitations/accept",
    "/api/v1/invitations/{invitation_id}",
    "/api/v1/me",
    "/api/v1/openapi.json",
    "/api/v1/projects/{project_id}/activity",
    "/api/v1/sessions",
    "/api/v1/sessions/current",
    "/api/v1/sessions/{session_id}",
    "/api/v1/subjects/{subject_id}/erasure",
    "/api/v1/subjects/{subject_id}/export",
    "/api/v1/subscriptions",
    "/api/v1/subscriptions/{subscription_id}",
    "/api/v1/subscriptions/{subscription_id}/attempts",
    "/api/v1/subscriptions/{subscription_id}/deliveries",
    "/api/v1/subscriptions/{subscription_id}/deliveries/{event_id}/redeliver",
    "/api/v1/subscriptions/{subscription_id}/replay",
    "/api/v1/subscriptions/{subscription_id}/test",
    "/api/v1/usage",
    "/api/v1/viewer-tokens",
    "/api/v1/viewer-tokens/{token_id}",
  ]);
});

test("responses match their declared schemas", async () => {
  const opened = await call("POST", "/api/v1/sessions", t.tokens.member, { ttl: "1h" });
  expect(opened.status).toBe(201);
  check("SessionCreated", opened.body);
  const sessions = await call("GET", "/api/v1/sessions", opened.body.token);
  check("SessionList", sessions.body);
  check("Session", (await call("DELETE", `/api/v1/sessions/${opened.body.session_id}`, t.tokens.member)).body);
  check("SessionsRevoked", (await call("DELETE", `/api/v1/sessions?user_id=${t.users.support}`, t.tokens.owner)).body);
  const posted = await call("POST", "/api/v1/audit/events", t.apiKey.key, [
    { event_type: "openapi.check.done", outcome: "success", correlation_id: "oa-1", data: { n: 1 } },
  ]);
  expect(posted.status).toBe(201);
  check("IngestResult", posted.body);
  const page = await call("GET", "/api/v1/audit/events?limit=5", t.tokens.auditor);
  check("EventPage", page.body);
  const one = await call("GET", `/api/v1/audit/events/${posted.body.event_ids[0]}`, t.tokens.auditor);
  check("AuditEvent", one.body);
  check("Timeline", (await call("GET", "/api/v1/audit/correlations/oa-1", t.tokens.auditor)).body);
  check("Me", (await call("GET", "/api/v1/me", t.apiKey.key)).body);
  check("VerifyReport", (await call("GET", "/api/v1/audit/verify", t.tokens.owner)).body);
  const key = await call("POST", "/api/v1/api-keys", t.tokens.owner, { name: "oa" });
  check("ApiKeyCreated", key.body);
  check("ApiKeyRevoked", (await call("DELETE", `/api/v1/api-keys/${key.body.id}`, t.tokens.owner)).body);
  const invited = await call("POST", "/api/v1/invitations", t.tokens.admin, { email: `oa-${t.tenantId}@example.test` });
  expect(invited.status).toBe(201);
  check("InvitationCreated", invited.body);
  check("InvitationRevoked", (await call("DELETE", `/api/v1/invitations/${invited.body.id}`, t.tokens.admin)).body);
  const again = await call("POST", "/api/v1/invitations", t.tokens.admin, { email: `oa-${t.tenantId}@example.test`, role: "auditor" });
  const memberEmail = (await server.ownerPool.query("select email from warden.users where id = $1", [t.users.member])).rows[0].email;
  const other = await tenantFixture(server, "OpenAPI other tenant");
  const toMember = await call("POST", "/api/v1/invitations", other.tokens.owner, { email: memberEmail });
  const accepted = await call("POST", "/api/v1/invitations/accept", t.tokens.member, { token: toMember.body.token });
  expect([again.status, accepted.status]).toEqual([201, 200]);
  check("InvitationAccepted", accepted.body);
  check("SubjectExport", (await call("GET", `/api/v1/subjects/${t.users.member}/export`, t.tokens.owner)).body);
  const erased = await call("POST", "/api/v1/subjects/oa-subject-1/erasure", t.tokens.admin, { reason: "openapi check" });
  expect(erased.status).toBe(200);
  check("ErasureReceipt", erased.body);
  check("UsageReport", (await call("GET", "/api/v1/usage", t.tokens.owner)).body);
});

test("every error matches Problem, with code and trace_id", async () => {
  const errors = [
    await call("GET", "/api/v1/me", null),
    await call("GET", "/api/v1/audit/events?limit=0", t.tokens.auditor),
    await call("GET", "/api/v1/audit/events", t.tokens.member),
    await call("GET", "/api/v1/audit/events/00000000-0000-4000-8000-000000000000", t.tokens.auditor),
    await call("POST", "/api/v1/audit/events", t.apiKey.key, { outcome: "success" }),
    await call("GET", "/api/v1/nothing-here", t.tokens.auditor),
    await call("GET", "/api/v1/subjects/x/export", t.tokens.auditor),
    await call("POST", "/api/v1/subjects/x/erasure", t.tokens.owner, { why: "no reason field" }),
    await call("GET", "/api/v1/audit/events?include_redacted=yes", t.tokens.owner),
    await call("POST", "/api/v1/invitations", t.tokens.member, { email: "x@example.test" }),
    await call("POST", "/api/v1/invitations/accept", t.tokens.member, { token: `wdi_${"0".repeat(64)}` }),
    await call("POST", "/api/v1/invitations/accept", t.apiKey.key, { token: `wdi_${"0".repeat(64)}` }),
    await call("DELETE", "/api/v1/api-keys/not-a-uuid", t.tokens.owner),
  ];
  expect(errors.map((e) => e.status)).toEqual([401, 400, 403, 404, 400, 404, 403, 400, 400, 403, 404, 403, 400]);
  for (const e of errors) {
    expect(e.type).toMatch(/^application\/problem\+json/);
    check("Problem", e.body);
  }
});
