/**
 * Tenancy, attacked for every tenant role over GraphQL, REST and SQL as the
 * visitor role:
 *  - no tenant can pull another tenant's user in or read their personal
 *    fields without that user's consent (an invitation addressed to their
 *    email, accepted by them);
 *  - only an owner changes, removes or appoints an owner (memberships and
 *    API keys), and a tenant always keeps an owner, whatever the path;
 *  - a revoked API key stays revoked.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { actAs, actAsOwner, closePools, createTenant, createUser, expectFailure, ownerPool, rolledBack } from "../support/db";
import { gql, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let a: TenantFixture;
let b: TenantFixture;
const ROLES = ["owner", "admin", "auditor", "support", "member"] as const;

async function api(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function emailOf(userId: string): Promise<string> {
  return (await ownerPool().query("select email from warden.users where id = $1", [userId])).rows[0].email;
}

async function membership(tenantId: string, userId: string): Promise<{ role: string; joined_via: string } | undefined> {
  const { rows } = await ownerPool().query("select role, joined_via from warden.tenant_memberships where tenant_id = $1 and user_id = $2", [tenantId, userId]);
  return rows[0];
}

/** An invitation made by A's owner through SQL; returns its id and token. */
async function invite(fx: TenantFixture, email: string, role = "member"): Promise<{ id: string; token: string }> {
  const r = await gql(server, fx.tokens.owner, `mutation($e: String!, $r: TenantRole!) { inviteToTenant(input: {email: $e, role: $r}) { result { id token } } }`, {
    e: email,
    r: role,
  });
  expect(r.body.errors).toBeUndefined();
  return r.body.data.inviteToTenant.result;
}

beforeAll(async () => {
  server = await startTestServer();
  a = await tenantFixture(server, "Tenancy A");
  b = await tenantFixture(server, "Tenancy B");
});

afterAll(async () => {
  await server.close();
  await closePools();
});

describe("no tenant pulls in another tenant's user without their consent", () => {
  test.each(ROLES)("GraphQL as A's %s: no membership mutation exists, B's users stay invisible", async (role) => {
    const victim = b.users.member;
    const create = await gql(
      server,
      a.tokens[role],
      `mutation($t: UUID!, $u: UUID!) { createTenantMembership(input: {tenantMembership: {tenantId: $t, userId: $u, role: member}}) { tenantMembership { rowId } } }`,
      { t: a.tenantId, u: victim },
    );
    expect(create.body.errors[0].extensions.code).toBe("graphql_validation_failed");
    // A membership's user cannot be swapped either: only the role is in the patch.
    const swap = await gql(
      server,
      a.tokens[role],
      `mutation($t: UUID!, $u: UUID!, $v: UUID!) { updateTenantMembershipByTenantIdAndUserId(input: {tenantId: $t, userId: $u, patch: {userId: $v}}) { tenantMembership { rowId } } }`,
      { t: a.tenantId, u: a.users.member, v: victim },
    );
    expect(swap.body.errors[0].extensions.code).toBe("graphql_validation_failed");
    const users = await gql(server, a.tokens[role], `query($u: UUID!) { users { nodes { rowId email } } user(rowId: $u) { email } }`, { u: victim });
    expect(users.body.errors).toBeUndefined();
    expect(users.body.data.user).toBeNull();
    expect(users.body.data.users.nodes.map((n: any) => n.rowId)).not.toContain(victim);
    expect(JSON.stringify(users.body)).not.toContain(await emailOf(victim));
    expect(await membership(a.tenantId, victim)).toBeUndefined();
  });

  test.each(ROLES)("SQL as the visitor with A's %s role: inserting a membership is refused", async (role) => {
    await rolledBack(async (c) => {
      await actAs(c, { tenantId: a.tenantId, actorId: a.users[role], tenantRole: role });
      for (const target of [b.users.member, b.users.owner]) {
        const err = await expectFailure(c, "insert into warden.tenant_memberships (tenant_id, user_id, role) values ($1, $2, 'member')", [a.tenantId, target]);
        expect(err.code).toBe("42501");
      }
      // nor can a membership be moved onto another user
      const moved = await expectFailure(c, "update warden.tenant_memberships set user_id = $1 where tenant_id = $2 and user_id = $3", [
        b.users.member,
        a.tenantId,
        a.users.member,
      ]);
      expect(moved.code).toBe("42501");
      const seen = await c.query("select email from warden.users where id = $1", [b.users.member]);
      expect(seen.rowCount).toBe(0);
      await actAsOwner(c);
    });
  });

  test.each(ROLES)("REST as A's %s: the only way in is an invitation, which this role may or may not send", async (role) => {
    const r = await api("POST", "/invitations", a.tokens[role], { email: await emailOf(b.users.support) });
    if (role === "owner" || role === "admin") {
      expect(r.status).toBe(201);
      expect(r.body.token).toMatch(/^wdi_[0-9a-f]{64}$/);
      // sending it adds nobody and reveals nothing
      expect(await membership(a.tenantId, b.users.support)).toBeUndefined();
      expect((await api("DELETE", `/invitations/${r.body.id}`, a.tokens[role])).status).toBe(200);
    } else {
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ code: "missing_role", missing_role: "admin" });
    }
  });

  test("an invitation is accepted only by the user with its email, with their own user token", async () => {
    const victim = b.users.auditor;
    const { id, token } = await invite(a, (await emailOf(victim)).toUpperCase(), "support");
    // the inviter, every other user of A or B, and API keys cannot accept it for the victim
    for (const [fx, role] of [...ROLES.map((r) => [a, r] as const), ...ROLES.filter((r) => r !== "auditor").map((r) => [b, r] as const)]) {
      const rest = await api("POST", "/invitations/accept", fx.tokens[role], { token });
      expect({ role, status: rest.status, code: rest.body.code }).toEqual({ role, status: 403, code: "forbidden" });
    }
    const byKey = await api("POST", "/invitations/accept", a.apiKey.key, { token });
    expect([byKey.status, byKey.body.code]).toEqual([403, "user_token_required"]);
    const gqlWrong = await gql(server, a.tokens.owner, `mutation($t: String!) { acceptTenantInvitation(input: {token: $t}) { result { rowId } } }`, { t: token });
    expect(gqlWrong.body.errors[0].extensions.code).toBe("forbidden");
    await rolledBack(async (c) => {
      await actAs(c, { tenantId: a.tenantId, actorId: a.users.owner, tenantRole: "owner" });
      expect((await expectFailure(c, "select warden.accept_tenant_invitation($1)", [token])).code).toBe("42501");
      await actAs(c, { tenantId: a.tenantId, actorId: a.apiKey.id, actorType: "api_key", tenantRole: "member" });
      expect((await expectFailure(c, "select warden.accept_tenant_invitation($1)", [token])).code).toBe("42501");
      // the visitor can read neither the token hash nor another tenant's invitations
      expect((await expectFailure(c, "select * from warden_private.tenant_invitation_secrets")).code).toBe("42501");
      await actAs(c, { tenantId: b.tenantId, actorId: b.users.owner, tenantRole: "owner" });
      expect((await c.query("select id from warden.tenant_invitations where id = $1", [id])).rowCount).toBe(0);
      await actAsOwner(c);
    });
    expect(await membership(a.tenantId, victim)).toBeUndefined();
    // until the victim accepts, A cannot read their email
    const before = await gql(server, a.tokens.owner, `query($u: UUID!) { user(rowId: $u) { email } }`, { u: victim });
    expect(before.body.data.user).toBeNull();

    // the victim accepts with their own token for B
    const ok = await api("POST", "/invitations/accept", b.tokens.auditor, { token });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ tenant_id: a.tenantId, user_id: victim, role: "support", joined_via: "invitation" });
    expect(await membership(a.tenantId, victim)).toEqual({ role: "support", joined_via: "invitation" });
    const after = await gql(server, a.tokens.owner, `query($u: UUID!) { user(rowId: $u) { email } }`, { u: victim });
    expect(after.body.data.user.email).toBe(await emailOf(victim));
    // once only
    const again = await api("POST", "/invitations/accept", b.tokens.auditor, { token });
    expect([again.status, again.body.code]).toEqual([400, "invalid_input"]);
    expect(again.body.detail).toMatch(/already accepted/);
  });

  test("revoked, expired and unknown invitations cannot be accepted; tokens are stored hashed", async () => {
    const email = await emailOf(b.users.support);
    const revoked = await invite(a, email);
    const r = await gql(server, a.tokens.admin, `mutation($i: UUID!) { revokeTenantInvitation(input: {invitationId: $i}) { result { revokedAt } } }`, { i: revoked.id });
    expect(r.body.data.revokeTenantInvitation.result.revokedAt).toBeTruthy();
    const refused = await api("POST", "/invitations/accept", b.tokens.support, { token: revoked.token });
    expect([refused.status, refused.body.detail]).toEqual([400, expect.stringMatching(/revoked/)]);
    const expired = await invite(a, email);
    await ownerPool().query("update warden.tenant_invitations set expires_at = now() - interval '1 second' where id = $1", [expired.id]);
    const late = await api("POST", "/invitations/accept", b.tokens.support, { token: expired.token });
    expect([late.status, late.body.detail]).toEqual([400, expect.stringMatching(/expired/)]);
    const unknown = await api("POST", "/invitations/accept", b.tokens.support, { token: `wdi_${"a".repeat(64)}` });
    expect([unknown.status, unknown.body.code]).toEqual([404, "not_found"]);
    const malformed = await api("POST", "/invitations/accept", b.tokens.support, { token: "not-a-token" });
    expect([malformed.status, malformed.body.code]).toEqual([400, "invalid_input"]);
    expect(await membership(a.tenantId, b.users.support)).toBeUndefined();
    const leak = await ownerPool().query(
      `select count(*)::int as n from warden.tenant_invitations i join warden_private.tenant_invitation_secrets s on s.invitation_id = i.id
       where strpos(i::text || s::text || encode(s.token_hash, 'escape'), $1) > 0`,
      [expired.token.slice(4)],
    );
    expect(leak.rows[0].n).toBe(0);
  });

  test("only owners invite owners; admins neither send nor revoke an owner's invitation", async () => {
    const email = `new-owner-${randomUUID()}@example.test`;
    const denied = await api("POST", "/invitations", a.tokens.admin, { email, role: "owner" });
    expect([denied.status, denied.body.code, denied.body.missing_role]).toEqual([403, "forbidden", "owner"]);
    const made = await api("POST", "/invitations", a.tokens.owner, { email, role: "owner" });
    expect(made.status).toBe(201);
    const dup = await api("POST", "/invitations", a.tokens.owner, { email: email.toUpperCase() });
    expect([dup.status, dup.body.code]).toEqual([409, "conflict"]);
    const revoke = await api("DELETE", `/invitations/${made.body.id}`, a.tokens.admin);
    expect([revoke.status, revoke.body.missing_role]).toEqual([403, "owner"]);
    const member = await api("POST", "/invitations", a.tokens.owner, { email: await emailOf(a.users.member) });
    expect([member.status, member.body.code]).toEqual([409, "conflict"]);
    const bad = await api("POST", "/invitations", a.tokens.owner, { email: "nope", valid_days: 99, extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.pointer).sort()).toEqual(["/email", "/extra", "/valid_days"]);
  });

  test("a membership made without consent (before invitations) hides the user's personal fields until they accept", async () => {
    const victim = b.users.member;
    // As the API could before: an admin of A inserted B's member (the trail's insert event names the API actor).
    const c = await ownerPool().connect();
    try {
      await c.query("begin");
      await c.query("insert into warden.tenant_memberships (tenant_id, user_id, role, joined_via) values ($1, $2, 'member', 'unconfirmed')", [a.tenantId, victim]);
      await c.query("commit");
    } finally {
      c.release();
    }
    const hidden = await gql(server, a.tokens.owner, `query($u: UUID!) { user(rowId: $u) { email } tenantMemberships { nodes { userId joinedVia } } }`, { u: victim });
    expect(hidden.body.data.user).toBeNull();
    expect(hidden.body.data.tenantMemberships.nodes).toContainEqual({ userId: victim, joinedVia: "unconfirmed" });
    const exported = await api("GET", `/subjects/${victim}/export`, a.tokens.owner);
    expect(exported.body.user).toBeNull();
    // an invitation to them is allowed, and accepting it confirms the membership
    const { token } = await invite(a, await emailOf(victim), "auditor");
    expect((await api("POST", "/invitations/accept", b.tokens.member, { token })).status).toBe(200);
    expect(await membership(a.tenantId, victim)).toEqual({ role: "auditor", joined_via: "invitation" });
    const shown = await gql(server, a.tokens.owner, `query($u: UUID!) { user(rowId: $u) { email } }`, { u: victim });
    expect(shown.body.data.user.email).toBe(await emailOf(victim));
  });
});

describe("owners", () => {
  async function fresh(): Promise<TenantFixture> {
    return tenantFixture(server, `owners-${randomUUID().slice(0, 8)}`);
  }
  const setRole = `mutation($t: UUID!, $u: UUID!, $r: TenantRole!) { updateTenantMembershipByTenantIdAndUserId(input: {tenantId: $t, userId: $u, patch: {role: $r}}) { tenantMembership { role } } }`;
  const remove = `mutation($t: UUID!, $u: UUID!) { deleteTenantMembershipByTenantIdAndUserId(input: {tenantId: $t, userId: $u}) { tenantMembership { role } } }`;

  test("an admin cannot demote, remove or appoint an owner (GraphQL and SQL)", async () => {
    const t = await fresh();
    const demote = await gql(server, t.tokens.admin, setRole, { t: t.tenantId, u: t.users.owner, r: "member" });
    expect(demote.body.errors[0].extensions).toMatchObject({ code: "forbidden", missing_role: "owner" });
    const del = await gql(server, t.tokens.admin, remove, { t: t.tenantId, u: t.users.owner });
    expect(del.body.errors[0].extensions).toMatchObject({ code: "forbidden", missing_role: "owner" });
    const appoint = await gql(server, t.tokens.admin, setRole, { t: t.tenantId, u: t.users.member, r: "owner" });
    expect(appoint.body.errors[0].extensions).toMatchObject({ code: "forbidden", missing_role: "owner" });
    await rolledBack(async (c) => {
      await actAs(c, { tenantId: t.tenantId, actorId: t.users.admin, tenantRole: "admin" });
      for (const sql of [
        "update warden.tenant_memberships set role = 'member' where tenant_id = $1 and user_id = $2",
        "delete from warden.tenant_memberships where tenant_id = $1 and user_id = $2",
      ]) {
        const err = await expectFailure(c, sql, [t.tenantId, t.users.owner]);
        expect([err.code, err.hint]).toEqual(["42501", "missing_role=owner"]);
      }
      await actAsOwner(c);
    });
    expect(await membership(t.tenantId, t.users.owner)).toMatchObject({ role: "owner" });
    expect(await membership(t.tenantId, t.users.member)).toMatchObject({ role: "member" });
    // the roles below admin cannot touch memberships at all
    for (const role of ["auditor", "support", "member"]) {
      const r = await gql(server, t.tokens[role], setRole, { t: t.tenantId, u: t.users.member, r: "admin" });
      expect(r.body.data.updateTenantMembershipByTenantIdAndUserId.tenantMembership).toBeNull();
    }
    // an admin still manages everyone else
    const ok = await gql(server, t.tokens.admin, setRole, { t: t.tenantId, u: t.users.member, r: "support" });
    expect(ok.body.data.updateTenantMembershipByTenantIdAndUserId.tenantMembership.role).toBe("support");
  });

  test("the last owner can neither demote nor remove themself, nor be deleted as a user; a second owner makes it possible", async () => {
    const t = await fresh();
    const self = await gql(server, t.tokens.owner, setRole, { t: t.tenantId, u: t.users.owner, r: "admin" });
    expect(self.body.errors[0].extensions.code).toBe("invalid_input");
    expect(self.body.errors[0].message).toMatch(/must keep at least one owner/);
    const leave = await gql(server, t.tokens.owner, remove, { t: t.tenantId, u: t.users.owner });
    expect(leave.body.errors[0].extensions.code).toBe("invalid_input");
    await rolledBack(async (c) => {
      expect((await expectFailure(c, "delete from warden.users where id = $1", [t.users.owner])).code).toBe("23514");
      // a bulk statement that demotes every owner at once is refused as a whole
      expect((await expectFailure(c, "update warden.tenant_memberships set role = 'member' where tenant_id = $1", [t.tenantId])).code).toBe("23514");
      // deleting the tenant takes its memberships with it
      await c.query("delete from warden.tenants where id = $1", [t.tenantId]);
      expect((await c.query("select count(*)::int as n from warden.tenant_memberships where tenant_id = $1", [t.tenantId])).rows[0].n).toBe(0);
    });
    // an owner appoints another owner, then may step down
    const second = await gql(server, t.tokens.owner, setRole, { t: t.tenantId, u: t.users.admin, r: "owner" });
    expect(second.body.errors).toBeUndefined();
    const stepDown = await gql(server, t.tokens.owner, setRole, { t: t.tenantId, u: t.users.owner, r: "member" });
    expect(stepDown.body.data.updateTenantMembershipByTenantIdAndUserId.tenantMembership.role).toBe("member");
  });

  test("two owners demoting each other at once: one of them stays owner", async () => {
    const setup = await ownerPool().connect();
    const t = await createTenant(setup);
    const tenant = { t, o1: await createUser(setup, t, "owner"), o2: await createUser(setup, t, "owner") };
    setup.release();
    const c1 = await ownerPool().connect();
    const c2 = await ownerPool().connect();
    try {
      await c1.query("begin");
      await c2.query("begin");
      await c1.query("update warden.tenant_memberships set role = 'admin' where tenant_id = $1 and user_id = $2", [tenant.t, tenant.o1]);
      const second = c2
        .query("update warden.tenant_memberships set role = 'admin' where tenant_id = $1 and user_id = $2", [tenant.t, tenant.o2])
        .then(() => c2.query("commit"))
        .then(() => "committed", (err: pg.DatabaseError) => err.code);
      await new Promise((r) => setTimeout(r, 200));
      const first = await c1.query("commit").then(() => "committed", (err: pg.DatabaseError) => err.code);
      const outcomes = [first, await second];
      await c2.query("rollback").catch(() => undefined);
      // one committed; the other saw no owner left (23514) or was chosen as the deadlock victim (40P01)
      expect(outcomes.filter((o) => o === "committed")).toHaveLength(1);
      expect(outcomes.filter((o) => o !== "committed")[0]).toMatch(/^(23514|40P01)$/);
    } finally {
      await c1.query("rollback").catch(() => undefined);
      c1.release();
      c2.release();
    }
    const owners = await ownerPool().query("select count(*)::int as n from warden.tenant_memberships where tenant_id = $1 and role = 'owner'", [tenant.t]);
    expect(owners.rows[0].n).toBe(1);
  });
});

describe("API keys", () => {
  test("an admin cannot revoke or change an owner key (GraphQL, REST, SQL); an owner can; a revoked key stays revoked", async () => {
    const t = await tenantFixture(server, `keys-${randomUUID().slice(0, 8)}`);
    const owned = await gql(server, t.tokens.owner, `mutation { createApiKey(input: {name: "root", role: owner}) { result { id key } } }`);
    const keyId = owned.body.data.createApiKey.result.id;
    const revoke = `mutation($id: UUID!) { updateApiKey(input: {rowId: $id, patch: {revokedAt: "2030-01-01T00:00:00Z"}}) { apiKey { revokedAt } } }`;
    const byAdmin = await gql(server, t.tokens.admin, revoke, { id: keyId });
    expect(byAdmin.body.errors[0].extensions).toMatchObject({ code: "forbidden", missing_role: "owner" });
    const rename = await gql(server, t.tokens.admin, `mutation($id: UUID!) { updateApiKey(input: {rowId: $id, patch: {rateLimitPerSecond: 1}}) { apiKey { rowId } } }`, {
      id: keyId,
    });
    expect(rename.body.errors[0].extensions.missing_role).toBe("owner");
    const rest = await api("DELETE", `/api-keys/${keyId}`, t.tokens.admin);
    expect([rest.status, rest.body.missing_role]).toEqual([403, "owner"]);
    await rolledBack(async (c) => {
      await actAs(c, { tenantId: t.tenantId, actorId: t.users.admin, tenantRole: "admin" });
      expect((await expectFailure(c, "update warden.api_keys set revoked_at = now() where id = $1", [keyId])).code).toBe("42501");
      await actAsOwner(c);
    });
    expect((await ownerPool().query("select revoked_at from warden.api_keys where id = $1", [keyId])).rows[0].revoked_at).toBeNull();
    // an admin still revokes keys below owner; the owner revokes the owner key
    expect((await api("DELETE", `/api-keys/${t.apiKey.id}`, t.tokens.admin)).status).toBe(200);
    const byOwner = await gql(server, t.tokens.owner, revoke, { id: keyId });
    expect(byOwner.body.errors).toBeUndefined();
    // nobody un-revokes it, not even the owner or a DBA
    const undo = await gql(server, t.tokens.owner, `mutation($id: UUID!) { updateApiKey(input: {rowId: $id, patch: {revokedAt: null}}) { apiKey { rowId } } }`, { id: keyId });
    expect(undo.body.errors[0].extensions.code).toBe("invalid_input");
    await rolledBack(async (c) => {
      expect((await expectFailure(c, "update warden.api_keys set revoked_at = null where id = $1", [keyId])).code).toBe("22023");
    });
    // revoking again through REST answers with the first revocation
    const again = await api("DELETE", `/api-keys/${keyId}`, t.tokens.owner);
    expect([again.status, again.body.revoked_at]).toEqual([200, "2030-01-01T00:00:00.000Z"]);
    expect((await api("DELETE", `/api-keys/${b.apiKey.id}`, t.tokens.owner)).status).toBe(404);
  });
});

describe("reading the audit trail: GraphQL answers a too-low role as REST does", () => {
  test.each(["owner", "admin", "auditor", "support", "member", "api key"])("%s", async (who) => {
    const token = who === "api key" ? a.apiKey.key : a.tokens[who];
    const restAnswer = await api("GET", "/audit/events?limit=1", token);
    const event = (await ownerPool().query("select event_id, occurred_at from warden.audit_events where tenant_id = $1 limit 1", [a.tenantId])).rows[0];
    const queries: [string, string, Record<string, unknown>][] = [
      ["auditEvents", `{ auditEvents(first: 1) { totalCount nodes { eventId } } }`, {}],
      ["auditEvent", `query($e: UUID!, $o: Datetime!) { auditEvent(eventId: $e, occurredAt: $o) { eventId } }`, { e: event.event_id, o: event.occurred_at }],
      ["rowHistory", `query($pk: JSON!) { rowHistory(tableName: "warden.tenant_memberships", pk: $pk) { totalCount } }`, { pk: { id: randomUUID() } }],
    ];
    for (const [field, query, variables] of queries) {
      const r = await gql(server, token, query, variables);
      if (["owner", "admin", "auditor"].includes(who)) {
        expect({ field, errors: r.body.errors }).toEqual({ field, errors: undefined });
        continue;
      }
      expect(restAnswer.status).toBe(403);
      // the same code and missing role as the REST problem, and no data
      expect({ field, ext: r.body.errors[0].extensions }).toEqual({
        field,
        ext: expect.objectContaining({ code: restAnswer.body.code, missing_role: restAnswer.body.missing_role, required_roles: restAnswer.body.required_roles, status: 403 }),
      });
      expect(r.body.data).toEqual({ [field]: null });
    }
    if (["owner", "admin", "auditor"].includes(who)) expect(restAnswer.status).toBe(200);
  });
});
