/**
 * Soft delete: DELETE marks rows, reads stop seeing them, warden.restore()
 * and warden.purge() (and the worker) finish the job, each step audited.
 * Attacked: other tenants, a forged operation setting, hand-made marks.
 */
import type pg from "pg";
import { runTaskListOnce } from "graphile-worker";
import { onceTaskList } from "../support/onceTaskList";
import { actAs, actAsOwner, closePools, createTenant, createUser, expectFailure, flushCapture, ownerPool, rolledBack, testSealingKey } from "../support/db";

afterAll(closePools);

const taskList = onceTaskList({ sealingKey: testSealingKey() });

interface World {
  a: string;
  b: string;
  adminA: string;
  adminB: string;
}

/** A tenant table in the pattern of Warden's own (RLS forced, owner maintenance, tenant policies), audited and soft-deleting. */
async function world(c: pg.ClientBase, table = "sd_app.notes", options: object = {}): Promise<World> {
  await c.query("create schema if not exists sd_app");
  await c.query("grant usage on schema sd_app to warden_visitor");
  await c.query(`create table ${table} (id integer primary key, tenant_id uuid not null default warden.current_tenant_id(), body text)`);
  await c.query(`alter table ${table} enable row level security; alter table ${table} force row level security`);
  await c.query(`create policy owner_maintenance on ${table} to warden_owner using (true) with check (true)`);
  await c.query(`create policy tenant_rows on ${table} to warden_visitor
                 using (tenant_id = warden.current_tenant_id()) with check (tenant_id = warden.current_tenant_id())`);
  await c.query(`grant select, insert, update (body), delete on ${table} to warden_visitor`);
  await c.query("select warden.enable_auditing($1)", [table]);
  await c.query("select warden.enable_soft_delete($1, $2)", [table, JSON.stringify(options)]);
  const a = await createTenant(c);
  const b = await createTenant(c);
  const adminA = await createUser(c, a, "admin");
  const adminB = await createUser(c, b, "admin");
  await c.query(`insert into ${table} (id, tenant_id, body) values (1, $1, 'a1'), (2, $1, 'a2'), (3, $2, 'b3')`, [a, b]);
  return { a, b, adminA, adminB };
}

/** The table's rows including soft-deleted ones (the owner stops forcing RLS on itself, inside the rolled-back test). */
async function allRows(c: pg.ClientBase, table = "sd_app.notes"): Promise<any[]> {
  await actAsOwner(c);
  await c.query(`alter table ${table} no force row level security`);
  const { rows } = await c.query(`select id, deleted_at is not null as deleted, deleted_by from ${table} order by id`);
  await c.query(`alter table ${table} force row level security`);
  return rows;
}

async function visibleIds(c: pg.ClientBase, table = "sd_app.notes"): Promise<number[]> {
  const { rows } = await c.query(`select id from ${table} order by id`);
  return rows.map((r) => r.id);
}

test("DELETE marks the row (deleted_at, deleted_by = the actor) and normal reads no longer see it", async () => {
  await rolledBack(async (c) => {
    const w = await world(c);
    await actAs(c, { tenantId: w.a, actorId: w.adminA, tenantRole: "admin" });
    const del = await c.query("delete from sd_app.notes where id = 1");
    expect(del.rowCount).toBe(0); // the row was marked, not deleted
    expect(await visibleIds(c)).toEqual([2]);
    // Not reachable by id, by update or by a second delete either.
    expect((await c.query("select * from sd_app.notes where id = 1")).rows).toEqual([]);
    expect((await c.query("update sd_app.notes set body = 'x' where id = 1")).rowCount).toBe(0);
    // Warden's owner (RLS forced on it here) does not see it either.
    await actAsOwner(c);
    expect(await visibleIds(c)).toEqual([1, 2, 3].filter((id) => id !== 1));
    expect(await allRows(c)).toEqual([
      { id: 1, deleted: true, deleted_by: w.adminA },
      { id: 2, deleted: false, deleted_by: null },
      { id: 3, deleted: false, deleted_by: null },
    ]);
  });
});

test("restore brings the row back; purge removes it for good; the audit trail shows soft_delete, restore and purge as distinct, attributable events", async () => {
  await rolledBack(async (c) => {
    const w = await world(c);
    await actAs(c, { tenantId: w.a, actorId: w.adminA, tenantRole: "admin", traceId: "trace-sd-1" });
    await c.query("delete from sd_app.notes where id = 1");
    expect((await c.query(`select warden.restore('sd_app.notes', '{"id": 1}') as ok`)).rows[0].ok).toBe(true);
    expect(await visibleIds(c)).toEqual([1, 2]);
    expect((await c.query("select body from sd_app.notes where id = 1")).rows).toEqual([{ body: "a1" }]);
    // Restoring a live row is not a restore.
    const again = await expectFailure(c, `select warden.restore('sd_app.notes', '{"id": 1}')`);
    expect(again.code).toBe("P0002");
    await c.query("delete from sd_app.notes where id = 1");
    expect((await c.query(`select warden.purge('sd_app.notes', '{"id": 1}') as ok`)).rows[0].ok).toBe(true);
    await actAsOwner(c);
    expect(await allRows(c)).toEqual([
      { id: 2, deleted: false, deleted_by: null },
      { id: 3, deleted: false, deleted_by: null },
    ]);
    const { rows } = await c.query(
      `select event_type, action, category, actor_type::text, actor_id, tenant_id, resource_id, row_pk, trace_id, event_data ->> 'operation' as op
       from warden.audit_events where table_name = 'sd_app.notes' and category = 'governance'
       order by recorded_at, event_id`,
    );
    const base = { category: "governance", actor_type: "user", actor_id: w.adminA, tenant_id: w.a, resource_id: "1", row_pk: { id: 1 }, trace_id: "trace-sd-1" };
    expect(rows).toEqual([
      { ...base, event_type: "governance.soft_delete", action: "soft_delete", op: "soft_delete" },
      { ...base, event_type: "governance.restore", action: "restore", op: "restore" },
      { ...base, event_type: "governance.soft_delete", action: "soft_delete", op: "soft_delete" },
      { ...base, event_type: "governance.purge", action: "purge", op: "purge" },
    ]);
    // The audited table's own events: the mark as updates, the purge as the delete.
    await flushCapture(c);
    const data = await c.query(
      `select action, changed_fields, actor_id from warden.audit_events
       where table_name = 'sd_app.notes' and category = 'data' and row_pk = '{"id": 1}' and action <> 'insert' order by recorded_at, event_id`,
    );
    expect(data.rows).toEqual([
      { action: "update", changed_fields: ["deleted_at", "deleted_by"], actor_id: w.adminA },
      { action: "update", changed_fields: ["deleted_at", "deleted_by"], actor_id: w.adminA },
      { action: "update", changed_fields: ["deleted_at", "deleted_by"], actor_id: w.adminA },
      { action: "delete", changed_fields: null, actor_id: w.adminA },
    ]);
  });
});

test("a visitor cannot restore or purge another tenant's rows, nor see them", async () => {
  await rolledBack(async (c) => {
    const w = await world(c);
    await actAs(c, { tenantId: w.b, actorId: w.adminB, tenantRole: "admin" });
    await c.query("delete from sd_app.notes where id = 3");
    // Tenant A's admin attacks B's soft-deleted row.
    await actAsOwner(c);
    await actAs(c, { tenantId: w.a, actorId: w.adminA, tenantRole: "admin" });
    expect((await expectFailure(c, `select warden.restore('sd_app.notes', '{"id": 3}')`)).code).toBe("P0002");
    expect((await expectFailure(c, `select warden.purge('sd_app.notes', '{"id": 3}')`)).code).toBe("P0002");
    // Nor can A soft-delete, restore or purge B's live rows through a plain DELETE.
    expect((await c.query("delete from sd_app.notes where id = 3")).rowCount).toBe(0);
    await actAsOwner(c);
    expect(await allRows(c)).toContainEqual({ id: 3, deleted: true, deleted_by: w.adminB });
    const events = await c.query(
      "select action, actor_id from warden.audit_events where table_name = 'sd_app.notes' and category = 'governance' and resource_id = '3'",
    );
    expect(events.rows).toEqual([{ action: "soft_delete", actor_id: w.adminB }]);
  });
});

test("a forged operation setting reveals nothing, and the mark cannot be set or cleared by hand", async () => {
  await rolledBack(async (c) => {
    const w = await world(c);
    await actAs(c, { tenantId: w.a, actorId: w.adminA, tenantRole: "admin" });
    await c.query("grant update (deleted_at, deleted_by) on sd_app.notes to warden_visitor").catch(() => undefined);
    await c.query("delete from sd_app.notes where id = 1");
    for (const op of ["restore", "purge", "soft_delete"]) {
      await c.query("select set_config('warden.soft_delete_operation', $1, true)", [op]);
      expect(await visibleIds(c)).toEqual([2]);
      // A DELETE with the forged setting soft-deletes as usual (no purge).
      expect((await c.query("delete from sd_app.notes where id = 1")).rowCount).toBe(0);
    }
    await c.query("select set_config('warden.soft_delete_operation', '', true)");
    await actAsOwner(c);
    await c.query("grant update (deleted_at, deleted_by) on sd_app.notes to warden_visitor");
    await actAs(c, { tenantId: w.a, actorId: w.adminA, tenantRole: "admin" });
    // Marking a live row by hand is refused (restrictive policy, then the guard trigger).
    const mark = await expectFailure(c, "update sd_app.notes set deleted_at = now() where id = 2");
    expect(mark.code).toBe("42501");
    const by = await expectFailure(c, "update sd_app.notes set deleted_by = 'someone' where id = 2");
    expect(by.code).toBe("42501");
    expect(by.message).toMatch(/change only by DELETE/);
    // Even the table's owner cannot clear the mark behind the audit trail's back.
    await actAsOwner(c);
    await c.query("alter table sd_app.notes no force row level security");
    const clear = await expectFailure(c, "update sd_app.notes set deleted_at = null where id = 1");
    expect(clear.code).toBe("42501");
    // The internals cannot be called directly.
    await actAs(c, { tenantId: w.a, actorId: w.adminA, tenantRole: "admin" });
    const internal = await expectFailure(c, "select warden_private.purge_soft_deleted('sd_app.notes', '0', 10)");
    expect(internal.code).toBe("42501");
  });
});

test("enable_soft_delete is idempotent, validates its options and the table, and disable turns DELETE back into a delete", async () => {
  await rolledBack(async (c) => {
    const w = await world(c, "sd_app.notes", { purge_after: "7 days" });
    const again = await c.query(`select warden.enable_soft_delete('sd_app.notes', '{"purge_after": "2 days"}') as o`);
    expect(again.rows[0].o).toEqual({ purge_after: "2 days", tenant_column: "tenant_id", primary_key: ["id"] });
    expect((await c.query("select warden.enable_soft_delete('sd_app.notes') as o")).rows[0].o.purge_after).toBeNull();
    const objects = await c.query(
      `select (select count(*)::int from pg_trigger where tgrelid = 'sd_app.notes'::regclass and tgname like '\\_050\\_soft\\_delete%') as triggers,
              (select count(*)::int from pg_policy where polrelid = 'sd_app.notes'::regclass and polname like 'warden\\_soft\\_delete%') as policies,
              (select count(*)::int from pg_attribute where attrelid = 'sd_app.notes'::regclass and attname in ('deleted_at', 'deleted_by')) as columns,
              (select count(*)::int from warden_private.soft_delete_tables where target = 'sd_app.notes'::regclass) as registered`,
    );
    // RLS was already on: no allow-everything policy was added.
    expect(objects.rows[0]).toEqual({ triggers: 2, policies: 2, columns: 2, registered: 1 });

    await c.query("create table sd_app.nopk (x int)");
    expect((await expectFailure(c, "select warden.enable_soft_delete('sd_app.nopk')")).code).toBe("22023");
    expect((await expectFailure(c, `select warden.enable_soft_delete('sd_app.notes', '{"purge_afterr": "1 day"}')`)).code).toBe("22023");
    expect((await expectFailure(c, `select warden.enable_soft_delete('sd_app.notes', '{"purge_after": "soon"}')`)).code).toBe("22023");
    expect((await expectFailure(c, `select warden.enable_soft_delete('sd_app.notes', '{"purge_after": "-1 day"}')`)).code).toBe("22023");
    expect((await expectFailure(c, "select warden.enable_soft_delete('warden.audit_events')")).code).toBe("42809");
    await c.query("create table sd_app.badcol (id int primary key, deleted_at date)");
    expect((await expectFailure(c, "select warden.enable_soft_delete('sd_app.badcol')")).code).toBe("42804");
    expect((await expectFailure(c, `select warden.restore('sd_app.nopk', '{"x": 1}')`)).code).toBe("22023");
    expect((await expectFailure(c, `select warden.restore('sd_app.notes', '{"nope": 1}')`)).code).toBe("22023");
    expect((await expectFailure(c, `select warden.restore('sd_app.notes', '{"id": {"a": 1}}')`)).code).toBe("22023");

    expect((await c.query("select warden.disable_soft_delete('sd_app.notes') as was")).rows[0].was).toBe(true);
    expect((await c.query("select warden.disable_soft_delete('sd_app.notes') as was")).rows[0].was).toBe(false);
    await actAs(c, { tenantId: w.a, actorId: w.adminA, tenantRole: "admin" });
    expect((await c.query("delete from sd_app.notes where id = 1")).rowCount).toBe(1);
    await actAsOwner(c);
    expect((await c.query("select count(*)::int as n from warden_private.soft_delete_tables where target = 'sd_app.notes'::regclass")).rows[0].n).toBe(0);
  });
});

test("a table without row-level security gets it with an allow-everything policy, and loses it again on disable", async () => {
  await rolledBack(async (c) => {
    await c.query("create schema if not exists sd_app");
    await c.query("create table sd_app.plain (id int primary key, body text)");
    await c.query("insert into sd_app.plain values (1, 'x'), (2, 'y')");
    await c.query("grant usage on schema sd_app to warden_visitor");
    await c.query("grant select, delete on sd_app.plain to warden_visitor");
    await c.query("select warden.enable_soft_delete('sd_app.plain')");
    await c.query("set local role warden_visitor");
    await c.query("delete from sd_app.plain where id = 1");
    expect(await visibleIds(c, "sd_app.plain")).toEqual([2]);
    await actAsOwner(c);
    // Not forced: the table's owner still sees everything, including the mark.
    expect((await c.query("select id, deleted_by from sd_app.plain order by id")).rows).toEqual([
      { id: 1, deleted_by: "warden_owner" }, // no request context: the database role (session user)
      { id: 2, deleted_by: null },
    ]);
    await c.query("select warden.disable_soft_delete('sd_app.plain')");
    const rls = await c.query("select relrowsecurity from pg_class where oid = 'sd_app.plain'::regclass");
    expect(rls.rows[0].relrowsecurity).toBe(false);
  });
});

test("composite primary keys: soft delete, restore and purge name the row by every key column", async () => {
  await rolledBack(async (c) => {
    await c.query("create schema if not exists sd_app");
    await c.query("grant usage on schema sd_app to warden_visitor");
    await c.query(`create table sd_app.lines (order_id uuid, line_no integer, tenant_id uuid not null, qty integer,
                   primary key (order_id, line_no))`);
    await c.query("alter table sd_app.lines enable row level security");
    await c.query("create policy tenant_rows on sd_app.lines to warden_visitor using (tenant_id = warden.current_tenant_id())");
    await c.query("grant select, delete on sd_app.lines to warden_visitor");
    await c.query("select warden.enable_soft_delete('sd_app.lines')");
    const t = await createTenant(c);
    const u = await createUser(c, t, "admin");
    const order = "5b0f2a39-7a38-4b1a-9f3c-0a4e7d7c0001";
    await c.query("insert into sd_app.lines values ($1, 1, $2, 5), ($1, 2, $2, 7)", [order, t]);
    await actAs(c, { tenantId: t, actorId: u, tenantRole: "admin" });
    await c.query("delete from sd_app.lines where order_id = $1", [order]);
    expect((await c.query("select count(*)::int as n from sd_app.lines")).rows[0].n).toBe(0);
    expect((await expectFailure(c, "select warden.restore('sd_app.lines', $1)", [{ order_id: order }])).code).toBe("22023");
    await c.query("select warden.restore('sd_app.lines', $1)", [{ order_id: order, line_no: 2 }]);
    expect((await c.query("select line_no, qty from sd_app.lines")).rows).toEqual([{ line_no: 2, qty: 7 }]);
    await c.query("select warden.purge('sd_app.lines', $1)", [{ order_id: order, line_no: 1 }]);
    await actAsOwner(c);
    const { rows } = await c.query(
      `select action, resource_id, row_pk, tenant_id from warden.audit_events
       where table_name = 'sd_app.lines' and category = 'governance' order by recorded_at, (row_pk ->> 'line_no')`,
    );
    expect(rows).toEqual([
      { action: "soft_delete", resource_id: JSON.stringify({ line_no: 1, order_id: order }).replace(/,/g, ", ").replace(/:/g, ": "), row_pk: { order_id: order, line_no: 1 }, tenant_id: t },
      { action: "soft_delete", resource_id: expect.any(String), row_pk: { order_id: order, line_no: 2 }, tenant_id: t },
      { action: "restore", resource_id: expect.any(String), row_pk: { order_id: order, line_no: 2 }, tenant_id: t },
      { action: "purge", resource_id: expect.any(String), row_pk: { order_id: order, line_no: 1 }, tenant_id: t },
    ]);
  });
});

test("the worker purges rows soft-deleted longer than purge_after, in bounded batches, as Warden itself", async () => {
  await rolledBack(async (c) => {
    const w = await world(c, "sd_app.notes", { purge_after: "7 days" });
    await c.query("insert into sd_app.notes (id, tenant_id, body) select g, $1, 'bulk' from generate_series(10, 34) g", [w.a]);
    await actAs(c, { tenantId: w.a, actorId: w.adminA, tenantRole: "admin" });
    await c.query("delete from sd_app.notes where id >= 10 or id = 1");
    await c.query("delete from sd_app.notes where id = 2");
    // Backdate the marks of 1 and 10..34 (the owner, with the guard and RLS forcing off, inside this test only).
    await actAsOwner(c);
    await c.query("alter table sd_app.notes no force row level security");
    await c.query("alter table sd_app.notes disable trigger _050_soft_delete_guard");
    await c.query("update sd_app.notes set deleted_at = now() - interval '8 days' where id = 1 or id >= 10");
    await c.query("alter table sd_app.notes enable trigger _050_soft_delete_guard");
    await c.query("alter table sd_app.notes force row level security");
    // A second table with the default period (SOFT_DELETE_PURGE_DAYS; the payload overrides it to 1 day here).
    await c.query("create table sd_app.other (id int primary key)");
    await c.query("insert into sd_app.other values (1), (2)");
    await c.query("select warden.enable_soft_delete('sd_app.other')");
    await c.query("delete from sd_app.other");
    await c.query("alter table sd_app.other disable trigger _050_soft_delete_guard");
    await c.query("update sd_app.other set deleted_at = now() - interval '2 days' where id = 1");
    await c.query("alter table sd_app.other enable trigger _050_soft_delete_guard");

    // The worker has no request context: forget the one actAs left in this transaction.
    await c.query("select set_config('jwt.claims.actor_id', '', true), set_config('jwt.claims.actor_type', '', true), set_config('jwt.claims.tenant_id', '', true)");
    await c.query(`select graphile_worker.add_job('purge_soft_deleted', '{"batch_size": 10, "max_batches": 2, "default_purge_days": 1}'::json)`);
    await runTaskListOnce({ pgPool: ownerPool() }, taskList, c);
    // Bounded: 2 batches of 10 this run, oldest first.
    expect((await allRows(c)).filter((r) => r.deleted).length).toBe(26 + 1 - 20);
    await c.query(`select graphile_worker.add_job('purge_soft_deleted', '{"batch_size": 10, "max_batches": 2, "default_purge_days": 1}'::json)`);
    await runTaskListOnce({ pgPool: ownerPool() }, taskList, c);
    // Only the row soft-deleted a moment ago is left (purge_after 7 days); live rows are untouched.
    expect(await allRows(c)).toEqual([
      { id: 2, deleted: true, deleted_by: w.adminA },
      { id: 3, deleted: false, deleted_by: null },
    ]);
    expect((await c.query("select id, deleted_at is not null as d from sd_app.other order by id")).rows).toEqual([{ id: 2, d: true }]);
    const { rows } = await c.query(
      `select count(*)::int as n, min(actor_type::text) as actor_type, min(actor_id) as actor_id, min(service) as service,
              count(distinct tenant_id)::int as tenants, bool_and(tenant_id = $1) as tenant_a
       from warden.audit_events where table_name = 'sd_app.notes' and action = 'purge'`,
      [w.a],
    );
    expect(rows[0]).toEqual({ n: 26, actor_type: "system", actor_id: "system", service: "warden-worker", tenants: 1, tenant_a: true });
    await flushCapture(c);
    const deletes = await c.query("select count(*)::int as n, min(actor_id) as actor from warden.audit_events where table_name = 'sd_app.notes' and action = 'delete'");
    expect(deletes.rows[0]).toEqual({ n: 26, actor: "system" });
  });
});
