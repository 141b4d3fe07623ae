/**
 * Tamper evidence, attacked: seal, then edit a payload, delete a row, insert
 * a forged row, swap two rows, forge a checkpoint; each is detected and
 * pinpointed. Attacks run as a superuser with triggers disabled
 * (session_replication_role = replica), i.e. the strongest database-side
 * attacker, who still lacks the signing key.
 */
import pg from "pg";
import { generateSealingKey } from "../../src/audit/sealingKey";
import { sealOnce } from "../../src/audit/sealer";
import { verifyTrail } from "../../src/audit/verifier";
import { asTriggerlessSuperuser, closePools, createTenant, ownerPool, rootOnTestDatabase, rootUrl, testSealingKey } from "../support/db";
import { withDatabase } from "../../src/db/urls";

const key = testSealingKey();
let tenant: string;
let other: string;

beforeAll(async () => {
  const c = await ownerPool().connect();
  try {
    tenant = await createTenant(c, "seal tenant");
    other = await createTenant(c, "other tenant");
    await c.query(`create schema if not exists seal_app;
      create table if not exists seal_app.notes (id int primary key, tenant_id uuid not null, body text);
      select warden.enable_auditing('seal_app.notes');`);
    await c.query("insert into seal_app.notes select g, $1, 'note ' || g from generate_series(1, 30) g", [tenant]);
    await c.query("insert into seal_app.notes select g, $1, 'other ' || g from generate_series(101, 110) g", [other]);
    await c.query("update seal_app.notes set body = body || '!' where id <= 5");
    const r = await sealOnce(c, key, { blockSize: 8 });
    expect(r.sealed).toBeGreaterThanOrEqual(45);
  } finally {
    c.release();
  }
});

afterAll(closePools);

async function eventsOf(c: pg.ClientBase, t: string): Promise<{ event_id: string; seq: number }[]> {
  const { rows } = await c.query(
    `select u.id::text as event_id, (b.first_seq + u.ord - 1)::int as seq
     from warden_private.seal_blocks b cross join lateral unnest(b.event_ids) with ordinality u(id, ord)
     where b.tenant_key = $1 order by 2`,
    [t],
  );
  return rows;
}

test("an untouched trail verifies, per tenant and as a whole", async () => {
  const c = await ownerPool().connect();
  try {
    const all = await verifyTrail(c, key);
    expect(all.first_bad).toBeNull();
    expect(all.ok).toBe(true);
    expect(all.events_verified).toBeGreaterThanOrEqual(45);
    const count = await c.query("select count(*)::int as n from warden.audit_events where tenant_id = $1", [tenant]);
    expect(count.rows[0].n).toBeGreaterThanOrEqual(35); // 30 inserts + 5 updates (+ the tenant's own creation)
    const one = await verifyTrail(c, key, { tenantId: tenant });
    expect(one).toMatchObject({ ok: true, tenants: 1, events_verified: count.rows[0].n, checkpoints_verified: 1 });
    // blocks of 8 events, one checkpoint per tenant per pass
    const blocks = await c.query("select count(*)::int as n from warden_private.seal_blocks where tenant_key = $1", [tenant]);
    expect(blocks.rows[0].n).toBe(Math.ceil(count.rows[0].n / 8));
  } finally {
    c.release();
  }
});

test("checkpoints are taken in sequence order, past single digits (seq 9 before seq 10)", async () => {
  const c = await ownerPool().connect();
  try {
    const t = await createTenant(c, "many passes");
    for (let i = 0; i < 12; i++) {
      await c.query("insert into seal_app.notes values ($1, $2, 'p')", [1000 + i, t]);
      await sealOnce(c, key);
    }
    const v = await verifyTrail(c, key, { tenantId: t });
    expect(v.first_bad).toBeNull();
    expect(v.checkpoints_verified).toBeGreaterThanOrEqual(12);
  } finally {
    c.release();
  }
});

test("a second pass seals only new events and extends the chain", async () => {
  const c = await ownerPool().connect();
  try {
    await c.query("insert into seal_app.notes values (31, $1, 'late')", [tenant]);
    const r = await sealOnce(c, key);
    expect(r.sealed).toBe(1);
    const again = await sealOnce(c, key);
    expect(again.sealed).toBe(0);
    const count = await c.query("select count(*)::int as n from warden.audit_events where tenant_id = $1", [tenant]);
    const v = await verifyTrail(c, key, { tenantId: tenant });
    expect(v).toMatchObject({ ok: true, events_verified: count.rows[0].n, checkpoints_verified: 2 });
  } finally {
    c.release();
  }
});

test("draining the default partition keeps the sealed chain verifiable", async () => {
  const c = await ownerPool().connect();
  try {
    await c.query(
      // far in the past (no monthly partition: the default one), through the audited backfill path
      `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, occurred_at, event_data)
       values ($1, 'test.far.future', 'test', 'write', 'system', 'system', '1998-06-01T00:00:00Z',
               '{"backfill": {"by": {"type": "api_key", "id": "test"}, "at": "2026-12-05T00:00:00Z"}}')`,
      [tenant],
    );
    await sealOnce(c, key);
    await c.query("begin");
    expect((await c.query("select warden.drain_default_partition() as n")).rows[0].n).toBeGreaterThanOrEqual(1);
    const moved = await c.query("select tableoid::regclass::text as p from warden.audit_events where event_type = 'test.far.future'");
    expect(moved.rows[0].p).toBe("warden_private.audit_events_p199806");
    const v = await verifyTrail(c, key, { tenantId: tenant, inTransaction: true });
    expect(v.ok).toBe(true);
    await c.query("rollback");
  } finally {
    c.release();
  }
});

test("editing a payload is detected at its sequence number", async () => {
  await asTriggerlessSuperuser(async (c) => {
    const target = (await eventsOf(c, tenant))[11];
    await c.query("update warden.audit_events set new_values = jsonb_set(new_values, '{body}', '\"forged\"') where event_id = $1", [target.event_id]);
    const v = await verifyTrail(c, key, { tenantId: tenant, inTransaction: true });
    expect(v.ok).toBe(false);
    expect(v.first_bad).toMatchObject({ seq: target.seq, reason: "modified", event_id: target.event_id });
  });
});

test("editing an envelope field (the actor's outcome) is detected", async () => {
  await asTriggerlessSuperuser(async (c) => {
    const target = (await eventsOf(c, tenant))[3];
    await c.query("update warden.audit_events set outcome = 'failure' where event_id = $1", [target.event_id]);
    const v = await verifyTrail(c, key, { tenantId: tenant, inTransaction: true });
    expect(v.first_bad).toMatchObject({ seq: target.seq, reason: "modified" });
  });
});

test("deleting a row is detected as missing", async () => {
  await asTriggerlessSuperuser(async (c) => {
    const target = (await eventsOf(c, tenant))[20];
    await c.query("delete from warden.audit_events where event_id = $1", [target.event_id]);
    const v = await verifyTrail(c, key, { tenantId: tenant, inTransaction: true });
    expect(v.first_bad).toMatchObject({ seq: target.seq, reason: "missing", event_id: target.event_id });
  });
});

test("moving a sealed event to another tenant is detected: modified in its own chain, inserted in the other's", async () => {
  await asTriggerlessSuperuser(async (c) => {
    const target = (await eventsOf(c, tenant))[9];
    await c.query("update warden.audit_events set tenant_id = $2 where event_id = $1", [target.event_id, other]);
    const own = await verifyTrail(c, key, { tenantId: tenant, inTransaction: true });
    expect(own.first_bad).toMatchObject({ seq: target.seq, reason: "modified", event_id: target.event_id, detail: "the event was moved to another tenant" });
    const theirs = await verifyTrail(c, key, { tenantId: other, inTransaction: true });
    expect(theirs.first_bad).toMatchObject({ reason: "inserted", event_id: target.event_id });
  });
});

test("a forged row inserted into the sealed past is detected as inserted", async () => {
  await asTriggerlessSuperuser(async (c) => {
    const events = await eventsOf(c, tenant);
    const victim = await c.query("select occurred_at, txid from warden.audit_events where event_id = $1", [events[9].event_id]);
    await c.query(
      `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, occurred_at, txid, table_name)
       values ($1, 'db.seal_app.notes.delete', 'data', 'delete', 'user', 'mallory', $2::timestamptz - interval '1 microsecond', $3, 'seal_app.notes')`,
      [tenant, victim.rows[0].occurred_at, victim.rows[0].txid],
    );
    const v = await verifyTrail(c, key, { tenantId: tenant, inTransaction: true });
    expect(v.ok).toBe(false);
    expect(v.first_bad?.reason).toBe("inserted");
    expect(v.first_bad?.seq).toBeLessThanOrEqual(events[9].seq);
  });
});

test("swapping two rows' places is detected as reordered", async () => {
  await asTriggerlessSuperuser(async (c) => {
    const events = await eventsOf(c, tenant);
    // an insert (early transaction) and an update (later transaction)
    const a = events[1];
    const b = events.find((e, i) => i > 30)!;
    await c.query(
      `with orig as (select event_id, occurred_at, txid from warden.audit_events where event_id in ($1, $2))
       update warden.audit_events e set occurred_at = o.occurred_at, txid = o.txid
       from orig o where o.event_id <> e.event_id and e.event_id in ($1, $2)`,
      [a.event_id, b.event_id],
    );
    const v = await verifyTrail(c, key, { tenantId: tenant, inTransaction: true });
    expect(v.ok).toBe(false);
    expect(v.first_bad).toMatchObject({ seq: a.seq, reason: "reordered", event_id: a.event_id });
  });
});

test("a forged checkpoint (changed head or range, or a new one) fails its signature", async () => {
  await asTriggerlessSuperuser(async (c) => {
    await c.query("update warden_private.seal_checkpoints set head_hash = sha256(head_hash) where tenant_key = $1 and first_seq = 1", [tenant]);
    const v = await verifyTrail(c, key, { tenantId: tenant, inTransaction: true });
    expect(v.first_bad).toMatchObject({ seq: 1, reason: "bad_signature" });
  });
  await asTriggerlessSuperuser(async (c) => {
    // rewrite a sealed event AND the whole sealed chain consistently: only the signature can tell
    const target = (await eventsOf(c, tenant))[0];
    await c.query("update warden.audit_events set actor_id = 'mallory' where event_id = $1", [target.event_id]);
    const forger = generateSealingKey();
    await c.query("delete from warden_private.seal_checkpoints where tenant_key = $1", [tenant]);
    await c.query("delete from warden_private.seal_blocks where tenant_key = $1", [tenant]);
    await c.query("delete from warden_private.seal_heads where tenant_key = $1", [tenant]);
    await c.query("update warden_private.seal_state set watermark = 0");
    await sealOnce(c, forger, { inTransaction: true }); // resealed with the attacker's own key
    const v = await verifyTrail(c, key, { tenantId: tenant, inTransaction: true });
    expect(v.first_bad).toMatchObject({ seq: 1, reason: "bad_signature" });
  });
});

test("the other tenant's chain is unaffected by tampering in this one", async () => {
  await asTriggerlessSuperuser(async (c) => {
    const target = (await eventsOf(c, tenant))[2];
    await c.query("delete from warden.audit_events where event_id = $1", [target.event_id]);
    expect((await verifyTrail(c, key, { tenantId: other, inTransaction: true })).ok).toBe(true);
    expect((await verifyTrail(c, key, { inTransaction: true })).ok).toBe(false);
  });
});

test("the sealing horizon: a long transaction in another database does not hold sealing back; one in this database does", async () => {
  const other = new pg.Client({ connectionString: withDatabase(rootUrl(), "postgres") });
  const here = new pg.Client({ connectionString: rootOnTestDatabase() });
  await other.connect();
  await here.connect();
  const c = await ownerPool().connect();
  try {
    await other.query("begin");
    await other.query("select pg_current_xact_id()"); // a writing transaction elsewhere, left open
    await c.query("insert into seal_app.notes values (5001, $1, 'during other')", [tenant]);
    expect((await sealOnce(c, key)).sealed).toBeGreaterThanOrEqual(1);

    await here.query("begin");
    await here.query("insert into seal_app.notes values (5002, $1, 'slow writer')", [tenant]); // open, in this database
    await c.query("insert into seal_app.notes values (5003, $1, 'after slow writer')", [tenant]);
    const blocked = await sealOnce(c, key);
    expect(blocked.sealed).toBe(0); // 5003's transaction is newer than the open one
    await here.query("commit");
    const released = await sealOnce(c, key);
    expect(released.sealed).toBe(2);
    expect((await verifyTrail(c, key, { tenantId: tenant })).ok).toBe(true);
  } finally {
    await other.query("rollback").catch(() => undefined);
    await other.end();
    await here.end();
    c.release();
  }
});
