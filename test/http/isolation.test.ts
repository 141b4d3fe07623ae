/**
 * Tenant isolation, attacked through GraphQL: with two tenants, every
 * collection and lookup exposed, queried as tenant A, shows none of B's
 * rows; writes aimed at B fail.
 */
import { closePools } from "../support/db";
import { gql, promoteCaptured, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let a: TenantFixture;
let b: TenantFixture;
const bIds = new Set<string>();
const aIds = new Set<string>();

async function idsOf(tenantId: string): Promise<Set<string>> {
  const { rows } = await server.ownerPool.query(
    `select id::text from warden.tenants where id = $1
     union all select id::text from warden.tenant_memberships where tenant_id = $1
     union all select user_id::text from warden.tenant_memberships where tenant_id = $1
     union all select id::text from warden.projects where tenant_id = $1
     union all select id::text from warden.project_members where tenant_id = $1
     union all select id::text from warden.api_keys where tenant_id = $1
     union all select id::text from warden.tenant_invitations where tenant_id = $1
     union all select event_id::text from warden.audit_events where tenant_id = $1
     union all select id::text from warden.dq_rules where tenant_id = $1
     union all select id::text from warden.dq_runs where tenant_id = $1
     union all select id::text from warden.dq_results where tenant_id = $1
     union all select id::text from warden.user_sessions where tenant_id = $1
     union all select id::text from warden.identity_providers where tenant_id = $1
     union all select id::text from warden.subscriptions where tenant_id = $1
     union all select id::text from warden.notification_deliveries where tenant_id = $1
     union all select id::text from warden.notification_delivery_attempts where tenant_id = $1
     union all select id::text from warden.notifications where tenant_id = $1`,
    [tenantId],
  );
  return new Set(rows.map((r) => r.id));
}

beforeAll(async () => {
  server = await startTestServer();
  a = await tenantFixture(server, "Tenant A");
  b = await tenantFixture(server, "Tenant B");
  // Each tenant gets a project made through the API by its owner.
  for (const t of [a, b]) {
    const r = await gql(server, t.tokens.owner, `mutation { createProject(input: {project: {name: "secret plans"}}) { project { rowId } } }`);
    expect(r.body.errors).toBeUndefined();
    // and a redaction policy (keyed by tenant id)
    const p = await gql(server, t.tokens.owner, `mutation { setRedactionPolicy(input: {mode: "off", rules: [{field: "actor_ip", method: "mask"}]}) { __typename } }`);
    expect(p.body.errors).toBeUndefined();
    // and an open invitation
    const i = await gql(server, t.tokens.owner, `mutation { inviteToTenant(input: {email: "someone@example.test"}) { result { id } } }`);
    expect(i.body.errors).toBeUndefined();
    // and a trusted identity provider
    const idp = await gql(
      server,
      t.tokens.owner,
      `mutation($i: String!) { createIdentityProvider(input: {identityProvider: {name: "idp", issuer: $i, audience: "warden"}}) { identityProvider { rowId } } }`,
      { i: `https://idp.example/${t.tenantId}` },
    );
    expect(idp.body.errors).toBeUndefined();
  }
  // Audited rows for both tenants, so each has audit events.
  await server.ownerPool.query(`create schema if not exists iso_app;
    create table if not exists iso_app.items (id uuid primary key default gen_random_uuid(), tenant_id uuid not null, name text);
    select warden.enable_auditing('iso_app.items');`);
  for (const t of [a, b]) {
    const c = await server.ownerPool.connect();
    try {
      await c.query("begin");
      await c.query("select warden.set_context($1, $2, 'user')", [t.tenantId, t.users.owner]);
      await c.query("insert into iso_app.items (tenant_id, name) values ($1, 'widget')", [t.tenantId]);
      await c.query("commit");
    } finally {
      c.release();
    }
  }
  // Data-quality rules, a run with results and an enforcement per tenant.
  await server.ownerPool.query("grant usage on schema iso_app to warden_dq_sandbox; grant select on iso_app.items to warden_dq_sandbox");
  for (const t of [a, b]) {
    const r = await gql(server, t.tokens.owner, `mutation { createDqRule(input: {dqRule: {targetName: "iso_app.items", name: "named", checkType: "not_null", params: {column: "name"}}}) { dqRule { rowId } } }`);
    expect(r.body.errors).toBeUndefined();
    const c = await server.ownerPool.connect();
    try {
      await c.query("begin");
      await c.query("select warden.set_context($1, $2, 'user')", [t.tenantId, t.users.owner]);
      await c.query("select warden.dq_run('iso_app.items')");
      await c.query("select warden.dq_enforce('iso_app.items', 'record')");
      await c.query("commit");
    } finally {
      c.release();
    }
  }
  for (const t of [a, b]) {
    // A subscription, a delivery with an attempt, and an inbox notification for the owner.
    const r = await gql(server, t.tokens.owner, `mutation { createSubscription(input: {name: "hooks", filter: {}, channel: "webhook", webhookUrl: "https://hooks.example.com/x"}) { result { rowId } } }`);
    expect(r.body.errors).toBeUndefined();
    const sub = r.body.data.createSubscription.result.rowId;
    const [ev] = (await server.ownerPool.query("select event_id, occurred_at, event_type from warden.audit_events where tenant_id = $1 limit 1", [t.tenantId])).rows;
    const d = await server.ownerPool.query(
      "insert into warden.notification_deliveries (subscription_id, tenant_id, event_id, occurred_at, event_type, status) values ($1, $2, $3, $4, $5, 'delivered') returning id",
      [sub, t.tenantId, ev.event_id, ev.occurred_at, ev.event_type],
    );
    await server.ownerPool.query("insert into warden.notification_delivery_attempts (delivery_id, subscription_id, tenant_id, attempt, status_code) values ($1, $2, $3, 1, 204)", [d.rows[0].id, sub, t.tenantId]);
    await server.ownerPool.query("select warden_private.notify_users($1, array[$2::uuid], 'test', 'hello')", [t.tenantId, t.users.owner]);
  }
  await promoteCaptured(server);
  for (const id of await idsOf(b.tenantId)) bIds.add(id);
  for (const id of await idsOf(a.tenantId)) aIds.add(id);
});

afterAll(async () => {
  await server.close();
  await closePools();
});

/** Connection fields of Query that take no required argument, with the id field of their nodes. */
async function connectionFields(): Promise<{ name: string; idField: string; hasTenantId: boolean }[]> {
  const r = await gql(
    server,
    a.tokens.owner,
    `{ __type(name: "Query") { fields { name args { type { kind } } type { name ofType { name } } } } }`,
  );
  const out: { name: string; idField: string; hasTenantId: boolean }[] = [];
  for (const f of r.body.data.__type.fields) {
    const typeName: string = f.type.name ?? f.type.ofType?.name ?? "";
    if (!typeName.endsWith("Connection")) continue;
    if (f.args.some((arg: any) => arg.type.kind === "NON_NULL")) continue; // e.g. rowHistory: tested on its own
    const node = await gql(
      server,
      a.tokens.owner,
      `query($t: String!) { __type(name: $t) { fields { name type { name ofType { name ofType { name ofType { name } } } } } } }`,
      { t: typeName },
    );
    let t = node.body.data.__type.fields.find((x: any) => x.name === "nodes").type;
    while (!t.name) t = t.ofType;
    const nodesType = t.name;
    const fields = await gql(server, a.tokens.owner, `query($t: String!) { __type(name: $t) { fields { name } } }`, { t: nodesType });
    const names = fields.body.data.__type.fields.map((x: any) => x.name);
    out.push({ name: f.name, idField: names.includes("rowId") ? "rowId" : names.includes("eventId") ? "eventId" : "tenantId", hasTenantId: names.includes("tenantId") });
  }
  return out;
}

test("every GraphQL collection, read as tenant A, shows A's rows and none of B's", async () => {
  const fields = await connectionFields();
  expect(fields.map((f) => f.name)).toEqual(
    expect.arrayContaining(["tenants", "users", "tenantMemberships", "projects", "projectMembers", "apiKeys", "auditEvents"]),
  );
  for (const { name: field, idField, hasTenantId } of fields) {
    const rowIds = await gql(server, a.tokens.owner, `{ ${field} { nodes { ${idField}${hasTenantId && idField !== "tenantId" ? " tenantId" : ""} } } }`);
    expect(rowIds.body.errors).toBeUndefined();
    const nodes: any[] = rowIds.body.data[field].nodes;
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) {
      const id = String(n[idField]);
      // a row that names its tenant must name A
      if (hasTenantId) expect({ field, id, tenant: n.tenantId }).toEqual({ field, id, tenant: a.tenantId });
      // uuids are unique across tables; bigint ids (deliveries, attempts) repeat
      // from table to table, so they are judged by their tenant alone
      if (/^\d+$/.test(id) && hasTenantId) continue;
      expect({ field, id, fromB: bIds.has(id) }).toEqual({ field, id, fromB: false });
      expect({ field, id, fromA: aIds.has(id) }).toEqual({ field, id, fromA: true });
    }
  }
});

test("every role of tenant A sees none of B's rows", async () => {
  const fields = await connectionFields();
  for (const role of Object.keys(a.tokens)) {
    for (const { name: field, idField, hasTenantId } of fields) {
      const r = await gql(server, a.tokens[role], `{ ${field} { nodes { ${idField}${hasTenantId && idField !== "tenantId" ? " tenantId" : ""} } } }`);
      if (field === "auditEvents" && !["owner", "admin", "auditor"].includes(role)) {
        // the audit trail refuses other roles outright, as REST does
        expect(r.body.errors[0].extensions.code).toBe("missing_role");
        continue;
      }
      expect(r.body.errors).toBeUndefined();
      for (const n of r.body.data[field].nodes) {
        if (hasTenantId) expect({ field, role, tenant: n.tenantId }).toEqual({ field, role, tenant: a.tenantId });
        if (/^\d+$/.test(String(n[idField])) && hasTenantId) continue; // bigint ids repeat across tables
        expect(bIds.has(n[idField])).toBe(false);
      }
    }
  }
  const viaKey = await gql(server, a.apiKey.key, `{ tenants { nodes { rowId } } projects { nodes { rowId } } }`);
  expect(viaKey.body.data.tenants.nodes).toEqual([{ rowId: a.tenantId }]);
});

test("lookups by B's ids (row id and node id) return nothing to A", async () => {
  const bProject = await server.ownerPool.query("select id from warden.projects where tenant_id = $1", [b.tenantId]);
  const bProjectId = bProject.rows[0].id;
  const byRow = await gql(server, a.tokens.owner, `query($id: UUID!) { project(rowId: $id) { rowId } tenant(rowId: "${b.tenantId}") { rowId } }`, {
    id: bProjectId,
  });
  expect(byRow.body.errors).toBeUndefined();
  expect(byRow.body.data).toEqual({ project: null, tenant: null });
  // B's own node id for its project, then asked for by A.
  const nodeId = (await gql(server, b.tokens.owner, `{ projects { nodes { id } } }`)).body.data.projects.nodes[0].id;
  const byNode = await gql(server, a.tokens.owner, `query($id: ID!) { node(id: $id) { id } }`, { id: nodeId });
  expect(byNode.body.data.node).toBeNull();
  const user = await gql(server, a.tokens.owner, `query($id: UUID!) { user(rowId: $id) { email } }`, { id: b.users.owner });
  expect(user.body.data.user).toBeNull();
  const bSession = (await server.ownerPool.query("select id from warden.user_sessions where tenant_id = $1 limit 1", [b.tenantId])).rows[0].id;
  const bIdp = (await server.ownerPool.query("select id from warden.identity_providers where tenant_id = $1", [b.tenantId])).rows[0].id;
  const sessionAndIdp = await gql(
    server,
    a.tokens.owner,
    `query($s: UUID!, $p: UUID!) { userSession(rowId: $s) { rowId } identityProvider(rowId: $p) { rowId } }`,
    { s: bSession, p: bIdp },
  );
  expect(sessionAndIdp.body.errors).toBeUndefined();
  expect(sessionAndIdp.body.data).toEqual({ userSession: null, identityProvider: null });
});

test("rowHistory of B's row shows A nothing", async () => {
  const bItem = (await server.ownerPool.query("select id from iso_app.items where tenant_id = $1", [b.tenantId])).rows[0].id;
  const mine = await gql(server, b.tokens.auditor, `query($pk: JSON!) { rowHistory(tableName: "iso_app.items", pk: $pk) { nodes { action actorId } } }`, {
    pk: { id: bItem },
  });
  expect(mine.body.errors).toBeUndefined();
  expect(mine.body.data.rowHistory.nodes).toEqual([{ action: "insert", actorId: b.users.owner }]);
  const theirs = await gql(server, a.tokens.owner, `query($pk: JSON!) { rowHistory(tableName: "iso_app.items", pk: $pk) { nodes { action } } }`, {
    pk: { id: bItem },
  });
  expect(theirs.body.errors).toBeUndefined();
  expect(theirs.body.data.rowHistory.nodes).toEqual([]);
});

test("SQL functions exposed in GraphQL answer for the caller's tenant only", async () => {
  const r = await gql(server, a.tokens.admin, `{ currentTenantId currentUserId currentTenantRole currentActor }`);
  expect(r.body.errors).toBeUndefined();
  expect(r.body.data.currentTenantId).toBe(a.tenantId);
  expect(r.body.data.currentUserId).toBe(a.users.admin);
  expect(r.body.data.currentTenantRole).toBe("admin");
  expect(r.body.data.currentActor).toMatchObject({ type: "user", id: a.users.admin, tenant_id: a.tenantId });
  const bProject = (await server.ownerPool.query("select id from warden.projects where tenant_id = $1", [b.tenantId])).rows[0].id;
  const hp = await gql(server, a.tokens.owner, `query($p: UUID!) { hasProjectRole(projectId: $p, minRole: viewer) }`, { p: bProject });
  expect(hp.body.data.hasProjectRole).toBe(false);
});

test("creating a row with B's tenant id fails, for every writable table", async () => {
  const r = await gql(server, a.tokens.owner, `mutation { createProject(input: {project: {name: "x", tenantId: "${b.tenantId}"}}) { project { rowId } } }`);
  expect(r.body.errors?.[0]?.extensions?.code).toBe("forbidden");
  expect(r.body.data?.createProject ?? null).toBeNull();
  // Memberships cannot be created through the API at all (joining takes an accepted invitation: test/governance/tenancy.test.ts).
  const joined = await gql(
    server,
    a.tokens.owner,
    `mutation { createTenantMembership(input: {tenantMembership: {tenantId: "${b.tenantId}", userId: "${a.users.member}", role: owner}}) { tenantMembership { rowId } } }`,
  );
  expect(joined.body.errors?.[0]?.extensions?.code).toBe("graphql_validation_failed");
  const bProject = (await server.ownerPool.query("select id from warden.projects where tenant_id = $1", [b.tenantId])).rows[0].id;
  const member = await gql(
    server,
    a.tokens.owner,
    `mutation($p: UUID!, $u: UUID!) { createProjectMember(input: {projectMember: {projectId: $p, userId: $u, role: owner, tenantId: "${b.tenantId}"}}) { projectMember { rowId } } }`,
    { p: bProject, u: a.users.owner },
  );
  expect(member.body.errors?.[0]?.extensions?.code).toBe("forbidden");
  const count = await server.ownerPool.query("select count(*)::int as n from warden.project_members where project_id = $1", [bProject]);
  expect(count.rows[0].n).toBe(1); // only B's creator
});

test("updating or deleting B's rows fails and changes nothing", async () => {
  const bProject = (await server.ownerPool.query("select id, name from warden.projects where tenant_id = $1", [b.tenantId])).rows[0];
  const upd = await gql(server, a.tokens.owner, `mutation($id: UUID!) { updateProject(input: {rowId: $id, patch: {name: "pwned"}}) { project { rowId } } }`, {
    id: bProject.id,
  });
  // Row-level security hides B's row: nothing matches, nothing changes.
  expect(upd.body.data.updateProject.project).toBeNull();
  const ten = await gql(server, a.tokens.owner, `mutation { updateTenant(input: {rowId: "${b.tenantId}", patch: {name: "pwned"}}) { tenant { rowId } } }`);
  expect(ten.body.data.updateTenant.tenant).toBeNull();
  const del = await gql(server, a.tokens.owner, `mutation($id: UUID!) { deleteProject(input: {rowId: $id}) { project { rowId } } }`, { id: bProject.id });
  expect(del.body.errors?.[0]?.extensions?.code).toBe("not_found");
  // Moving A's own project into B is refused too.
  const aProject = (await server.ownerPool.query("select id from warden.projects where tenant_id = $1", [a.tenantId])).rows[0].id;
  const move = await gql(server, a.tokens.owner, `mutation($id: UUID!) { updateProject(input: {rowId: $id, patch: {tenantId: "${b.tenantId}"}}) { project { rowId } } }`, {
    id: aProject,
  });
  // tenant_id is not updatable by the visitor (column grants), so GraphQL
  // does not even offer it in the patch.
  expect(move.body.errors?.[0]?.extensions?.code).toBe("graphql_validation_failed");
  expect(move.body.errors[0].message).toMatch(/tenantId/);
  const after = await server.ownerPool.query("select name, tenant_id from warden.projects where id = $1", [bProject.id]);
  expect(after.rowCount).toBe(1);
  expect(after.rows[0]).toEqual({ name: bProject.name, tenant_id: b.tenantId });
  const tenantAfter = await server.ownerPool.query("select name from warden.tenants where id = $1", [b.tenantId]);
  expect(tenantAfter.rows[0].name).toBe("Tenant B");
});

test("set_context and other internals are not reachable through GraphQL", async () => {
  const r = await gql(server, a.tokens.owner, `{ __schema { mutationType { fields { name } } queryType { fields { name } } } }`);
  const names = [...r.body.data.__schema.mutationType.fields, ...r.body.data.__schema.queryType.fields].map((f: any) => f.name);
  expect(names).not.toContain("setContext");
  expect(names.filter((n: string) => /apiKeySecret|authenticate|enqueue|heartbeat/i.test(n))).toEqual([]);
  expect(names).toContain("createApiKey");
});
