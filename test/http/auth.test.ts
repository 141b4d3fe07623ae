/**
 * Authentication and authorisation, attacked: missing, malformed, expired,
 * forged and revoked credentials get 401 problem+json; a too-low role gets
 * 403 with missing_role, on REST and GraphQL alike.
 */
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { closePools } from "../support/db";
import { gql, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "Auth tenant");
});

afterAll(async () => {
  await server.close();
  await closePools();
});

async function expectProblem(res: Response, status: number, code: string): Promise<any> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as any;
  expect(body).toMatchObject({ status, code, title: expect.any(String) });
  expect(body.trace_id).toBe(res.headers.get("x-trace-id"));
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(js|ts):\d+/); // no stack traces
  return body;
}

function sign(secret: string, claims: Record<string, unknown>, exp: number, sub: string): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setJti(randomUUID())
    .setIssuer("warden")
    .setAudience("warden-api")
    .setIssuedAt(exp - 3600)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
}

const me = (auth?: string) => fetch(`${server.url}/api/v1/me`, { headers: auth ? { authorization: auth } : {} });

test("a missing credential gets 401 on REST and GraphQL", async () => {
  await expectProblem(await me(), 401, "missing_credentials");
  const r = await fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"{__typename}"}' });
  const body = await expectProblem(r, 401, "missing_credentials");
  expect(r.headers.get("www-authenticate")).toMatch(/Bearer/);
  expect(body.detail).toMatch(/Authorization/);
});

test("a malformed Authorization header gets 401", async () => {
  await expectProblem(await me("Basic dXNlcjpwYXNz"), 401, "invalid_credentials");
  await expectProblem(await me("Bearer"), 401, "invalid_credentials");
});

test("an expired token gets 401 token_expired", async () => {
  const expired = await sign(server.secret, { tid: t.tenantId }, Math.floor(Date.now() / 1000) - 60, t.users.owner);
  await expectProblem(await me(`Bearer ${expired}`), 401, "token_expired");
});

test("forged tokens get 401 invalid_token", async () => {
  const exp = Math.floor(Date.now() / 1000) + 600;
  // signed with another secret
  const otherKey = await sign("x".repeat(43), { tid: t.tenantId }, exp, t.users.owner);
  await expectProblem(await me(`Bearer ${otherKey}`), 401, "invalid_token");
  // a genuine token whose payload was edited to claim another tenant
  const genuine = await server.signToken(t.tenantId, t.users.member, 600);
  const [h, p, s] = genuine.split(".");
  const payload = JSON.parse(Buffer.from(p, "base64url").toString());
  payload.tid = "00000000-0000-4000-8000-000000000000";
  const tampered = [h, Buffer.from(JSON.stringify(payload)).toString("base64url"), s].join(".");
  await expectProblem(await me(`Bearer ${tampered}`), 401, "invalid_token");
  // alg=none
  const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${p}.`;
  await expectProblem(await me(`Bearer ${none}`), 401, "invalid_token");
  // garbage
  await expectProblem(await me("Bearer not.a.jwt"), 401, "invalid_token");
});

test("a validly signed token for a tenant the user does not belong to gets 401 (it has no session there)", async () => {
  const other = await tenantFixture(server, "Other tenant");
  const cross = await server.tokens.sign({ tenantId: other.tenantId, userId: t.users.owner, sessionId: randomUUID() }, 600);
  await expectProblem(await me(`Bearer ${cross}`), 401, "session_not_found");
  // nor can a session be opened there
  await expect(server.signToken(other.tenantId, t.users.owner)).rejects.toMatchObject({ code: "42501" });
});

test("unknown, malformed and revoked API keys get 401", async () => {
  await expectProblem(await me(`Bearer wdn_000000000000_${"0".repeat(64)}`), 401, "invalid_api_key");
  await expectProblem(await me("Bearer wdn_short"), 401, "invalid_api_key");
  // a real key with one character changed
  const k = t.apiKey.key;
  const flipped = k.slice(0, -1) + (k.endsWith("0") ? "1" : "0");
  await expectProblem(await me(`Bearer ${flipped}`), 401, "invalid_api_key");
  // revoke a working key through GraphQL as the tenant owner
  const fresh = await gql(server, t.tokens.owner, `mutation { createApiKey(input: {name: "temp"}) { result { id key } } }`);
  expect(fresh.body.errors).toBeUndefined();
  const { id, key } = fresh.body.data.createApiKey.result;
  expect((await me(`Bearer ${key}`)).status).toBe(200);
  const revoke = await gql(
    server,
    t.tokens.owner,
    `mutation($id: UUID!) { updateApiKey(input: {rowId: $id, patch: {revokedAt: "2020-01-01T00:00:00Z"}}) { apiKey { rowId } } }`,
    { id },
  );
  expect(revoke.body.errors).toBeUndefined();
  server.authenticator.flush();
  await expectProblem(await me(`Bearer ${key}`), 401, "invalid_api_key");
});

test("API keys are stored hashed: the key appears nowhere in the database", async () => {
  const { rows } = await server.ownerPool.query(
    `select count(*)::int as n from warden.api_keys k join warden_private.api_key_secrets s on s.api_key_id = k.id
     where k.id = $1 and s.key_hash = sha256(convert_to($2, 'UTF8'))`,
    [t.apiKey.id, t.apiKey.key],
  );
  expect(rows[0].n).toBe(1);
  const leak = await server.ownerPool.query(
    `select count(*)::int as n from warden.api_keys k join warden_private.api_key_secrets s on s.api_key_id = k.id
     where k::text like '%' || $1 || '%' or encode(s.key_hash, 'escape') like '%' || $1 || '%'`,
    [t.apiKey.key.split("_")[2]],
  );
  expect(leak.rows[0].n).toBe(0);
});

test("a too-low role gets 403 with missing_role (REST)", async () => {
  for (const role of ["member", "support", "auditor"]) {
    const r = await fetch(`${server.url}/api/v1/api-keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.tokens[role]}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "nope" }),
    });
    const body = await expectProblem(r, 403, "missing_role");
    expect(body.missing_role).toBe("admin");
  }
  const ok = await fetch(`${server.url}/api/v1/api-keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.tokens.admin}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "ci", rate_limit_per_second: 50 }),
  });
  expect(ok.status).toBe(201);
  const created = (await ok.json()) as any;
  expect(created.key).toMatch(/^wdn_[0-9a-f]{12}_[0-9a-f]{64}$/);
  const row = await server.ownerPool.query("select tenant_id, rate_limit_per_second from warden.api_keys where id = $1", [created.id]);
  expect(row.rows[0]).toEqual({ tenant_id: t.tenantId, rate_limit_per_second: 50 });
});

test("a too-low role gets a GraphQL error with code and missing_role", async () => {
  const r = await gql(server, t.tokens.member, `mutation { createApiKey(input: {name: "nope"}) { result { id } } }`);
  expect(r.status).toBe(200);
  expect(r.body.errors[0].extensions).toMatchObject({ code: "forbidden", missing_role: "admin", trace_id: r.headers.get("x-trace-id") });
  // an admin cannot mint an owner key
  const r2 = await gql(server, t.tokens.admin, `mutation { createApiKey(input: {name: "x", role: owner}) { result { id } } }`);
  expect(r2.body.errors[0].extensions).toMatchObject({ code: "forbidden", missing_role: "owner" });
  // a member cannot promote themself
  const r3 = await gql(
    server,
    t.tokens.member,
    `mutation($t: UUID!, $u: UUID!) { updateTenantMembershipByTenantIdAndUserId(input: {tenantId: $t, userId: $u, patch: {role: owner}}) { tenantMembership { role } } }`,
    { t: t.tenantId, u: t.users.member },
  );
  // The update policy does not match for a member: nothing is changed.
  expect(r3.body.errors).toBeUndefined();
  expect(r3.body.data.updateTenantMembershipByTenantIdAndUserId.tenantMembership).toBeNull();
  const role = await server.ownerPool.query("select role from warden.tenant_memberships where tenant_id = $1 and user_id = $2", [t.tenantId, t.users.member]);
  expect(role.rows[0].role).toBe("member");
});

test("the auditor cannot list API keys; the admin can", async () => {
  const auditor = await gql(server, t.tokens.auditor, `{ apiKeys { totalCount } }`);
  expect(auditor.body.data.apiKeys.totalCount).toBe(0);
  const admin = await gql(server, t.tokens.admin, `{ apiKeys { totalCount nodes { prefix } } }`);
  expect(admin.body.data.apiKeys.totalCount).toBeGreaterThan(0);
});

test("GraphQL errors carry code and trace_id; syntax errors are not 500s", async () => {
  const r = await gql(server, t.tokens.member, `{ nope }`);
  expect(r.status).toBeLessThan(500);
  expect(r.body.errors[0].extensions).toMatchObject({ code: "graphql_validation_failed", trace_id: r.headers.get("x-trace-id") });
});

test("a member can create a project through GraphQL and becomes its owner", async () => {
  const r = await gql(server, t.tokens.member, `mutation { createProject(input: {project: {name: "member project"}}) { project { rowId tenantId createdBy } } }`);
  expect(r.body.errors).toBeUndefined();
  const p = r.body.data.createProject.project;
  expect(p).toMatchObject({ tenantId: t.tenantId, createdBy: t.users.member });
  const m = await server.ownerPool.query("select role from warden.project_members where project_id = $1 and user_id = $2", [p.rowId, t.users.member]);
  expect(m.rows[0].role).toBe("owner");
  // support and auditor cannot create projects
  const denied = await gql(server, t.tokens.support, `mutation { createProject(input: {project: {name: "nope"}}) { project { rowId } } }`);
  expect(denied.body.errors[0].extensions.code).toBe("forbidden");
});
