/**
 * Project activity (issue 16, part 2): events carry their project (the
 * project_column option of enable_auditing, or set_context's project_id),
 * warden.project_activity pages them newest first with a readable summary,
 * redaction applies, and only viewers of the project read its feed: SQL as
 * the visitor role and GraphQL are attacked from another project and from
 * another tenant.
 */
import type pg from "pg";
import { actAs, actAsOwner, closePools, createTenant, createUser, expectFailure, flushCapture, rolledBack } from "../support/db";
import { gql, startTestServer, type TestServer } from "../support/server";
import { runWarden } from "../support/cli";

afterAll(closePools);

async function project(c: pg.ClientBase, tenant: string, name: string): Promise<string> {
  const { rows } = await c.query("insert into warden.projects (tenant_id, name) values ($1, $2) returning id", [tenant, name]);
  return rows[0].id;
}

async function member(c: pg.ClientBase, tenant: string, projectId: string, user: string, role = "viewer"): Promise<void> {
  await c.query("insert into warden.project_members (tenant_id, project_id, user_id, role) values ($1, $2, $3, $4)", [
    tenant,
    projectId,
    user,
    role,
  ]);
}

async function setup(c: pg.ClientBase) {
  const tenant = await createTenant(c);
  const alice = await createUser(c, tenant, "member", `alice-${tenant.slice(0, 6)}@example.test`);
  await c.query("update warden.users set display_name = 'alice' where id = $1", [alice]);
  const bob = await createUser(c, tenant, "member");
  const a = await project(c, tenant, "A");
  const b = await project(c, tenant, "B");
  await member(c, tenant, a, alice, "editor");
  await member(c, tenant, b, bob, "viewer");
  await c.query(`create schema pa;
    create table pa.orders (id int primary key, tenant_id uuid, project_id uuid, status text, note text);
    create table pa.notes (id int primary key, tenant_id uuid, body text)`);
  await c.query(`select warden.enable_auditing('pa.orders', '{"project_column": "project_id"}')`);
  await c.query(`select warden.enable_auditing('pa.notes')`);
  return { tenant, alice, bob, a, b };
}

async function feed(c: pg.ClientBase, projectId: string, extra = ""): Promise<any[]> {
  const { rows } = await c.query(`select * from warden.project_activity($1${extra})`, [projectId]);
  return rows;
}

test("project_column and set_context's project_id put events in the project's feed, with readable summaries", async () => {
  await rolledBack(async (c) => {
    const { tenant, alice, a, b } = await setup(c);
    await c.query("select warden.set_context($1, $2, 'user', null, '{}', null)", [tenant, alice]);
    await c.query("insert into pa.orders values (42, $1, $2, 'new', 'x'), (43, $1, $3, 'new', 'y')", [tenant, a, b]);
    await c.query("update pa.orders set status = 'paid' where id = 42");
    await c.query("delete from pa.orders where id = 43");
    // a table without a project column: the context's project
    await c.query("select warden.set_context($1, $2, 'user', null, '{}', $3)", [tenant, alice, a]);
    await c.query("insert into pa.notes values (1, $1, 'hello')", [tenant]);
    // the row's project wins over the context's
    await c.query("insert into pa.orders values (44, $1, $2, 'new', 'z')", [tenant, b]);
    // a later set_context without a project clears it
    await c.query("select warden.set_context($1, $2, 'user')", [tenant, alice]);
    await c.query("insert into pa.notes values (2, $1, 'no project')", [tenant]);
    await flushCapture(c);

    const { rows: stored } = await c.query(
      "select table_name, row_pk, project_id from warden.audit_events where table_name like 'pa.%' order by recorded_at, row_pk ->> 'id'",
    );
    expect(stored.map((e) => [e.table_name, e.row_pk.id, e.project_id])).toEqual([
      ["pa.orders", 42, a],
      ["pa.orders", 43, b],
      ["pa.orders", 42, a],
      ["pa.orders", 43, b],
      ["pa.notes", 1, a],
      ["pa.orders", 44, b],
      ["pa.notes", 2, null],
    ]);

    await actAs(c, { tenantId: tenant, actorId: alice, tenantRole: "member" });
    const entries = await feed(c, a);
    // one transaction: its events share occurred_at, so their order within it is not asserted
    expect(entries.map((e) => e.summary).sort()).toEqual([
      "alice created note 1",
      "alice created order 42",
      "alice updated order 42: status new → paid",
    ]);
    expect(entries.find((e) => e.action === "update")).toMatchObject({ action: "update", actor_name: "alice", changed_fields: ["status"], table_name: "pa.orders" });

    // keyset pages: two, then the rest
    const first = await feed(c, a, ", max_rows => 2");
    expect(first).toHaveLength(2);
    const { rows: cursor } = await c.query("select $1::timestamptz::text as at", [first[1].occurred_at]);
    const { rows: exact } = await c.query(
      "select occurred_at::text as at from warden.project_activity($1) where event_id = $2",
      [a, first[1].event_id],
    );
    expect(exact[0].at.slice(0, 19)).toBe(cursor[0].at.slice(0, 19));
    const { rows: rest } = await c.query("select * from warden.project_activity($1, $2::timestamptz, $3, 2)", [a, exact[0].at, first[1].event_id]);
    expect(rest.map((e) => e.event_id)).toEqual([entries[2].event_id]);
  });
});

test("enable_auditing validates project_column", async () => {
  await rolledBack(async (c) => {
    await c.query("create schema pv; create table pv.t (id int primary key, project text)");
    const missing = await expectFailure(c, `select warden.enable_auditing('pv.t', '{"project_column": "nope"}')`);
    expect(missing.code).toBe("42703");
    const wrongType = await expectFailure(c, `select warden.enable_auditing('pv.t', '{"project_column": "project"}')`);
    expect(wrongType.code).toBe("42804");
    const tenant = await createTenant(c);
    const other = await createTenant(c);
    const p = await project(c, other, "theirs");
    const user = await createUser(c, tenant, "member");
    const foreign = await expectFailure(c, "select warden.set_context($1, $2, 'user', null, '{}', $3)", [tenant, user, p]);
    expect(foreign.code).toBe("22023");
  });
});

test("redaction rules apply to the feed", async () => {
  await rolledBack(async (c) => {
    const { tenant, alice, a } = await setup(c);
    await c.query("select warden.set_redaction_policy('off', $1::jsonb, $2)", [
      JSON.stringify([{ field: "values", table: "pa.orders", column: "note", method: "remove" }]),
      tenant,
    ]);
    await c.query("select warden.set_context($1, $2, 'user', null, '{}', $3)", [tenant, alice, a]);
    await c.query("insert into pa.orders values (7, $1, $2, 'new', 'private note')", [tenant, a]);
    await flushCapture(c);
    await actAs(c, { tenantId: tenant, actorId: alice, tenantRole: "member" });
    const [entry] = await feed(c, a);
    expect(entry.new_values.note ?? null).not.toBe("private note");
    expect(entry.summary).not.toContain("private note");
    expect(entry.new_values.status).toBe("new");
    expect(entry.redacted_fields).toBeTruthy();
  });
});

test("attack: a member of project A cannot read project B's feed, nor another tenant's (SQL as the visitor role)", async () => {
  await rolledBack(async (c) => {
    const { tenant, alice, bob, a, b } = await setup(c);
    const other = await createTenant(c);
    const mallory = await createUser(c, other, "owner");
    await c.query("select warden.set_context($1, $2, 'user', null, '{}', $3)", [tenant, bob, b]);
    await c.query("insert into pa.notes values (9, $1, 'B secret')", [tenant]);
    await flushCapture(c);

    await actAs(c, { tenantId: tenant, actorId: alice, tenantRole: "member" });
    const denied = await expectFailure(c, "select * from warden.project_activity($1)", [b]);
    expect(denied.code).toBe("42501");
    await actAsOwner(c);

    // an owner of another tenant, naming the project by id
    await actAs(c, { tenantId: other, actorId: mallory, tenantRole: "owner" });
    const foreign = await expectFailure(c, "select * from warden.project_activity($1)", [b]);
    expect(foreign.code).toBe("42501");
    await actAsOwner(c);

    // the tenant's owner counts as a project owner (has_project_role)
    const owner = await createUser(c, tenant, "owner");
    await actAs(c, { tenantId: tenant, actorId: owner, tenantRole: "owner" });
    expect((await feed(c, b)).map((e) => e.summary)).toEqual([expect.stringMatching(/ created note 9$/)]);
  });
});

describe("GraphQL", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  test("Project.activity for viewers; another project's member gets nothing of it", async () => {
    const c = await server.ownerPool.connect();
    let tenant: string, alice: string, bob: string, a: string, b: string;
    try {
      tenant = await createTenant(c);
      alice = await createUser(c, tenant, "member");
      bob = await createUser(c, tenant, "member");
      a = await project(c, tenant, "A");
      b = await project(c, tenant, "B");
      await member(c, tenant, a, alice, "viewer");
      await member(c, tenant, b, bob, "viewer");
      await c.query("create schema if not exists gql_act; create table if not exists gql_act.items (id int primary key, tenant_id uuid, project_id uuid, name text)");
      await c.query(`select warden.enable_auditing('gql_act.items', '{"project_column": "project_id"}')`);
      await c.query("insert into gql_act.items values (1, $1, $2, 'a-item'), (2, $1, $3, 'b-item')", [tenant, a, b]);
      await c.query("select warden.flush_capture()");
    } finally {
      c.release();
    }
    const tokenAlice = await server.signToken(tenant, alice, 600);
    const query = `{ projects { nodes { rowId name activity(maxRows: 10) { nodes { summary eventId tableName } } } } }`;
    const mine = await gql(server, tokenAlice, query);
    expect(mine.body.errors).toBeUndefined();
    // project B: alice cannot even see its row (row-level security)
    expect(mine.body.data.projects.nodes.map((p: any) => p.rowId)).toEqual([a]);
    expect(mine.body.data.projects.nodes[0].activity.nodes.map((e: any) => e.summary)).toEqual([expect.stringMatching(/created item 1$/)]);
    expect(JSON.stringify(mine.body)).not.toContain(b);
    // ... and the feed function refuses when called directly
    const direct = await gql(server, tokenAlice, `query ($id: UUID!) { projectActivity(projectId: $id) { nodes { summary } } }`, { id: b });
    expect(JSON.stringify(direct.body)).not.toContain("b-item");
    expect(JSON.stringify(direct.body)).not.toContain("item 2");
  });

  test("events posted through the API carry a project_id: only one of the tenant's projects", async () => {
    const c = await server.ownerPool.connect();
    let tenant: string, viewer: string, p: string, foreign: string, key: string;
    try {
      tenant = await createTenant(c);
      viewer = await createUser(c, tenant, "member");
      p = await project(c, tenant, "P");
      await member(c, tenant, p, viewer, "viewer");
      const other = await createTenant(c);
      foreign = await project(c, other, "theirs");
      key = (await c.query("select key from warden_private.create_api_key($1, 'gateway', 'member')", [tenant])).rows[0].key;
    } finally {
      c.release();
    }
    const post = async (body: unknown) => {
      const res = await fetch(`${server.url}/api/v1/audit/events`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const ok = await post({ event_type: "deploy.release.shipped", outcome: "success", project_id: p, resource: { type: "release", id: "v1.2" } });
    expect(ok.status).toBe(201);
    const refused = await post([
      { event_type: "deploy.release.shipped", outcome: "success", project_id: foreign },
      { event_type: "deploy.release.shipped", outcome: "success", project_id: "not-a-uuid" },
    ]);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe("validation_failed");
    expect(refused.body.errors.map((e: any) => e.pointer).sort()).toEqual(["/1/project_id"]);
    const alone = await post({ event_type: "deploy.release.shipped", outcome: "success", project_id: foreign });
    expect(alone.status).toBe(400);
    expect(alone.body.errors).toEqual([{ pointer: "/project_id", reason: "not a project of this tenant" }]);

    const token = await server.signToken(tenant, viewer, 600);
    const feed = await gql(server, token, `{ projects { nodes { activity { nodes { summary eventId } } } } }`);
    expect(feed.body.data.projects.nodes[0].activity.nodes.map((e: any) => e.summary)).toEqual([
      "gateway shipped release v1.2 (deploy.release.shipped)",
    ]);
    expect(feed.body.data.projects.nodes[0].activity.nodes[0].eventId).toBe(ok.body.event_ids[0]);
  });

  test("REST and the CLI: viewers page through the feed; another project's member and another tenant's owner get 403", async () => {
    const c = await server.ownerPool.connect();
    let tenant: string, alice: string, bob: string, a: string, b: string, mallory: string, other: string;
    try {
      tenant = await createTenant(c);
      alice = await createUser(c, tenant, "member");
      bob = await createUser(c, tenant, "member");
      a = await project(c, tenant, "A");
      b = await project(c, tenant, "B");
      await member(c, tenant, a, alice, "viewer");
      await member(c, tenant, b, bob, "viewer");
      other = await createTenant(c);
      mallory = await createUser(c, other, "owner");
      await c.query("create schema if not exists rest_act; create table if not exists rest_act.tasks (id int primary key, tenant_id uuid, project_id uuid, title text)");
      await c.query(`select warden.enable_auditing('rest_act.tasks', '{"project_column": "project_id"}')`);
      for (const id of [1, 2, 3]) await c.query("insert into rest_act.tasks values ($1, $2, $3, 'task')", [id, tenant, a]);
      await c.query("insert into rest_act.tasks values (9, $1, $2, 'B only')", [tenant, b]);
      await c.query("select warden.flush_capture()");
    } finally {
      c.release();
    }
    const get = async (token: string, path: string) => {
      const res = await fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as any };
    };
    const aliceToken = await server.signToken(tenant, alice, 600);
    const page1 = await get(aliceToken, `/projects/${a}/activity?limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.entries.map((e: any) => e.summary)).toEqual([expect.stringMatching(/created task 3$/), expect.stringMatching(/created task 2$/)]);
    const n = page1.body.next;
    const page2 = await get(aliceToken, `/projects/${a}/activity?limit=2&before_occurred_at=${encodeURIComponent(n.before_occurred_at)}&before_event_id=${n.before_event_id}`);
    expect(page2.body.entries.map((e: any) => e.summary)).toEqual([expect.stringMatching(/created task 1$/)]);
    expect(page2.body.next).toBeNull();

    // attacks
    const theirs = await get(aliceToken, `/projects/${b}/activity`);
    expect(theirs.status).toBe(403);
    expect(JSON.stringify(theirs.body)).not.toContain("B only");
    const malloryToken = await server.signToken(other, mallory, 600);
    expect((await get(malloryToken, `/projects/${b}/activity`)).status).toBe(403);
    expect((await get(aliceToken, `/projects/${a}/activity?limit=0`)).status).toBe(400);

    const cli = await runWarden({}, "project", "activity", "--tenant", tenant, "--project", b, "--json");
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout).entries.map((e: any) => e.summary)).toEqual([expect.stringMatching(/created task 9$/)]);
  });
});
