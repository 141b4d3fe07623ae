/**
 * Request context in SQL: warden.set_context() for direct connections, the
 * helpers, and the database-role fallback when there is no context.
 */
import { actAs, closePools, createApiKey, createTenant, createUser, expectFailure, rolledBack } from "../support/db";

afterAll(closePools);

test("set_context sets the same settings the API sets, transaction-locally", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    const user = await createUser(c, tenant, "auditor");
    const { rows } = await c.query("select warden.set_context($1, $2, 'user', 'trace-abc', '{\"ip\": \"10.0.0.1\"}') as actor", [tenant, user]);
    expect(rows[0].actor).toEqual({
      type: "user",
      id: user,
      tenant_id: tenant,
      tenant_role: "auditor",
      trace_id: "trace-abc",
      extra: { ip: "10.0.0.1" },
    });
    const h = await c.query(
      "select warden.current_tenant_id() as t, warden.current_user_id() as u, warden.current_trace_id() as tr, warden.current_tenant_role() as r",
    );
    expect(h.rows[0]).toEqual({ t: tenant, u: user, tr: "trace-abc", r: "auditor" });
  });
  // transaction-local: gone in the next transaction on the same pool
  await rolledBack(async (c) => {
    const { rows } = await c.query("select warden.current_tenant_id() as t, warden.current_actor() ->> 'type' as type");
    expect(rows[0]).toEqual({ t: null, type: "db_role" });
  });
});

test("set_context resolves an API key's role and accepts an explicit role", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    const key = await createApiKey(c, tenant, "admin");
    await c.query("select warden.set_context($1, $2, 'api_key')", [tenant, key.id]);
    expect((await c.query("select warden.current_tenant_role() as r")).rows[0].r).toBe("admin");
    await c.query(`select warden.set_context($1, 'billing-service', 'service', null, '{"tenant_role": "auditor"}')`, [tenant]);
    const { rows } = await c.query("select warden.current_actor() as a, warden.current_user_id() as u");
    expect(rows[0].a).toMatchObject({ type: "service", id: "billing-service", tenant_role: "auditor" });
    expect(rows[0].a.extra).toBeUndefined();
    expect(rows[0].u).toBeNull();
  });
});

test("set_context rejects bad input with SQLSTATE 22023 and a message naming the problem", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    const cases: [unknown[], RegExp][] = [
      [[tenant, "x", "robot"], /invalid actor_type 'robot'/],
      [[tenant, "", "service"], /actor_id must be 1 to 256 characters/],
      [[tenant, "not-a-uuid", "user"], /is not a user id/],
      [[tenant, "svc", "service", "bad trace id"], /trace_id must be/],
    ];
    for (const [args, message] of cases) {
      const placeholders = args.map((_, i) => `$${i + 1}`).join(", ");
      const err = await expectFailure(c, `select warden.set_context(${placeholders})`, args);
      expect(err.code).toBe("22023");
      expect(err.message).toMatch(message);
    }
    const err = await expectFailure(c, `select warden.set_context($1, 'svc', 'service', null, '[1]')`, [tenant]);
    expect(err.message).toMatch(/extra must be a JSON object/);
    const role = await expectFailure(c, `select warden.set_context($1, 'svc', 'service', null, '{"tenant_role":"god"}')`, [tenant]);
    expect(role.message).toMatch(/invalid tenant_role 'god'/);
  });
});

test("without any context the actor is the database role, with application_name and client address", async () => {
  await rolledBack(async (c) => {
    await c.query("set local application_name = 'billing-cron'");
    const { rows } = await c.query("select warden.current_actor() as a");
    expect(rows[0].a).toMatchObject({ type: "db_role", id: "warden_owner", application_name: "billing-cron" });
    expect(rows[0].a.client_addr).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});

test("the visitor cannot call set_context to switch tenants", async () => {
  await rolledBack(async (c) => {
    const a = await createTenant(c);
    const b = await createTenant(c);
    const user = await createUser(c, a, "owner");
    await actAs(c, { tenantId: a, actorId: user, tenantRole: "owner" });
    const err = await expectFailure(c, "select warden.set_context($1, $2, 'user')", [b, user]);
    expect(err.code).toBe("42501");
    expect((await c.query("select warden.current_tenant_id() as t")).rows[0].t).toBe(a);
  });
});

test("has_project_role follows project roles, and tenant owners/admins count as project owners", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    const creator = await createUser(c, tenant, "member");
    const viewer = await createUser(c, tenant, "member");
    const admin = await createUser(c, tenant, "admin");
    await actAs(c, { tenantId: tenant, actorId: creator, tenantRole: "member" });
    const { rows } = await c.query("insert into warden.projects (name) values ('p') returning id");
    const project = rows[0].id;
    // the creator became project owner
    expect((await c.query("select warden.has_project_role($1, 'owner') as ok", [project])).rows[0].ok).toBe(true);
    await c.query("insert into warden.project_members (project_id, user_id, role) values ($1, $2, 'viewer')", [project, viewer]);
    const check = async (actor: string, role: string, tenantRole = "member") => {
      await c.query("reset role");
      await actAs(c, { tenantId: tenant, actorId: actor, tenantRole });
      return (await c.query("select warden.has_project_role($1, $2::warden.project_role) as ok", [project, role])).rows[0].ok;
    };
    expect(await check(viewer, "viewer")).toBe(true);
    expect(await check(viewer, "editor")).toBe(false);
    expect(await check(admin, "owner", "admin")).toBe(true);
    // a viewer cannot change the project or add members
    await c.query("reset role");
    await actAs(c, { tenantId: tenant, actorId: viewer, tenantRole: "member" });
    const upd = await c.query("update warden.projects set name = 'renamed' where id = $1", [project]);
    expect(upd.rowCount).toBe(0);
    const err = await expectFailure(c, "insert into warden.project_members (project_id, user_id, role) values ($1, $2, 'admin')", [project, admin]);
    expect(err.code).toBe("42501");
  });
});
