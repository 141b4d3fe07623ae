/**
 * Governance actions are audit events (issue 13, section 1): each action,
 * through every path it has (GraphQL, REST, plain SQL; the CLI in
 * governanceCli.test.ts), leaves exactly one governance.* event with the
 * right actor, tenant, trace and before/after, in the transaction of the
 * action; and when that event cannot be written, the action does not
 * happen.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { actAs, actAsOwner, closePools, createTenant, createUser, expectFailure, ownerPool, rolledBack } from "../support/db";
import { gql, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
  await closePools();
});

interface GovernanceEvent {
  tenant_id: string | null;
  category: string;
  actor_type: string;
  actor_id: string;
  trace_id: string | null;
  resource_type: string;
  resource_id: string;
  before: unknown;
  after: unknown;
  event_data: Record<string, any>;
  same_tx?: boolean;
}

/** The governance events of one type in a tenant (null: outside any tenant, then narrowed by resource id). */
async function governanceEvents(c: pg.ClientBase, tenantId: string | null, type: string, resourceId?: string): Promise<GovernanceEvent[]> {
  const { rows } = await c.query(
    `select tenant_id, category, actor_type::text, actor_id, trace_id, resource_type, resource_id,
            event_data -> 'before' as before, event_data -> 'after' as after, event_data
     from warden.audit_events
     where tenant_id is not distinct from $1 and event_type = $2 and ($3::text is null or resource_id = $3)
     order by recorded_at, event_id`,
    [tenantId, type, resourceId ?? null],
  );
  return rows;
}

/** Exactly one event of the type, matching `expected`. */
async function expectOne(c: pg.ClientBase, tenantId: string | null, type: string, expected: Partial<GovernanceEvent>, resourceId?: string): Promise<GovernanceEvent> {
  const events = await governanceEvents(c, tenantId, type, resourceId);
  expect({ type, count: events.length }).toEqual({ type, count: 1 });
  expect(events[0]).toMatchObject({ category: "governance", ...expected });
  return events[0];
}

/** Owner-pool shortcut for committed events. */
function expectOneCommitted(tenantId: string | null, type: string, expected: Partial<GovernanceEvent>, resourceId?: string): Promise<GovernanceEvent> {
  return withOwner((c) => expectOne(c, tenantId, type, expected, resourceId));
}

async function withOwner<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await ownerPool().connect();
  try {
    return await fn(c);
  } finally {
    c.release();
  }
}

function trace(): string {
  return `trace-${randomUUID().replace(/-/g, "")}`;
}

async function rest(method: string, path: string, token: string, traceId: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "x-request-id": traceId, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function graphql(token: string, traceId: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const r = await gql(server, token, query, variables, { "x-request-id": traceId });
  expect(r.body.errors).toBeUndefined();
  return r.body.data;
}

/** SQL as the visitor with a user's context and a trace id (what an app does after set_context). */
async function asVisitor(c: pg.ClientBase, fx: TenantFixture, role: string, traceId: string): Promise<void> {
  await actAs(c, { tenantId: fx.tenantId, actorId: fx.users[role], tenantRole: role, traceId });
}

/**
 * Makes every insert of a governance event of this type fail, inside the
 * caller's (rolled-back) transaction: a stand-in for "the event could not
 * be written".
 */
async function refuseEvents(c: pg.ClientBase, type: string): Promise<void> {
  await c.query(`create function warden_private.test_refuse_event() returns trigger language plpgsql as $$
    begin raise exception 'test: the % event cannot be written', new.event_type using errcode = 'P0001'; end $$`);
  await c.query(
    `create trigger _000_test_refuse before insert on warden.audit_events for each row
     when (new.event_type = ${c.escapeLiteral(type)}) execute function warden_private.test_refuse_event()`,
  );
}

type VisitorOf = [TenantFixture, string];

const fixture = () => tenantFixture(server, `gov-${randomUUID().slice(0, 8)}`);

describe("memberships", () => {
  test("role change through GraphQL and SQL; removal through GraphQL and SQL", async () => {
    const t = await fixture();
    const tr = trace();
    await graphql(t.tokens.owner, tr, `mutation($t: UUID!, $u: UUID!) { updateTenantMembershipByTenantIdAndUserId(input: {tenantId: $t, userId: $u, patch: {role: admin}}) { tenantMembership { role } } }`, {
      t: t.tenantId,
      u: t.users.member,
    });
    const changed = await expectOneCommitted(t.tenantId, "governance.membership.role_changed", {
      actor_type: "user",
      actor_id: t.users.owner,
      trace_id: tr,
      resource_type: "tenant_membership",
      before: { role: "member" },
      after: { role: "admin" },
    });
    expect(changed.event_data.user_id).toBe(t.users.member);
    const tr2 = trace();
    await graphql(t.tokens.admin, tr2, `mutation($t: UUID!, $u: UUID!) { deleteTenantMembershipByTenantIdAndUserId(input: {tenantId: $t, userId: $u}) { tenantMembership { role } } }`, {
      t: t.tenantId,
      u: t.users.support,
    });
    await expectOneCommitted(t.tenantId, "governance.membership.removed", {
      actor_id: t.users.admin,
      trace_id: tr2,
      before: { user_id: t.users.support, role: "support", joined_via: "operator" },
      after: null,
    });
    await rolledBack(async (c) => {
      const tr3 = trace();
      await asVisitor(c, t, "owner", tr3);
      await c.query("update warden.tenant_memberships set role = 'auditor' where tenant_id = $1 and user_id = $2", [t.tenantId, t.users.member]);
      await c.query("delete from warden.tenant_memberships where tenant_id = $1 and user_id = $2", [t.tenantId, t.users.auditor]);
      await actAsOwner(c);
      const events = await governanceEvents(c, t.tenantId, "governance.membership.role_changed");
      expect(events).toHaveLength(2);
      expect(events[1]).toMatchObject({ actor_id: t.users.owner, trace_id: tr3, before: { role: "admin" }, after: { role: "auditor" } });
      const removed = await governanceEvents(c, t.tenantId, "governance.membership.removed");
      expect(removed[1]).toMatchObject({ actor_id: t.users.owner, trace_id: tr3, before: { user_id: t.users.auditor, role: "auditor" } });
    });
  });

  test("a DBA adding a member directly (SQL) is recorded with the database role as actor", async () => {
    await rolledBack(async (c) => {
      const tenant = await createTenant(c);
      const tr = trace();
      await c.query("select warden.set_context(null, 'dba-alice', 'service', $1)", [tr]);
      const user = await createUser(c, tenant, "owner");
      await expectOne(c, tenant, "governance.membership.added", {
        actor_type: "service",
        actor_id: "dba-alice",
        trace_id: tr,
        after: { user_id: user, role: "owner", joined_via: "operator" },
      });
    });
  });

  test("no membership change without its event", async () => {
    const t = await fixture();
    await rolledBack(async (c) => {
      for (const [type, sql, params] of [
        ["governance.membership.added", "select warden_private.create_user($1, $2, 'member')", [t.tenantId, `new-${randomUUID()}@example.test`]],
        ["governance.membership.role_changed", "update warden.tenant_memberships set role = 'admin' where tenant_id = $1 and user_id = $2", [t.tenantId, t.users.member]],
        ["governance.membership.removed", "delete from warden.tenant_memberships where tenant_id = $1 and user_id = $2", [t.tenantId, t.users.member]],
      ] as const) {
        await c.query("savepoint refuse");
        await refuseEvents(c, type);
        expect((await expectFailure(c, sql, [...params])).message).toMatch(/cannot be written/);
        await c.query("rollback to savepoint refuse");
      }
      const { rows } = await c.query("select count(*)::int as n from warden.tenant_memberships where tenant_id = $1", [t.tenantId]);
      expect(rows[0].n).toBe(5);
      const member = await c.query("select role from warden.tenant_memberships where tenant_id = $1 and user_id = $2", [t.tenantId, t.users.member]);
      expect(member.rows[0].role).toBe("member");
    });
  });
});

describe("invitations", () => {
  test("sent and revoked through GraphQL, REST and SQL; accepted through REST and GraphQL", async () => {
    const t = await fixture();
    const other = await fixture();
    const emailOf = async (u: string) => (await ownerPool().query("select email from warden.users where id = $1", [u])).rows[0].email as string;

    // REST: sent by the admin, accepted by the invited user (with a token of their own tenant)
    const tr = trace();
    const sent = await rest("POST", "/invitations", t.tokens.admin, tr, { email: await emailOf(other.users.member), role: "auditor" });
    expect(sent.status).toBe(201);
    await expectOneCommitted(t.tenantId, "governance.invitation.sent", {
      actor_id: t.users.admin,
      trace_id: tr,
      resource_type: "tenant_invitation",
      resource_id: sent.body.id,
      after: { email: await emailOf(other.users.member), role: "auditor", expires_at: expect.any(String) },
    });
    const tr2 = trace();
    expect((await rest("POST", "/invitations/accept", other.tokens.member, tr2, { token: sent.body.token })).status).toBe(200);
    await expectOneCommitted(t.tenantId, "governance.invitation.accepted", {
      actor_type: "user",
      actor_id: other.users.member,
      trace_id: tr2,
      resource_id: sent.body.id,
      before: { accepted_at: null },
      after: { user_id: other.users.member, role: "auditor", accepted_at: expect.any(String), membership_id: expect.any(String) },
    });
    // the membership it made, in the inviting tenant, by the accepting user
    await expectOneCommitted(
      t.tenantId,
      "governance.membership.added",
      { actor_id: other.users.member, trace_id: tr2, after: { user_id: other.users.member, role: "auditor", joined_via: "invitation" } },
      (await ownerPool().query("select id::text from warden.tenant_memberships where tenant_id = $1 and user_id = $2", [t.tenantId, other.users.member])).rows[0].id,
    );
    // nothing landed in the accepting user's own tenant
    expect(await withOwner((c) => governanceEvents(c, other.tenantId, "governance.invitation.accepted"))).toEqual([]);

    // GraphQL: sent and revoked by the owner
    const tr3 = trace();
    const made = await graphql(t.tokens.owner, tr3, `mutation { inviteToTenant(input: {email: "gql-invitee@example.test", validDays: 2}) { result { id token expiresAt } } }`);
    const id = made.inviteToTenant.result.id;
    await expectOneCommitted(t.tenantId, "governance.invitation.sent", { actor_id: t.users.owner, trace_id: tr3, after: { email: "gql-invitee@example.test", role: "member" } }, id);
    const tr4 = trace();
    await graphql(t.tokens.owner, tr4, `mutation($i: UUID!) { revokeTenantInvitation(input: {invitationId: $i}) { result { revokedAt } } }`, { i: id });
    await expectOneCommitted(t.tenantId, "governance.invitation.revoked", {
      actor_id: t.users.owner,
      trace_id: tr4,
      resource_id: id,
      before: { revoked_at: null },
      after: { revoked_at: expect.any(String) },
    });
    // REST revoke, and GraphQL accept
    const tr5 = trace();
    const another = await rest("POST", "/invitations", t.tokens.owner, tr5, { email: "rest-invitee@example.test" });
    expect((await rest("DELETE", `/invitations/${another.body.id}`, t.tokens.admin, tr5)).status).toBe(200);
    await expectOneCommitted(t.tenantId, "governance.invitation.revoked", { actor_id: t.users.admin, trace_id: tr5 }, another.body.id);
    const toOwner = await rest("POST", "/invitations", t.tokens.owner, tr5, { email: await emailOf(other.users.owner) });
    const tr6 = trace();
    await graphql(other.tokens.owner, tr6, `mutation($k: String!) { acceptTenantInvitation(input: {token: $k}) { result { role } } }`, { k: toOwner.body.token });
    await expectOneCommitted(t.tenantId, "governance.invitation.accepted", { actor_id: other.users.owner, trace_id: tr6 }, toOwner.body.id);

    // SQL as the visitor: all three in one transaction
    await rolledBack(async (c) => {
      const tr7 = trace();
      await asVisitor(c, t, "owner", tr7);
      const inv = (await c.query("select id, token from warden.invite_to_tenant($1, 'support')", [await emailOf(other.users.support)])).rows[0];
      await actAs(c, { tenantId: other.tenantId, actorId: other.users.support, tenantRole: "support", traceId: tr7 });
      await c.query("select warden.accept_tenant_invitation($1)", [inv.token]);
      await asVisitor(c, t, "owner", tr7);
      const inv2 = (await c.query("select id from warden.invite_to_tenant('sql-invitee@example.test')")).rows[0];
      await c.query("select warden.revoke_tenant_invitation($1)", [inv2.id]);
      await actAsOwner(c);
      await expectOne(c, t.tenantId, "governance.invitation.sent", { actor_id: t.users.owner, trace_id: tr7 }, inv.id);
      await expectOne(c, t.tenantId, "governance.invitation.accepted", { actor_id: other.users.support, trace_id: tr7 }, inv.id);
      await expectOne(c, t.tenantId, "governance.invitation.revoked", { actor_id: t.users.owner, trace_id: tr7 }, inv2.id);
    });
  });

  test("no invitation sent, accepted or revoked without its event", async () => {
    const t = await fixture();
    const other = await fixture();
    const email = (await ownerPool().query("select email from warden.users where id = $1", [other.users.member])).rows[0].email;
    const open = (await rest("POST", "/invitations", t.tokens.owner, trace(), { email })).body;
    await rolledBack(async (c) => {
      const cases: [string, VisitorOf, string, unknown[]][] = [
        ["governance.invitation.sent", [t, "owner"], "select warden.invite_to_tenant('refused@example.test')", []],
        ["governance.invitation.accepted", [other, "member"], "select warden.accept_tenant_invitation($1)", [open.token]],
        ["governance.invitation.revoked", [t, "admin"], "select warden.revoke_tenant_invitation($1)", [open.id]],
      ];
      for (const [type, [fx, role], sql, params] of cases) {
        await c.query("savepoint s");
        await refuseEvents(c, type);
        await asVisitor(c, fx, role, trace());
        expect((await expectFailure(c, sql, params)).message).toMatch(/cannot be written/);
        await c.query("rollback to savepoint s");
      }
      expect((await c.query("select count(*)::int as n from warden.tenant_invitations where email = 'refused@example.test'")).rows[0].n).toBe(0);
      const row = await c.query("select accepted_at, revoked_at from warden.tenant_invitations where id = $1", [open.id]);
      expect(row.rows[0]).toEqual({ accepted_at: null, revoked_at: null });
      expect((await c.query("select count(*)::int as n from warden.tenant_memberships where tenant_id = $1 and user_id = $2", [t.tenantId, other.users.member])).rows[0].n).toBe(0);
    });
  });
});

describe("API keys", () => {
  test("created and revoked through GraphQL, REST and SQL", async () => {
    const t = await fixture();
    const tr = trace();
    const g = await graphql(t.tokens.owner, tr, `mutation { createApiKey(input: {name: "gql", role: auditor, rateLimitPerSecond: 9}) { result { id } } }`);
    const gid = g.createApiKey.result.id;
    await expectOneCommitted(
      t.tenantId,
      "governance.api_key.created",
      { actor_id: t.users.owner, trace_id: tr, resource_type: "api_key", after: expect.objectContaining({ name: "gql", role: "auditor", rate_limit_per_second: 9, created_by: t.users.owner }) },
      gid,
    );
    const tr2 = trace();
    await graphql(t.tokens.admin, tr2, `mutation($id: UUID!) { updateApiKey(input: {rowId: $id, patch: {revokedAt: "2031-02-03T04:05:06Z"}}) { apiKey { rowId } } }`, { id: gid });
    const revoked = await expectOneCommitted(t.tenantId, "governance.api_key.revoked", { actor_id: t.users.admin, trace_id: tr2, before: { revoked_at: null } }, gid);
    expect(Date.parse((revoked.after as { revoked_at: string }).revoked_at)).toBe(Date.parse("2031-02-03T04:05:06Z"));
    const tr3 = trace();
    const r = await rest("POST", "/api-keys", t.tokens.admin, tr3, { name: "rest" });
    await expectOneCommitted(t.tenantId, "governance.api_key.created", { actor_id: t.users.admin, trace_id: tr3 }, r.body.id);
    const tr4 = trace();
    expect((await rest("DELETE", `/api-keys/${r.body.id}`, t.tokens.owner, tr4)).status).toBe(200);
    expect((await rest("DELETE", `/api-keys/${r.body.id}`, t.tokens.owner, tr4)).status).toBe(200); // again: no second event
    await expectOneCommitted(t.tenantId, "governance.api_key.revoked", { actor_id: t.users.owner, trace_id: tr4 }, r.body.id);
    // other changes of what a key may do are recorded too; its last use is not
    const tr5 = trace();
    await graphql(t.tokens.owner, tr5, `mutation($id: UUID!) { updateApiKey(input: {rowId: $id, patch: {rateLimitPerSecond: 50, name: "renamed"}}) { apiKey { rowId } } }`, {
      id: t.apiKey.id,
    });
    await ownerPool().query("update warden.api_keys set last_used_at = now() where id = $1", [t.apiKey.id]);
    await expectOneCommitted(
      t.tenantId,
      "governance.api_key.changed",
      { trace_id: tr5, before: { name: "svc", rate_limit_per_second: 500 }, after: { name: "renamed", rate_limit_per_second: 50 } },
      t.apiKey.id,
    );
    await rolledBack(async (c) => {
      const tr6 = trace();
      await asVisitor(c, t, "admin", tr6);
      const k = (await c.query("select id from warden.create_api_key('sql')")).rows[0].id;
      await c.query("update warden.api_keys set revoked_at = now() where id = $1", [k]);
      await actAsOwner(c);
      await expectOne(c, t.tenantId, "governance.api_key.created", { actor_id: t.users.admin, trace_id: tr6 }, k);
      await expectOne(c, t.tenantId, "governance.api_key.revoked", { actor_id: t.users.admin, trace_id: tr6 }, k);
    });
  });

  test("no key created or revoked without its event", async () => {
    const t = await fixture();
    await rolledBack(async (c) => {
      await c.query("savepoint s");
      await refuseEvents(c, "governance.api_key.created");
      await asVisitor(c, t, "owner", trace());
      expect((await expectFailure(c, "select warden.create_api_key('refused')")).message).toMatch(/cannot be written/);
      await actAsOwner(c);
      expect((await c.query("select count(*)::int as n from warden.api_keys where name = 'refused' and tenant_id = $1", [t.tenantId])).rows[0].n).toBe(0);
      await c.query("rollback to savepoint s");
      await refuseEvents(c, "governance.api_key.revoked");
      await asVisitor(c, t, "owner", trace());
      expect((await expectFailure(c, "update warden.api_keys set revoked_at = now() where id = $1", [t.apiKey.id])).message).toMatch(/cannot be written/);
      await actAsOwner(c);
      expect((await c.query("select revoked_at from warden.api_keys where id = $1", [t.apiKey.id])).rows[0].revoked_at).toBeNull();
    });
  });
});

describe("retention policies and legal holds", () => {
  const mutations = {
    set: `mutation($p: String!, $d: Int!) { setRetentionPolicy(input: {eventTypePattern: $p, days: $d}) { result } }`,
    remove: `mutation($p: String!) { removeRetentionPolicy(input: {eventTypePattern: $p}) { result } }`,
    place: `mutation($r: String!) { placeLegalHold(input: {reason: $r, resourceType: "doc", resourceId: "7"}) { result } }`,
    release: `mutation($h: UUID!) { releaseLegalHold(input: {holdId: $h}) { result } }`,
  };

  test("GraphQL and SQL write the governance.* events (formerly warden.retention.* and warden.legal_hold.*)", async () => {
    const t = await fixture();
    const tr = trace();
    const id = (await graphql(t.tokens.admin, tr, mutations.set, { p: "gateway.*", d: 90 })).setRetentionPolicy.result;
    await expectOneCommitted(t.tenantId, "governance.retention.policy_set", {
      actor_id: t.users.admin,
      trace_id: tr,
      resource_type: "retention_policy",
      resource_id: id,
      after: { event_type_pattern: "gateway.*", days: 90 },
    });
    const tr2 = trace();
    await graphql(t.tokens.owner, tr2, mutations.remove, { p: "gateway.*" });
    await expectOneCommitted(t.tenantId, "governance.retention.policy_removed", {
      actor_id: t.users.owner,
      trace_id: tr2,
      before: { event_type_pattern: "gateway.*", days: 90 },
    });
    const tr3 = trace();
    const hold = (await graphql(t.tokens.owner, tr3, mutations.place, { r: "case 12" })).placeLegalHold.result;
    await expectOneCommitted(t.tenantId, "governance.legal_hold.placed", {
      actor_id: t.users.owner,
      trace_id: tr3,
      resource_id: hold,
      after: { reason: "case 12", resource_type: "doc", resource_id: "7", correlation_id: null },
    });
    const tr4 = trace();
    await graphql(t.tokens.admin, tr4, mutations.release, { h: hold });
    await expectOneCommitted(t.tenantId, "governance.legal_hold.released", {
      actor_id: t.users.admin,
      trace_id: tr4,
      resource_id: hold,
      before: { released_at: null },
      after: { released_at: expect.any(String) },
    });
    await rolledBack(async (c) => {
      const tr5 = trace();
      await asVisitor(c, t, "owner", tr5);
      await c.query("select warden.set_retention_policy('*', 400)");
      await c.query("select warden.set_retention_policy('*', 500)");
      const h = (await c.query("select warden.place_legal_hold('sql hold') as id")).rows[0].id;
      await c.query("select warden.release_legal_hold($1)", [h]);
      await c.query("select warden.remove_retention_policy('*')");
      await actAsOwner(c);
      const set = await governanceEvents(c, t.tenantId, "governance.retention.policy_set");
      expect(set.slice(1).map((e) => [e.trace_id, e.before, e.after])).toEqual([
        [tr5, null, { event_type_pattern: "*", days: 400 }],
        [tr5, { event_type_pattern: "*", days: 400 }, { event_type_pattern: "*", days: 500 }],
      ]);
      await expectOne(c, t.tenantId, "governance.legal_hold.placed", { trace_id: tr5 }, h);
      await expectOne(c, t.tenantId, "governance.legal_hold.released", { trace_id: tr5 }, h);
      expect(await governanceEvents(c, t.tenantId, "governance.retention.policy_removed")).toHaveLength(2);
      // the old event types are no longer written
      const old = await c.query("select count(*)::int as n from warden.audit_events where tenant_id = $1 and event_type like 'warden.%'", [t.tenantId]);
      expect(old.rows[0].n).toBe(0);
    });
  });

  test("no policy or hold change without its event", async () => {
    const t = await fixture();
    await rolledBack(async (c) => {
      for (const [type, sql] of [
        ["governance.retention.policy_set", "select warden.set_retention_policy('x.*', 5)"],
        ["governance.legal_hold.placed", "select warden.place_legal_hold('refused')"],
      ]) {
        await c.query("savepoint s");
        await refuseEvents(c, type);
        await asVisitor(c, t, "owner", trace());
        expect((await expectFailure(c, sql)).message).toMatch(/cannot be written/);
        await c.query("rollback to savepoint s");
      }
      await asVisitor(c, t, "owner", trace());
      await c.query("select warden.set_retention_policy('y.*', 5)");
      const hold = (await c.query("select warden.place_legal_hold('kept') as id")).rows[0].id;
      await actAsOwner(c);
      for (const [type, sql, params] of [
        ["governance.retention.policy_removed", "select warden.remove_retention_policy('y.*')", []],
        ["governance.legal_hold.released", "select warden.release_legal_hold($1)", [hold]],
      ] as const) {
        await c.query("savepoint s");
        await refuseEvents(c, type);
        await asVisitor(c, t, "owner", trace());
        expect((await expectFailure(c, sql, [...params])).message).toMatch(/cannot be written/);
        await c.query("rollback to savepoint s");
      }
      await actAsOwner(c);
      const policies = await c.query("select event_type_pattern from warden_private.retention_policies where tenant_id = $1", [t.tenantId]);
      expect(policies.rows).toEqual([{ event_type_pattern: "y.*" }]);
      const holds = await c.query("select reason, released_at from warden_private.legal_holds where tenant_id = $1", [t.tenantId]);
      expect(holds.rows).toEqual([{ reason: "kept", released_at: null }]);
    });
  });
});

describe("redaction policy", () => {
  test("GraphQL and a DBA's SQL write governance.redaction.policy_changed with before and after", async () => {
    const t = await fixture();
    const tr = trace();
    const rules = [{ field: "actor_ip", method: "mask" }];
    await graphql(t.tokens.admin, tr, `mutation($r: JSON!) { setRedactionPolicy(input: {mode: "enforce", rules: $r}) { __typename } }`, { r: rules });
    await expectOneCommitted(t.tenantId, "governance.redaction.policy_changed", {
      actor_id: t.users.admin,
      trace_id: tr,
      resource_type: "redaction_policy",
      resource_id: t.tenantId,
      before: null,
      after: { mode: "enforce", rules },
    });
    await rolledBack(async (c) => {
      // a DBA without a context passes the tenant; switching write-time redaction off is a warning
      await c.query("select warden.set_redaction_policy('off', '[]', $1)", [t.tenantId]);
      const events = await governanceEvents(c, t.tenantId, "governance.redaction.policy_changed");
      expect(events).toHaveLength(2);
      expect(events[1]).toMatchObject({ actor_type: "db_role", actor_id: "warden_owner", before: { mode: "enforce", rules }, after: { mode: "off", rules: [] } });
      const sev = await c.query("select severity::text from warden.audit_events where tenant_id = $1 and event_type = 'governance.redaction.policy_changed' order by recorded_at", [t.tenantId]);
      expect(sev.rows.map((r) => r.severity)).toEqual(["notice", "warning"]);
    });
  });

  test("no redaction policy change without its event", async () => {
    const t = await fixture();
    await rolledBack(async (c) => {
      await refuseEvents(c, "governance.redaction.policy_changed");
      expect((await expectFailure(c, "select warden.set_redaction_policy('enforce', '[]', $1)", [t.tenantId])).message).toMatch(/cannot be written/);
      expect((await c.query("select count(*)::int as n from warden.redaction_policies where tenant_id = $1", [t.tenantId])).rows[0].n).toBe(0);
    });
  });
});

describe("soft delete", () => {
  test("enable (again, with new options) and disable each write one event; no change without it", async () => {
    await rolledBack(async (c) => {
      await c.query("create schema gov_sd; create table gov_sd.items (id integer primary key, tenant_id uuid)");
      const tr = trace();
      const tenant = await createTenant(c);
      await c.query("select warden.set_context($1, 'dba-bob', 'service', $2)", [tenant, tr]);
      await c.query(`select warden.enable_soft_delete('gov_sd.items', '{"purge_after": "3 days"}')`);
      await c.query(`select warden.enable_soft_delete('gov_sd.items', '{"purge_after": "9 days"}')`);
      await c.query("select warden.disable_soft_delete('gov_sd.items')");
      await c.query("select warden.disable_soft_delete('gov_sd.items')"); // not enabled: nothing changes, no event
      const enabled = await governanceEvents(c, tenant, "governance.soft_delete.enabled", "gov_sd.items");
      expect(enabled.map((e) => [e.actor_id, e.trace_id, e.resource_type, e.before, e.after])).toEqual([
        ["dba-bob", tr, "table", null, { tenant_column: "tenant_id", purge_after: "3 days" }],
        ["dba-bob", tr, "table", { tenant_column: "tenant_id", purge_after: "3 days" }, { tenant_column: "tenant_id", purge_after: "9 days" }],
      ]);
      await expectOne(c, tenant, "governance.soft_delete.disabled", { actor_id: "dba-bob", trace_id: tr, before: { tenant_column: "tenant_id", purge_after: "9 days" } }, "gov_sd.items");

      await c.query("savepoint s");
      await refuseEvents(c, "governance.soft_delete.enabled");
      expect((await expectFailure(c, "select warden.enable_soft_delete('gov_sd.items')")).message).toMatch(/cannot be written/);
      await c.query("rollback to savepoint s");
      expect((await c.query("select count(*)::int as n from pg_trigger where tgrelid = 'gov_sd.items'::regclass and tgname = '_050_soft_delete'")).rows[0].n).toBe(0);
      await c.query("select warden.enable_soft_delete('gov_sd.items')");
      await refuseEvents(c, "governance.soft_delete.disabled");
      expect((await expectFailure(c, "select warden.disable_soft_delete('gov_sd.items')")).message).toMatch(/cannot be written/);
      expect((await c.query("select count(*)::int as n from pg_trigger where tgrelid = 'gov_sd.items'::regclass and tgname = '_050_soft_delete'")).rows[0].n).toBe(1);
    });
  });
});

describe("subject export and erasure", () => {
  async function pseudonym(tenantId: string, subject: string): Promise<string> {
    return (await ownerPool().query("select warden_private.keyed_hash($1, $2) as p", [tenantId, subject])).rows[0].p;
  }

  test("export through REST, GraphQL and SQL, erasure through REST, GraphQL and SQL: one event each, naming the subject by pseudonym", async () => {
    const t = await fixture();
    const subject = `subj-${randomUUID()}`;
    const p = await pseudonym(t.tenantId, subject);
    const tr = trace();
    expect((await rest("GET", `/subjects/${subject}/export`, t.tokens.admin, tr)).status).toBe(200);
    const exported = await expectOneCommitted(
      t.tenantId,
      "governance.subject.exported",
      { actor_id: t.users.admin, trace_id: tr, resource_type: "subject", resource_id: p },
      p,
    );
    expect(exported.event_data.counts).toMatchObject({ events: 0, user: false });
    expect(JSON.stringify(exported)).not.toContain(subject);
    const tr2 = trace();
    await graphql(t.tokens.owner, tr2, `query($t: UUID!, $s: String!) { exportSubject(tenant: $t, subjectId: $s) }`, { t: t.tenantId, s: subject });
    const both = await withOwner((c) => governanceEvents(c, t.tenantId, "governance.subject.exported", p));
    expect(both.map((e) => [e.actor_id, e.trace_id])).toEqual([
      [t.users.admin, tr],
      [t.users.owner, tr2],
    ]);
    const tr3 = trace();
    const erased = await rest("POST", `/subjects/${subject}/erasure`, t.tokens.owner, tr3, { reason: "ticket 1" });
    expect(erased.status).toBe(200);
    await expectOneCommitted(t.tenantId, "governance.subject.erased", { actor_id: t.users.owner, trace_id: tr3, resource_id: p }, p);
    const other = `subj-${randomUUID()}`;
    const tr4 = trace();
    await graphql(t.tokens.admin, tr4, `mutation($t: UUID!, $s: String!) { eraseSubject(input: {tenant: $t, subjectId: $s, reason: "ticket 2"}) { receipt } }`, {
      t: t.tenantId,
      s: other,
    });
    const p2 = await pseudonym(t.tenantId, other);
    await expectOneCommitted(t.tenantId, "governance.subject.erased", { actor_id: t.users.admin, trace_id: tr4 }, p2);
    await rolledBack(async (c) => {
      const tr5 = trace();
      const third = `subj-${randomUUID()}`;
      await asVisitor(c, t, "owner", tr5);
      await c.query("select warden.export_subject($1, $2)", [t.tenantId, third]);
      await c.query("select warden.erase_subject($1, $2, 'sql')", [t.tenantId, third]);
      await actAsOwner(c);
      const p3 = (await c.query("select warden_private.keyed_hash($1, $2) as p", [t.tenantId, third])).rows[0].p;
      await expectOne(c, t.tenantId, "governance.subject.exported", { actor_id: t.users.owner, trace_id: tr5 }, p3);
      await expectOne(c, t.tenantId, "governance.subject.erased", { actor_id: t.users.owner, trace_id: tr5 }, p3);
    });
  });

  test("no export or erasure without its event", async () => {
    const t = await fixture();
    const subject = `subj-${randomUUID()}`;
    await rolledBack(async (c) => {
      await c.query("select warden.set_context($1, $2, 'service')", [t.tenantId, subject]);
      await c.query(
        `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id) values ($1, 'app.thing.done', 'app', 'done', 'service', $2)`,
        [t.tenantId, subject],
      );
      await c.query("select set_config('jwt.claims.actor_id', '', true), set_config('jwt.claims.tenant_id', '', true)");
      await c.query("savepoint s");
      await refuseEvents(c, "governance.subject.exported");
      expect((await expectFailure(c, "select warden.export_subject($1, $2)", [t.tenantId, subject])).message).toMatch(/cannot be written/);
      await c.query("rollback to savepoint s");
      await refuseEvents(c, "governance.subject.erased");
      expect((await expectFailure(c, "select warden.erase_subject($1, $2, 'x')", [t.tenantId, subject])).message).toMatch(/cannot be written/);
      const still = await c.query("select count(*)::int as n from warden.audit_events where tenant_id = $1 and actor_id = $2", [t.tenantId, subject]);
      expect(still.rows[0].n).toBe(1);
    });
  });
});
