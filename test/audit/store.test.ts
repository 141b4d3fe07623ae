/**
 * The audit store itself: append-only for every role (attacked as the owner,
 * on the parent and on partitions, with a forged governance flag, as a
 * superuser), row-level security for readers, and partition maintenance.
 */
import pg from "pg";
import { actAs, closePools, createTenant, createUser, expectFailure, rolledBack, rootOnTestDatabase } from "../support/db";

afterAll(closePools);

async function oneEvent(c: pg.ClientBase, tenant: string | null, occurredAt?: string): Promise<string> {
  const { rows } = await c.query(
    `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, occurred_at)
     values ($1, 'test.event.written', 'test', 'write', 'system', 'system', coalesce($2::timestamptz, now())) returning event_id`,
    [tenant, occurredAt ?? null],
  );
  return rows[0].event_id;
}

test("UPDATE, DELETE and TRUNCATE fail for the owner, on the parent and on partitions", async () => {
  await rolledBack(async (c) => {
    await oneEvent(c, null);
    const partition = (await c.query(`select 'warden_private.' || warden_private.audit_partition_name(date_trunc('month', now() at time zone 'UTC')::date) as p`)).rows[0].p;
    const attacks = [
      "update warden.audit_events set actor_id = 'nobody'",
      "delete from warden.audit_events",
      "truncate warden.audit_events",
      `update ${partition} set actor_id = 'nobody'`,
      `delete from ${partition}`,
      `truncate ${partition}`,
      "truncate warden_private.audit_events_default",
    ];
    for (const sql of attacks) {
      const err = await expectFailure(c, sql);
      expect({ sql, code: err.code }).toEqual({ sql, code: "42501" });
      expect(err.message).toMatch(/append-only/);
    }
    // setting the governance flag by hand is not enough
    await c.query("set local warden.governance_operation = 'retention'");
    const err = await expectFailure(c, "delete from warden.audit_events");
    expect(err.message).toMatch(/append-only/);
    expect((await c.query("select count(*)::int as n from warden.audit_events where event_type = 'test.event.written'")).rows[0].n).toBe(1);
  });
});

test("a superuser without triggers disabled is refused too; sealed history is append-only", async () => {
  const c = new pg.Client({ connectionString: rootOnTestDatabase() });
  await c.connect();
  try {
    await c.query("begin");
    await oneEvent(c, null);
    const err = await expectFailure(c, "delete from warden.audit_events");
    expect(err.message).toMatch(/append-only/);
    await c.query(
      `insert into warden_private.seal_blocks (tenant_key, first_seq, last_seq, min_txid, max_txid, event_ids, leaf_prefixes, prev_hash, head_hash)
       values (gen_random_uuid(), 1, 1, 1, 1, array[gen_random_uuid()], '\\x0000000000000000', '\\x00', '\\x00')`,
    );
    await c.query(
      `insert into warden_private.seal_checkpoints (tenant_key, first_seq, last_seq, head_hash, signed_at, key_id, signature)
       values (gen_random_uuid(), 1, 1, '\\x00', now(), 'k', '\\x00')`,
    );
    for (const sql of ["delete from warden_private.seal_blocks", "update warden_private.seal_checkpoints set signature = '\\x00'"]) {
      const e = await expectFailure(c, sql);
      expect(e.message).toMatch(/append-only/);
    }
  } finally {
    await c.query("rollback");
    await c.end();
  }
});

test("row-level security: a tenant's owner, admin and auditor read its events; other roles and tenants read nothing", async () => {
  await rolledBack(async (c) => {
    const [a, b] = [await createTenant(c), await createTenant(c)];
    const mine = await oneEvent(c, a);
    await oneEvent(c, b);
    for (const role of ["owner", "admin", "auditor", "support", "member"]) {
      const user = await createUser(c, a, role);
      await actAs(c, { tenantId: a, actorId: user, tenantRole: role });
      const { rows } = await c.query("select event_id, tenant_id from warden.audit_events where event_type = 'test.event.written'");
      expect({ role, rows }).toEqual({
        role,
        rows: ["owner", "admin", "auditor"].includes(role) ? [{ event_id: mine, tenant_id: a }] : [],
      });
      // and the visitor can neither write nor change events
      const w = await expectFailure(c, "insert into warden.audit_events (event_type, category, action, actor_type, actor_id) values ('x.y', 'x', 'x', 'system', 'x')");
      expect(w.code).toBe("42501");
      const p = await expectFailure(c, "select * from warden_private.audit_events_default");
      expect(p.code).toBe("42501");
      await c.query("reset role");
    }
  });
});

test("far-past and far-future events land in the default partition and never fail; drain moves them out intact", async () => {
  await rolledBack(async (c) => {
    const initial = Number((await c.query("select default_rows from warden.partition_health() limit 1")).rows[0].default_rows);
    const past = await oneEvent(c, null, "1999-03-04T05:06:07Z");
    const future = await oneEvent(c, null, "2099-12-31T23:59:59Z");
    const where = await c.query(
      "select tableoid::regclass::text as part from warden.audit_events where event_id in ($1, $2)",
      [past, future],
    );
    expect(where.rows.map((r) => r.part)).toEqual(["warden_private.audit_events_default", "warden_private.audit_events_default"]);
    const before = await c.query("select default_rows from warden.partition_health() limit 1");
    expect(Number(before.rows[0].default_rows)).toBe(initial + 2);
    const snapshot = await c.query("select * from warden.audit_events where event_id in ($1, $2) order by occurred_at", [past, future]);

    const created = (await c.query("select warden.drain_default_partition() as n")).rows[0].n;
    expect(created).toBeGreaterThanOrEqual(2);
    const after = await c.query("select * from warden.audit_events where event_id in ($1, $2) order by occurred_at", [past, future]);
    expect(after.rows).toEqual(snapshot.rows); // nothing lost, nothing changed
    const parts = await c.query(
      "select tableoid::regclass::text as part from warden.audit_events where event_id in ($1, $2) order by occurred_at",
      [past, future],
    );
    expect(parts.rows.map((r) => r.part)).toEqual(["warden_private.audit_events_p199903", "warden_private.audit_events_p209912"]);
    const health = await c.query("select partition_name, range_start, is_default, default_rows from warden.partition_health()");
    expect(Number(health.rows[0].default_rows)).toBe(0);
    expect(health.rows.map((r) => r.partition_name)).toEqual(expect.arrayContaining(["audit_events_p199903", "audit_events_p209912", "audit_events_default"]));
    const dup = await c.query("select count(*)::int as n from warden.audit_events where event_id in ($1, $2)", [past, future]);
    expect(dup.rows[0].n).toBe(2);
  });
});

test("ensure_partitions premakes months ahead, is idempotent, and rejects nonsense", async () => {
  await rolledBack(async (c) => {
    await c.query("select warden.ensure_partitions(6)");
    expect((await c.query("select warden.ensure_partitions(6) as n")).rows[0].n).toBe(0);
    const h = await c.query("select distinct months_of_headroom from warden.partition_health()");
    expect(h.rows[0].months_of_headroom).toBeGreaterThanOrEqual(6);
    const err = await expectFailure(c, "select warden.ensure_partitions(-1)");
    expect(err.code).toBe("22023");
  });
});

test("ensure_partitions drains rows that wait in the default partition for a month it creates", async () => {
  await rolledBack(async (c) => {
    // a month beyond the premade range
    const far = (await c.query("select (date_trunc('month', now()) + interval '10 months')::timestamptz as t")).rows[0].t;
    const id = await oneEvent(c, null, far.toISOString());
    expect((await c.query("select tableoid::regclass::text as p from warden.audit_events where event_id = $1", [id])).rows[0].p).toBe(
      "warden_private.audit_events_default",
    );
    await c.query("select warden.ensure_partitions(11)");
    const p = (await c.query("select tableoid::regclass::text as p from warden.audit_events where event_id = $1", [id])).rows[0].p;
    expect(p).not.toBe("warden_private.audit_events_default");
  });
});

test("the seed design's audit_logs maps onto the store; a system actor has actor_id system", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    const { rows } = await c.query(
      `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, user_agent, resource_type, resource_id, event_data)
       values ($1, 'auth.session.revoked', 'auth', 'revoke', 'user', 'u-1', '10.1.2.3', 'ua/1', 'session', 's-9', '{"reason": "logout"}') returning event_id`,
      [tenant],
    );
    const log = await c.query("select * from warden.audit_logs where id = $1", [rows[0].event_id]);
    expect(log.rows[0]).toMatchObject({
      actor_id: "u-1",
      actor_type: "user",
      action: "revoke",
      target_type: "session",
      target_id: "s-9",
      metadata: { reason: "logout" },
      ip_address: "10.1.2.3",
      user_agent: "ua/1",
      tenant_id: tenant,
    });
    const err = await expectFailure(
      c,
      "insert into warden.audit_events (event_type, category, action, actor_type, actor_id) values ('x.y', 'x', 'x', 'system', 'cron')",
    );
    expect(err.code).toBe("23514");
    expect(err.message).toMatch(/audit_events_system_actor/);
  });
});
