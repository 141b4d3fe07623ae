/**
 * GDPR subject requests, attacked: export finds everything about a subject;
 * erasure (REST, GraphQL and plain SQL) leaves no trace of the raw id in
 * any audit table, keeps `verify` passing through signed erasure records,
 * and `verify` still catches tampering outside erasure, including a forged
 * erasure record. Only tenant owners and admins may do either, in SQL too.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { sealOnce } from "../../src/audit/sealer";
import { verifyTrail } from "../../src/audit/verifier";
import { generateSealingKey } from "../../src/audit/sealingKey";
import { signErasureRecord, signPendingErasureRecords } from "../../src/audit/erasureRecords";
import { actAs, asTriggerlessSuperuser, closePools, expectFailure, rolledBack } from "../support/db";
import { gql, promoteCaptured, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;
let other: TenantFixture;
const subject = `cust-${randomUUID()}`;

async function api(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

/** Seals until every event of the tenant is in its chain (a transaction elsewhere may hold the horizon back briefly). */
async function seal(tenantId: string = t.tenantId): Promise<void> {
  const c = await server.ownerPool.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      await sealOnce(c, server.sealingKey);
      const { rows } = await c.query(
        `select count(*)::int as n from warden.audit_events e
         where e.tenant_id = $1 and not exists (select 1 from warden_private.seal_blocks b where b.tenant_key = $1 and e.event_id = any (b.event_ids))`,
        [tenantId],
      );
      if (rows[0].n === 0) return;
      if (attempt >= 100) throw new Error(`${rows[0].n} event(s) of ${tenantId} still unsealed`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    c.release();
  }
}

async function verify(tenantId: string, c?: pg.ClientBase) {
  if (c) return verifyTrail(c, server.sealingKey, { tenantId, inTransaction: true });
  const client = await server.ownerPool.connect();
  try {
    return await verifyTrail(client, server.sealingKey, { tenantId });
  } finally {
    client.release();
  }
}

/** Every table of Warden's schemas (and every audit partition) holding the text anywhere in a row. */
async function tablesMentioning(c: pg.ClientBase, text: string): Promise<string[]> {
  const { rows } = await c.query(
    `select format('%I.%I', n.nspname, c.relname) as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname in ('warden', 'warden_private') and c.relkind = 'r' order by 1`,
  );
  const hits: string[] = [];
  for (const { t: table } of rows) {
    const r = await c.query(`select count(*)::int as n from ${table} x where strpos(x::text, $1) > 0`, [text]);
    if (r.rows[0].n > 0) hits.push(table);
  }
  return hits;
}

async function write(fx: TenantFixture, sql: string, params: unknown[]): Promise<void> {
  const c = await server.ownerPool.connect();
  try {
    await c.query("begin");
    await c.query("select warden.set_context($1, $2, 'user', null, $3)", [fx.tenantId, fx.users.owner, JSON.stringify({ ip: "198.51.100.7", user_agent: "app/1" })]);
    await c.query(sql, params);
    await c.query("commit");
  } finally {
    c.release();
  }
}

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "GDPR tenant");
  other = await tenantFixture(server, "GDPR other tenant");
  await gql(server, t.tokens.owner, `mutation { setRedactionPolicy(input: {mode: "off", rules: [{field: "event_data", path: "customer.email", method: "mask"}, {field: "values", table: "gdpr_app.accounts", column: "email", method: "mask"}]}) { __typename } }`);
  await server.ownerPool.query(`create schema if not exists gdpr_app;
    create table if not exists gdpr_app.accounts (id text primary key, tenant_id uuid not null, email text, referrer text, prefs jsonb);
    select warden.enable_auditing('gdpr_app.accounts');`);
  // The subject as a row's primary key (resource), mentioned in another row, and as an actor of posted events.
  await write(t, "insert into gdpr_app.accounts values ($1, $2, 'subject@example.com', null, '{}'), ($3, $2, 'friend@example.com', $1, jsonb_build_object('ref', $1::text))", [
    subject,
    t.tenantId,
    `friend-${randomUUID()}`,
  ]);
  await write(t, "update gdpr_app.accounts set email = 'subject2@example.com' where id = $1", [subject]);
  // posted: the subject as actor (with the request's address and user agent), and as resource
  const asActor = await fetch(`${server.url}/api/v1/audit/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.apiKey.key}`, "content-type": "application/json", "user-agent": "SubjectPhone/2.0", "idempotency-key": `login-${subject}` },
    body: JSON.stringify([
      { event_type: "auth.login.succeeded", outcome: "success", actor: { type: "user", id: subject }, data: { customer: { id: subject, email: "subject@example.com" }, refs: [subject, "other"] } },
      { event_type: "crm.customer.viewed", outcome: "success", resource: { type: "customer", id: subject }, data: { note: `viewed ${subject}` } },
      { event_type: "crm.customer.viewed", outcome: "success", resource: { type: "customer", id: "someone-else-entirely" }, data: { customer: { email: "keep@example.com" } } },
    ]),
  });
  expect(asActor.status).toBe(201);
  await seal();
});

afterAll(async () => {
  await server.close();
  await closePools();
});

test("export: every event where the subject is actor or resource, and the other records Warden holds", async () => {
  const r = await api("GET", `/api/v1/subjects/${encodeURIComponent(subject)}/export`, t.tokens.admin);
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ subject_id: subject, tenant_id: t.tenantId });
  const types = r.body.events.map((e: any) => e.event_type).sort();
  expect(types).toEqual(["auth.login.succeeded", "crm.customer.viewed", "db.gdpr_app.accounts.insert", "db.gdpr_app.accounts.update"]);
  expect(r.body.events.find((e: any) => e.event_type === "auth.login.succeeded").user_agent).toBe("SubjectPhone/2.0");
  expect(r.body.idempotency_keys.map((k: any) => k.idempotency_key)).toEqual([`login-${subject}`]);
  // a Warden user: their user record, membership and API keys they created
  const key = await api("POST", "/api/v1/api-keys", t.tokens.admin, { name: "made by admin" });
  expect(key.status).toBe(201);
  const user = await gql(server, t.tokens.owner, `query($t: UUID!, $s: String!) { exportSubject(tenant: $t, subjectId: $s) }`, { t: t.tenantId, s: t.users.admin });
  expect(user.body.errors).toBeUndefined();
  const doc = user.body.data.exportSubject;
  expect(doc.user.id).toBe(t.users.admin);
  expect(doc.tenant_memberships).toEqual([expect.objectContaining({ user_id: t.users.admin, role: "admin" })]);
  expect(doc.api_keys.map((k: any) => k.id)).toContain(key.body.id);
  // tenant owners and admins only, enforced in SQL as well as by the route
  expect((await api("GET", `/api/v1/subjects/${subject}/export`, t.tokens.auditor)).status).toBe(403);
  const gqlDenied = await gql(server, t.tokens.auditor, `query($t: UUID!) { exportSubject(tenant: $t, subjectId: "x") }`, { t: t.tenantId });
  expect(gqlDenied.body.errors[0].extensions.code).toBe("forbidden");
  const crossTenant = await gql(server, other.tokens.owner, `query($t: UUID!, $s: String!) { exportSubject(tenant: $t, subjectId: $s) }`, { t: t.tenantId, s: subject });
  expect(crossTenant.body.errors[0].extensions.code).toBe("forbidden");
});

test("erasure over REST: receipt, no trace of the raw id in any audit table, verify passes, erasure event recorded", async () => {
  expect((await api("POST", `/api/v1/subjects/${subject}/erasure`, t.tokens.auditor, { reason: "x" })).status).toBe(403);
  const r = await api("POST", `/api/v1/subjects/${encodeURIComponent(subject)}/erasure`, t.tokens.admin, { reason: `GDPR request about ${subject}` });
  expect(r.status).toBe(200);
  const receipt = r.body;
  expect(receipt).toMatchObject({ tenant_id: t.tenantId, events_as_actor: 1, idempotency_keys_removed: 1, batches: expect.any(Number) });
  expect(receipt.subject_pseudonym).toMatch(/^hmac:[0-9a-f]{64}$/);
  expect(receipt.events_rewritten).toBe(5); // 2 account inserts (the subject's row and one naming it), 1 update, 2 posted
  expect(receipt.records_signed).toBe(receipt.erasure_records);
  expect(receipt.duration_ms).toBeGreaterThanOrEqual(0);

  const c = await server.ownerPool.connect();
  try {
    expect(await tablesMentioning(c, subject)).toEqual([]);
    // the subject's address and user agent are gone; the pseudonym stands in for the id, consistently
    const acted = await c.query("select actor_id, actor_ip, user_agent, event_data from warden.audit_events where tenant_id = $1 and event_type = 'auth.login.succeeded'", [t.tenantId]);
    expect(acted.rows[0]).toMatchObject({ actor_id: receipt.subject_pseudonym, actor_ip: null, user_agent: null });
    expect(acted.rows[0].event_data.customer).toEqual({ id: receipt.subject_pseudonym }); // configured PII path removed
    expect(acted.rows[0].event_data.refs).toEqual([receipt.subject_pseudonym, "other"]);
    const account = await c.query("select resource_id, row_pk, new_values from warden.audit_events where tenant_id = $1 and event_type = 'db.gdpr_app.accounts.update'", [t.tenantId]);
    expect(account.rows[0].resource_id).toBe(receipt.subject_pseudonym);
    expect(account.rows[0].new_values).not.toHaveProperty("email");
    // events not about the subject keep their PII
    const untouched = await c.query("select event_data from warden.audit_events where tenant_id = $1 and resource_id = 'someone-else-entirely'", [t.tenantId]);
    expect(untouched.rows[0].event_data.customer.email).toBe("keep@example.com");
    // the erasure left its own event, naming only the pseudonym
    const ev = await c.query("select resource_id, actor_id, event_data from warden.audit_events where event_id = $1", [receipt.erasure_event_id]);
    expect(ev.rows[0]).toMatchObject({ resource_id: receipt.subject_pseudonym, actor_id: t.users.admin });
    expect(ev.rows[0].event_data.reason).toBe(`GDPR request about ${receipt.subject_pseudonym}`);
  } finally {
    c.release();
  }
  // searches by the old id find nothing, through the API either
  const search = await api("GET", `/api/v1/audit/events?actor_id=${subject}&include_redacted=true`, t.tokens.owner);
  expect(search.body.data).toEqual([]);
  const byResource = await api("GET", `/api/v1/audit/events?resource_id=${subject}&include_redacted=true`, t.tokens.owner);
  expect(byResource.body.data).toEqual([]);
  const exported = await api("GET", `/api/v1/subjects/${subject}/export`, t.tokens.owner);
  expect(exported.body.events).toEqual([]);
  expect(exported.body.erasures).toEqual([expect.objectContaining({ erasure_id: receipt.erasure_id })]);

  expect(await verify(t.tenantId)).toMatchObject({ ok: true, first_bad: null });
  await seal();
  expect(await verify(t.tenantId)).toMatchObject({ ok: true, first_bad: null });
  // erasing again finds nothing more and still verifies
  const again = await api("POST", `/api/v1/subjects/${subject}/erasure`, t.tokens.owner, { reason: "repeat" });
  expect(again.body.events_rewritten).toBe(0);
  await seal();
  expect((await verify(t.tenantId)).ok).toBe(true);
});

test("verify after erasure still detects tampering outside erasure, and a forged erasure record", async () => {
  const erased = await server.ownerPool.query(
    `select r.event_id::text as event_id, r.original_payload_hash, r.erasure_id::text as erasure_id from warden_private.erasure_records r
     where r.tenant_key = $1 limit 1`,
    [t.tenantId],
  );
  const victim = erased.rows[0];
  // 1. editing an erased event afterwards
  await asTriggerlessSuperuser(async (c) => {
    await c.query("update warden.audit_events set event_data = coalesce(event_data, '{}') || '{\"forged\": true}' where event_id = $1", [victim.event_id]);
    const v = await verify(t.tenantId, c);
    expect(v.ok).toBe(false);
    expect(v.first_bad).toMatchObject({ reason: "modified", event_id: victim.event_id });
  });
  // 2. editing another sealed event and covering it with a forged erasure record (unsigned, then signed with another key)
  const target = (
    await server.ownerPool.query(
      `select e.event_id::text as event_id, warden_private.audit_payload_hash(e) as ph from warden.audit_events e
       where e.tenant_id = $1 and e.resource_id = 'someone-else-entirely'`,
      [t.tenantId],
    )
  ).rows[0];
  await asTriggerlessSuperuser(async (c) => {
    await c.query("update warden.audit_events set event_data = '{\"customer\": {\"email\": \"rewritten@evil.test\"}}' where event_id = $1", [target.event_id]);
    const forged = (await c.query("select warden_private.audit_payload_hash(e) as ph from warden.audit_events e where event_id = $1", [target.event_id])).rows[0].ph;
    await c.query(
      `insert into warden_private.erasure_records (event_id, erased_payload_hash, original_payload_hash, tenant_key, erasure_id)
       values ($1, $2, $3, $4, $5)`,
      [target.event_id, forged, target.ph, t.tenantId, victim.erasure_id],
    );
    let v = await verify(t.tenantId, c);
    expect(v.first_bad).toMatchObject({ reason: "modified", event_id: target.event_id });
    // the worker's sealing pass runs next: it must not vouch for the forged record
    await c.query("set local session_replication_role = origin");
    await sealOnce(c, server.sealingKey, { inTransaction: true });
    await c.query("set local session_replication_role = replica");
    v = await verify(t.tenantId, c);
    expect(v.first_bad).toMatchObject({ reason: "modified", event_id: target.event_id });
    const wrongKey = generateSealingKey();
    const record = { eventId: target.event_id, tenantKey: t.tenantId, erasureId: victim.erasure_id, originalHash: target.ph, erasedHash: forged };
    await c.query("insert into warden_private.erasure_record_signatures (event_id, erased_payload_hash, key_id, signature) values ($1, $2, $3, $4)", [
      target.event_id,
      forged,
      server.sealingKey.keyId, // claims the real key's id
      signErasureRecord(wrongKey, record),
    ]);
    v = await verify(t.tenantId, c);
    expect(v.first_bad).toMatchObject({ reason: "modified", event_id: target.event_id });
  });
  // 3. a genuine record whose signature is removed no longer vouches, a
  //    sealing pass does not sign it again by itself, and an operator's
  //    explicit `warden sign-records` (all pending records) does
  await asTriggerlessSuperuser(async (c) => {
    await c.query("delete from warden_private.erasure_record_signatures where event_id = $1", [victim.event_id]);
    const v = await verify(t.tenantId, c);
    expect(v.first_bad).toMatchObject({ reason: "modified", event_id: victim.event_id });
    await c.query("set local session_replication_role = origin");
    await sealOnce(c, server.sealingKey, { inTransaction: true });
    expect((await verify(t.tenantId, c)).first_bad).toMatchObject({ reason: "modified", event_id: victim.event_id });
    expect(await signPendingErasureRecords(c, server.sealingKey, "all_pending")).toBeGreaterThanOrEqual(1);
    expect((await verify(t.tenantId, c)).ok).toBe(true);
  });
});

test("erase_subject from plain SQL (a DBA), GraphQL eraseSubject, and SQL-side role checks", async () => {
  const dbaSubject = `dba-${randomUUID()}`;
  await write(other, "insert into gdpr_app.accounts values ($1, $2, 'dba@example.com', null, '{}')", [dbaSubject, other.tenantId]);
  await write(t, "insert into gdpr_app.accounts values ($1, $2, 'dba-in-t@example.com', null, '{}')", [`t-${dbaSubject}`, t.tenantId]);
  await seal(other.tenantId);
  const c = await server.ownerPool.connect();
  try {
    const receipt = (await c.query("select warden.erase_subject($1, $2, 'DBA ticket 7') as r", [other.tenantId, dbaSubject])).rows[0].r;
    expect(receipt.events_rewritten).toBe(1);
    expect(receipt.erasure_records).toBe(1);
    // another tenant's events naming the same id are not this erasure's business
    const inT = await c.query("select count(*)::int as n from warden.audit_events where tenant_id = $1 and strpos(resource_id, $2) > 0", [t.tenantId, dbaSubject]);
    expect(inT.rows[0].n).toBe(1);
    const hits = await c.query("select count(*)::int as n from warden.audit_events e where e.tenant_id = $1 and strpos(e::text, $2) > 0", [other.tenantId, dbaSubject]);
    expect(hits.rows[0].n).toBe(0);
  } finally {
    c.release();
  }
  // Erased from plain SQL, without the sealing key: the records are unsigned,
  // so verify reports the rewritten event, and a sealing pass changes nothing...
  await seal(other.tenantId);
  expect((await verify(other.tenantId)).first_bad).toMatchObject({ reason: "modified" });
  // ...until an operator signs them (`warden sign-records`).
  const oc = await server.ownerPool.connect();
  try {
    expect(await signPendingErasureRecords(oc, server.sealingKey, "all_pending")).toBeGreaterThanOrEqual(1);
  } finally {
    oc.release();
  }
  expect((await verify(other.tenantId)).ok).toBe(true);

  const g = await gql(server, other.tokens.owner, `mutation($t: UUID!) { eraseSubject(input: {tenant: $t, subjectId: "never-seen-subject", reason: "test"}) { receipt } }`, {
    t: other.tenantId,
  });
  expect(g.body.errors).toBeUndefined();
  expect(g.body.data.eraseSubject.receipt.events_rewritten).toBe(0);

  await rolledBack(async (db) => {
    for (const [role, tenant] of [["auditor", t.tenantId], ["support", t.tenantId], ["owner", other.tenantId]] as const) {
      await actAs(db, { tenantId: t.tenantId, actorId: t.users[role === "owner" ? "owner" : role], tenantRole: role });
      const err = await expectFailure(db, "select warden.erase_subject($1, 'x-subject-1', 'attack')", [tenant]);
      expect({ role, code: err.code }).toEqual({ role, code: "42501" });
      const exp = await expectFailure(db, "select warden.export_subject($1, 'x-subject-1')", [tenant]);
      expect(exp.code).toBe("42501");
      // the governance helpers are not callable by API roles at all
      const direct = await expectFailure(db, "select warden_private.governance_start_erasure($1, 'x', 'y')", [t.tenantId]);
      expect(direct.code).toBe("42501");
      await db.query("reset role");
    }
    // and the append-only guard still refuses a hand-made rewrite, even with the flag set
    await db.query("select set_config('warden.governance_operation', 'erase_subject', true)");
    const flag = await expectFailure(db, "update warden.audit_events set actor_id = 'x' where tenant_id = $1", [t.tenantId]);
    expect(flag.code).toBe("42501");
  });
});
