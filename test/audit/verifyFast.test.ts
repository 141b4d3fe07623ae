/**
 * The fast verification walk (src/audit/verifier.ts, fastRows) only ever
 * answers "no problem" or hands over to the exact walk. Attacked here where
 * it differs from the exact walk: it joins events to positions in this
 * process, by windows of blocks and their transaction ranges, trusts
 * PostgreSQL's leaf prefixes, and rules out strays by a count.
 */
import { sealOnce } from "../../src/audit/sealer";
import { verifierStats, verifierTuning, verifyTrail } from "../../src/audit/verifier";
import { asTriggerlessSuperuser, closePools, createTenant, ownerPool, testSealingKey } from "../support/db";

const key = testSealingKey();
let tenant: string;
const savedWindow = verifierTuning.fastWindow;

beforeAll(async () => {
  // windows of at most 6 positions over blocks of 4: every window but the last holds one block
  verifierTuning.fastWindow = 6;
  const c = await ownerPool().connect();
  try {
    tenant = await createTenant(c, "fast verify tenant");
    await c.query(`create schema if not exists fastv_app;
      create table if not exists fastv_app.notes (id int primary key, tenant_id uuid not null, body text);
      select warden.enable_auditing('fastv_app.notes');`);
    await c.query("insert into fastv_app.notes select g, $1, 'note ' || g from generate_series(1, 12) g", [tenant]);
    await sealOnce(c, key, { blockSize: 4 });
    await c.query("update fastv_app.notes set body = body || '!' where id <= 6");
    await sealOnce(c, key, { blockSize: 4 });
  } finally {
    c.release();
  }
});

afterAll(async () => {
  verifierTuning.fastWindow = savedWindow;
  await closePools();
});

async function positions(c: import("pg").ClientBase): Promise<{ event_id: string; seq: number; first_seq: string; ord: number }[]> {
  const { rows } = await c.query(
    `select u.id::text as event_id, (b.first_seq + u.ord - 1)::int as seq, b.first_seq::text as first_seq, u.ord::int as ord
     from warden_private.seal_blocks b cross join lateral unnest(b.event_ids) with ordinality u(id, ord)
     where b.tenant_key = $1 order by 2`,
    [tenant],
  );
  return rows;
}

test("an untouched trail is verified by the fast walk, window by window", async () => {
  const c = await ownerPool().connect();
  try {
    const before = { ...verifierStats };
    const v = await verifyTrail(c, key, { tenantId: tenant });
    expect(v).toMatchObject({ ok: true, status: "ok" });
    expect(v.events_verified).toBeGreaterThanOrEqual(18);
    expect(verifierStats.fastWalks).toBe(before.fastWalks + 1);
    expect(verifierStats.exactWalks).toBe(before.exactWalks);
  } finally {
    c.release();
  }
});

test("a sealed leaf prefix rewritten (the events untouched) is detected", async () => {
  await asTriggerlessSuperuser(async (c) => {
    const target = (await positions(c))[5];
    await c.query(
      `update warden_private.seal_blocks set leaf_prefixes = set_byte(leaf_prefixes, ($3::int - 1) * 8, (get_byte(leaf_prefixes, ($3::int - 1) * 8) + 1) % 256)
       where tenant_key = $1 and first_seq = $2::bigint`,
      [tenant, target.first_seq, target.ord],
    );
    const v = await verifyTrail(c, key, { tenantId: tenant, inTransaction: true });
    expect(v.status).toBe("tampered");
    expect(v.first_bad).toMatchObject({ seq: target.seq, reason: "modified", event_id: target.event_id });
  });
});

test("an event whose transaction id leaves its block's range is detected", async () => {
  await asTriggerlessSuperuser(async (c) => {
    const target = (await positions(c))[2];
    // an older transaction id: still below the watermark, outside every window's range
    await c.query("update warden.audit_events set txid = 3 where event_id = $1", [target.event_id]);
    const v = await verifyTrail(c, key, { tenantId: tenant, inTransaction: true });
    expect(v.status).toBe("tampered");
    // the exact walk names it: the event now sorts before its neighbours (reordered) or no longer hashes (modified)
    expect(["reordered", "modified"]).toContain(v.first_bad?.reason);
    expect(v.first_bad!.seq).toBeLessThanOrEqual(target.seq);
  });
});

test("a second row with a sealed event's id (another occurred_at) is detected", async () => {
  await asTriggerlessSuperuser(async (c) => {
    const target = (await positions(c))[7];
    await c.query(
      `insert into warden.audit_events select (jsonb_populate_record(e, jsonb_build_object('occurred_at', e.occurred_at + interval '1 second'))).*
       from warden.audit_events e where e.event_id = $1`,
      [target.event_id],
    );
    const v = await verifyTrail(c, key, { tenantId: tenant, inTransaction: true });
    expect(v.status).toBe("tampered");
  });
});

test("an event of a sealed transaction that no block claims is found by the count and named by the exact walk", async () => {
  await asTriggerlessSuperuser(async (c) => {
    const events = await positions(c);
    const victim = await c.query("select occurred_at, txid from warden.audit_events where event_id = $1", [events[4].event_id]);
    await c.query(
      `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, occurred_at, txid, table_name)
       values ($1, 'db.fastv_app.notes.delete', 'data', 'delete', 'user', 'mallory', $2::timestamptz + interval '1 microsecond', $3, 'fastv_app.notes')`,
      [tenant, victim.rows[0].occurred_at, victim.rows[0].txid],
    );
    const before = { ...verifierStats };
    const v = await verifyTrail(c, key, { tenantId: tenant, inTransaction: true });
    expect(v.status).toBe("tampered");
    expect(v.first_bad?.reason).toBe("inserted");
    expect(verifierStats.exactWalks).toBe(before.exactWalks + 1);
  });
});
