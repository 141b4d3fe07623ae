/**
 * Sessions (warden.user_sessions) over REST, GraphQL and SQL: every token
 * belongs to one; a user lists and revokes their own; tenant owners and
 * admins revoke anyone's in the tenant (an owner's only as owner); members
 * cannot touch others' and no tenant sees another's; revoked, expired and
 * missing sessions are refused with 401 problem+json; creating and revoking
 * are governance events; the worker compacts sessions that ended long ago.
 */
import { randomUUID } from "node:crypto";
import { runTaskListOnce } from "graphile-worker";
import { mintSessionToken } from "../../src/auth/sessions";
import { compactUserSessions } from "../../tasks/compactUserSessions";
import { closePools } from "../support/db";
import { afterInvalidation, gql, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;
let other: TenantFixture;

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "Sessions tenant");
  other = await tenantFixture(server, "Sessions other tenant");
});

afterAll(async () => {
  await server.close();
  await closePools();
});

const mint = (tenantId: string, userId: string, ttlSeconds = 3600) => mintSessionToken(server.ownerPool, server.tokens, { tenantId, userId, ttlSeconds });

function api(token: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
}

async function expectProblem(res: Response, status: number, code: string): Promise<any> {
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as any;
  expect(body).toMatchObject({ status, code });
  expect(res.status).toBe(status);
  return body;
}

test("POST /sessions opens a session with the client's address and user agent; GET lists one's own, marking the current one", async () => {
  const first = await mint(t.tenantId, t.users.support);
  const res = await api(first.token, "POST", "/sessions", { ttl: "2h" }, { "user-agent": "sessions-test/1" });
  expect(res.status).toBe(201);
  const opened = (await res.json()) as any;
  expect(Date.parse(opened.expires_at) - Date.now()).toBeGreaterThan(7100_000);
  const list = (await (await api(opened.token, "GET", "/sessions")).json()) as any;
  const mine = list.sessions.find((s: any) => s.id === opened.session_id);
  expect(mine).toMatchObject({ user_id: t.users.support, ip: "127.0.0.1", user_agent: "sessions-test/1", active: true, current: true, revoked_at: null });
  expect(list.sessions.find((s: any) => s.id === first.sessionId)).toMatchObject({ current: false, active: true });
  expect(list.sessions.every((s: any) => s.user_id === t.users.support)).toBe(true);
  // bad ttl
  await expectProblem(await api(opened.token, "POST", "/sessions", { ttl: "forever" }), 400, "validation_failed");
  // an API key has no sessions to open
  await expectProblem(await api(t.apiKey.key, "POST", "/sessions", {}), 403, "user_required");
});

test("a user revokes their own session (and signs out); the token is refused with 401 on the next request; audited", async () => {
  const s = await mint(t.tenantId, t.users.member);
  const keep = await mint(t.tenantId, t.users.member);
  expect((await api(s.token, "GET", "/me")).status).toBe(200);
  await afterInvalidation(server, async () => {
    const res = await api(keep.token, "DELETE", `/sessions/${s.sessionId}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: s.sessionId, active: false, revoked_by: { type: "user", id: t.users.member } });
  });
  await expectProblem(await api(s.token, "GET", "/me"), 401, "session_revoked");
  // revoking again answers with the first revocation
  expect((await api(keep.token, "DELETE", `/sessions/${s.sessionId}`)).status).toBe(200);
  // sign out
  await afterInvalidation(server, async () => expect((await api(keep.token, "DELETE", "/sessions/current")).status).toBe(200));
  await expectProblem(await api(keep.token, "GET", "/me"), 401, "session_revoked");
  const { rows } = await server.ownerPool.query(
    `select event_type, actor_id, event_data -> 'revoked_by' ->> 'id' as by from warden.audit_events
     where resource_type = 'user_session' and resource_id = $1 order by occurred_at, event_type`,
    [s.sessionId],
  );
  expect(rows.map((r) => r.event_type)).toEqual(["governance.session.created", "governance.session.revoked"]);
  expect(rows[1]).toMatchObject({ actor_id: t.users.member, by: t.users.member });
});

test("members cannot list or revoke another user's sessions; admins can, but not an owner's; owners can", async () => {
  const victim = await mint(t.tenantId, t.users.auditor);
  const owner = await mint(t.tenantId, t.users.owner);
  // a member
  await expectProblem(await api(t.tokens.member, "DELETE", `/sessions/${victim.sessionId}`), 403, "forbidden");
  await expectProblem(await api(t.tokens.member, "GET", `/sessions?user_id=${t.users.auditor}`), 403, "missing_role");
  await expectProblem(await api(t.tokens.member, "DELETE", `/sessions?user_id=${t.users.auditor}`), 403, "forbidden");
  expect((await api(victim.token, "GET", "/me")).status).toBe(200);
  // an admin lists and revokes the auditor's, not the owner's
  const listed = (await (await api(t.tokens.admin, "GET", `/sessions?user_id=${t.users.auditor}`)).json()) as any;
  expect(listed.sessions.map((s: any) => s.id)).toContain(victim.sessionId);
  await expectProblem(await api(t.tokens.admin, "DELETE", `/sessions/${owner.sessionId}`), 403, "forbidden");
  await afterInvalidation(server, async () => {
    const all = (await (await api(t.tokens.admin, "DELETE", `/sessions?user_id=${t.users.auditor}`)).json()) as any;
    expect(all.revoked).toBeGreaterThanOrEqual(2); // the fixture's token and victim
  });
  await expectProblem(await api(victim.token, "GET", "/me"), 401, "session_revoked");
  await expectProblem(await api(t.tokens.auditor, "GET", "/me"), 401, "session_revoked");
  // the owner revokes the owner's
  await afterInvalidation(server, async () => expect((await api(t.tokens.owner, "DELETE", `/sessions/${owner.sessionId}`)).status).toBe(200));
  await expectProblem(await api(owner.token, "GET", "/me"), 401, "session_revoked");
});

test("no tenant sees or revokes another tenant's sessions", async () => {
  const theirs = await mint(other.tenantId, other.users.member);
  await expectProblem(await api(t.tokens.owner, "DELETE", `/sessions/${theirs.sessionId}`), 404, "not_found");
  const listed = (await (await api(t.tokens.owner, "GET", `/sessions?user_id=${other.users.member}`)).json()) as any;
  expect(listed.sessions).toEqual([]);
  const revokedAll = (await (await api(t.tokens.owner, "DELETE", `/sessions?user_id=${other.users.member}`)).json()) as any;
  expect(revokedAll.revoked).toBe(0);
  const g = await gql(server, t.tokens.owner, `{ userSessions { nodes { rowId tenantId } } }`);
  expect(g.body.errors).toBeUndefined();
  expect(g.body.data.userSessions.nodes.every((n: any) => n.tenantId === t.tenantId)).toBe(true);
  expect((await api(theirs.token, "GET", "/me")).status).toBe(200);
});

test("GraphQL: users see their own sessions and revoke them; admins revoke a user's", async () => {
  const s = await mint(t.tenantId, t.users.support);
  const mine = await gql(server, s.token, `{ userSessions { nodes { rowId userId } } }`);
  expect(mine.body.errors).toBeUndefined();
  expect(mine.body.data.userSessions.nodes.every((n: any) => n.userId === t.users.support)).toBe(true);
  expect(mine.body.data.userSessions.nodes.map((n: any) => n.rowId)).toContain(s.sessionId);
  const other = await mint(t.tenantId, t.users.support);
  await afterInvalidation(server, async () => {
    const r = await gql(server, s.token, `mutation($id: UUID!) { revokeUserSession(input: {sessionId: $id}) { result { rowId revokedAt } } }`, { id: other.sessionId });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.revokeUserSession.result.revokedAt).not.toBeNull();
  });
  await expectProblem(await api(other.token, "GET", "/me"), 401, "session_revoked");
  const denied = await gql(server, t.tokens.member, `mutation($u: UUID!) { revokeUserSessions(input: {userId: $u}) { clientMutationId } }`, { u: t.users.support });
  expect(denied.body.errors[0].extensions.code).toBe("forbidden");
  await afterInvalidation(server, async () => {
    const r = await gql(server, t.tokens.admin, `mutation($u: UUID!) { revokeUserSessions(input: {userId: $u}) { clientMutationId } }`, { u: t.users.support });
    expect(r.body.errors).toBeUndefined();
  });
  await expectProblem(await api(s.token, "GET", "/me"), 401, "session_revoked");
});

test("expired and missing sessions are refused, and sessions are never extended", async () => {
  const s = await mint(t.tenantId, t.users.member);
  expect((await api(s.token, "GET", "/me")).status).toBe(200);
  await afterInvalidation(server, () =>
    server.ownerPool.query("update warden.user_sessions set expires_at = now() - interval '1 second', created_at = now() - interval '1 hour' where id = $1", [s.sessionId]),
  );
  await expectProblem(await api(s.token, "GET", "/me"), 401, "session_expired");
  // a validly signed token whose session never existed
  const ghost = await server.tokens.sign({ tenantId: t.tenantId, userId: t.users.member, sessionId: randomUUID() }, 600);
  await expectProblem(await api(ghost, "GET", "/me"), 401, "session_not_found");
  // another user's session id under one's own name
  const theirs = await mint(t.tenantId, t.users.admin);
  const borrowed = await server.tokens.sign({ tenantId: t.tenantId, userId: t.users.member, sessionId: theirs.sessionId }, 600);
  await expectProblem(await api(borrowed, "GET", "/me"), 401, "session_not_found");
  // sessions cannot be extended or un-revoked, even by the owner role
  await expect(server.ownerPool.query("update warden.user_sessions set expires_at = expires_at + interval '1 day' where id = $1", [theirs.sessionId])).rejects.toMatchObject({ code: "22023" });
  await expect(server.ownerPool.query("update warden.user_sessions set user_id = $2 where id = $1", [theirs.sessionId, t.users.member])).rejects.toMatchObject({ code: "22023" });
  await expect(server.ownerPool.query("update warden.user_sessions set tenant_id = $2 where id = $1", [theirs.sessionId, other.tenantId])).rejects.toMatchObject({ code: "22023" });
});

test("last_seen_at moves at most once a minute", async () => {
  const s = await mint(t.tenantId, t.users.member);
  expect((await api(s.token, "GET", "/me")).status).toBe(200);
  const seen = async () => (await server.ownerPool.query("select last_seen_at from warden.user_sessions where id = $1", [s.sessionId])).rows[0].last_seen_at as Date;
  const first = await seen();
  expect(first).not.toBeNull();
  server.authenticator.flush();
  expect((await api(s.token, "GET", "/me")).status).toBe(200);
  expect((await seen()).getTime()).toBe(first.getTime());
});

test("the worker compacts sessions that ended more than SESSION_RETENTION_DAYS ago, and nothing else", async () => {
  const c = await server.ownerPool.connect();
  try {
    const ids: Record<string, string> = {};
    for (const [name, sql] of Object.entries({
      oldExpired: "now() - interval '40 days'",
      oldRevoked: "now() + interval '1 day'",
      recentExpired: "now() - interval '10 days'",
      live: "now() + interval '1 day'",
    })) {
      const { rows } = await c.query(
        `insert into warden.user_sessions (tenant_id, user_id, created_at, expires_at, revoked_at, revoked_by)
         values ($1, $2, now() - interval '50 days', ${sql}, $3::timestamptz, $4::jsonb) returning id`,
        [t.tenantId, t.users.member, name === "oldRevoked" ? new Date(Date.now() - 35 * 86400_000) : null, name === "oldRevoked" ? '{"type":"db_role"}' : null],
      );
      ids[name] = rows[0].id;
    }
    await c.query("select graphile_worker.add_job('compact_user_sessions', '{}'::json)");
    await runTaskListOnce({}, { compact_user_sessions: compactUserSessions }, c);
    const { rows } = await c.query("select id from warden.user_sessions where id = any ($1::uuid[])", [Object.values(ids)]);
    expect(rows.map((r) => r.id).sort()).toEqual([ids.recentExpired, ids.live].sort());
    // a shorter retention through the payload
    await c.query("select graphile_worker.add_job('compact_user_sessions', '{\"retention_days\": 5}'::json)");
    await runTaskListOnce({}, { compact_user_sessions: compactUserSessions }, c);
    const left = await c.query("select id from warden.user_sessions where id = any ($1::uuid[])", [Object.values(ids)]);
    expect(left.rows.map((r) => r.id)).toEqual([ids.live]);
  } finally {
    c.release();
  }
});

test("GraphQL offers revocation but no way to mint a session or read another user's", async () => {
  const m = await gql(server, t.tokens.owner, `{ __type(name: "Mutation") { fields { name } } }`);
  const names: string[] = m.body.data.__type.fields.map((f: any) => f.name);
  expect(names).toEqual(expect.arrayContaining(["revokeUserSession", "revokeUserSessions", "createIdentityProvider"]));
  expect(names.filter((n) => /^(create|update|delete)UserSession/.test(n))).toEqual([]);
  // a member's connection holds only their own sessions
  const mine = await gql(server, t.tokens.member, `{ userSessions { nodes { userId } } }`);
  expect(mine.body.errors).toBeUndefined();
  expect(new Set(mine.body.data.userSessions.nodes.map((n: any) => n.userId))).toEqual(new Set([t.users.member]));
  // and plain SQL as the visitor cannot write sessions
  const c = await server.ownerPool.connect();
  try {
    await c.query("begin");
    await c.query("select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.actor_id', $2, true), set_config('jwt.claims.actor_type', 'user', true), set_config('jwt.claims.tenant_role', 'owner', true)", [t.tenantId, t.users.owner]);
    await c.query("set local role warden_visitor");
    await expect(c.query("update warden.user_sessions set revoked_at = null")).rejects.toMatchObject({ code: "42501" });
  } finally {
    await c.query("rollback");
    c.release();
  }
});
