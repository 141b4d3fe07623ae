/**
 * Attacks on the sealed trail that the database alone cannot see, caught by
 * comparing it with the checkpoints anchored outside it (issue 13 §3), and
 * verify's statuses: tampered, truncated, pending_signature, suspect,
 * capture_gap. Scheduled incremental verification (§4) by attack too.
 * Attacks run as a superuser with triggers off (the strongest database-side
 * attacker) inside a transaction that is rolled back, unless they must be
 * committed for the worker's own transaction to see them.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { sealOnce } from "../../src/audit/sealer";
import { verifyTrail } from "../../src/audit/verifier";
import {
  ANCHOR_FORMAT,
  FileAnchorSink,
  NatsAnchorSink,
  anchorCheckpoints,
  readAnchors,
  type AnchorRecord,
} from "../../src/audit/anchors";
import { verifyIncrementally } from "../../src/audit/scheduledVerify";
import { asTriggerlessSuperuser, closePools, createTenant, ownerPool, testSealingKey } from "../support/db";

afterAll(closePools);

const key = testSealingKey();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-anchors-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function insertEvents(c: pg.ClientBase, tenant: string, n: number): Promise<void> {
  await c.query(
    `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, event_data)
     select $1, 'anchor.test.done', 'anchor', 'done', 'service', 'svc', jsonb_build_object('i', g) from generate_series(1, $2) g`,
    [tenant, n],
  );
}

/** A tenant with two sealing passes (two checkpoints), anchored to a fresh file. */
async function anchoredTenant(): Promise<{ tenant: string; sink: FileAnchorSink; first: number; last: number }> {
  const c = await ownerPool().connect();
  try {
    const tenant = await createTenant(c);
    await insertEvents(c, tenant, 5);
    await sealOnce(c, key);
    await insertEvents(c, tenant, 3);
    await sealOnce(c, key);
    const cps = await c.query("select last_seq::int as s from warden_private.seal_checkpoints where tenant_key = $1 order by last_seq", [tenant]);
    const seqs = cps.rows.map((r) => r.s);
    expect(seqs.length).toBeGreaterThanOrEqual(2);
    const sink = new FileAnchorSink(path.join(tmp, `${randomUUID()}.jsonl`));
    const anchored = await anchorCheckpoints(c, [sink]);
    expect(anchored.failed).toEqual({});
    return { tenant, sink, first: seqs[seqs.length - 2], last: seqs[seqs.length - 1] };
  } finally {
    c.release();
  }
}

async function anchorsOf(sink: FileAnchorSink): Promise<Map<string, AnchorRecord>> {
  const db = (await ownerPool().query("select current_database() as d")).rows[0].d;
  const view = await readAnchors([sink], db, key);
  expect(view.invalid).toBe(0);
  return view.latest;
}

test("the anchor file holds one signed JSON line per tenant and pass, in the documented format", async () => {
  const { tenant, sink, last } = await anchoredTenant();
  const lines = fs.readFileSync(sink.file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const mine = lines.filter((l) => l.tenant_key === tenant);
  expect(mine).toHaveLength(1); // the newest checkpoint vouches for the earlier ones
  expect(mine[0]).toMatchObject({
    format: ANCHOR_FORMAT,
    tenant_id: tenant,
    tenant_key: tenant,
    checkpoint_id: `${tenant}:${last}`,
    last_seq: last,
    key_id: key.keyId,
  });
  expect(mine[0].head_hash).toMatch(/^[0-9a-f]{64}$/);
  expect(mine[0].head_event_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(Object.keys(mine[0]).sort()).toEqual(
    [
      "format", "database", "tenant_id", "tenant_key", "checkpoint_id", "first_seq", "last_seq", "head_event_id",
      "head_block_first_seq", "head_hash", "signed_at", "key_id", "signature", "anchored_at",
    ].sort(),
  );
  // nothing new: nothing written again
  const c = await ownerPool().connect();
  try {
    const again = await anchorCheckpoints(c, [sink]);
    expect(again.written[sink.name]).toBe(0);
  } finally {
    c.release();
  }
  // a forged anchor line (head changed) fails its signature and is ignored
  const forged = { ...mine[0], last_seq: last + 100, head_hash: "00".repeat(32) };
  fs.appendFileSync(sink.file, JSON.stringify(forged) + "\n");
  const db = (await ownerPool().query("select current_database() as d")).rows[0].d;
  const view = await readAnchors([sink], db, key);
  expect(view.invalid).toBe(1);
});

test("anchoring first in a new state directory leaves it enterable (the embedded server lives there) and the anchors folder private", async () => {
  const stateDir = path.join(tmp, `state-${randomUUID()}`); // does not exist yet
  const sink = new FileAnchorSink(path.join(stateDir, "anchors", "db.jsonl"));
  await sink.write([{ format: ANCHOR_FORMAT } as unknown as Parameters<FileAnchorSink["write"]>[0][number]]);
  expect((fs.statSync(stateDir).mode & 0o777).toString(8)).toBe("711");
  expect((fs.statSync(path.join(stateDir, "anchors")).mode & 0o777).toString(8)).toBe("700");
  expect((fs.statSync(sink.file).mode & 0o777).toString(8)).toBe("600");
});

test("tail truncation: the last checkpoint, its blocks and events deleted and the head rolled back is ok without anchors, truncated with them", async () => {
  const { tenant, sink, first, last } = await anchoredTenant();
  const anchors = await anchorsOf(sink);
  const c = await ownerPool().connect();
  try {
    const before = await verifyTrail(c, key, { tenantId: tenant, anchors });
    expect(before).toMatchObject({ first_bad: null, truncated: [], anchors_checked: 1 });
    expect(before.statuses).not.toContain("tampered");
  } finally {
    c.release();
  }
  await asTriggerlessSuperuser(async (su) => {
    const ids = await su.query("select unnest(event_ids) as id from warden_private.seal_blocks where tenant_key = $1 and first_seq > $2", [tenant, first]);
    await su.query("delete from warden.audit_events where event_id = any($1::uuid[])", [ids.rows.map((r) => r.id)]);
    await su.query("delete from warden_private.seal_blocks where tenant_key = $1 and first_seq > $2", [tenant, first]);
    await su.query("delete from warden_private.seal_checkpoints where tenant_key = $1 and last_seq > $2", [tenant, first]);
    await su.query(
      `update warden_private.seal_heads h set last_seq = c.last_seq, head_hash = c.head_hash
       from warden_private.seal_checkpoints c where c.tenant_key = h.tenant_key and c.last_seq = $2 and h.tenant_key = $1`,
      [tenant, first],
    );
    // the database alone: consistent, so ok (this is what anchors are for)
    const alone = await verifyTrail(su, key, { tenantId: tenant, inTransaction: true });
    expect(alone).toMatchObject({ first_bad: null, truncated: [] });
    const v = await verifyTrail(su, key, { tenantId: tenant, inTransaction: true, anchors });
    expect(v.ok).toBe(false);
    expect(v.status).toBe("truncated");
    expect(v.truncated).toEqual([
      expect.objectContaining({ tenant_id: tenant, anchored_seq: last, database_seq: first, missing_from: first + 1, missing_to: last }),
    ]);
    expect(v.message).toContain(`seq ${first + 1}..${last}`);
  });
});

test("a tenant's whole trail deleted (events, blocks, checkpoints, head) is truncated from seq 1, in a full verify too", async () => {
  const { tenant, sink, last } = await anchoredTenant();
  const anchors = await anchorsOf(sink);
  await asTriggerlessSuperuser(async (su) => {
    await su.query("delete from warden.audit_events where tenant_id = $1", [tenant]);
    for (const t of ["seal_blocks", "seal_checkpoints", "seal_heads"]) {
      await su.query(`delete from warden_private.${t} where tenant_key = $1`, [tenant]);
    }
    const scoped = await verifyTrail(su, key, { tenantId: tenant, inTransaction: true, anchors });
    expect(scoped.status).toBe("truncated");
    expect(scoped.truncated).toEqual([expect.objectContaining({ tenant_id: tenant, database_seq: 0, missing_from: 1, missing_to: last })]);
    expect(scoped.message).toContain("the whole trail");
    const full = await verifyTrail(su, key, { inTransaction: true, anchors });
    expect(full.ok).toBe(false);
    expect(full.truncated).toContainEqual(expect.objectContaining({ tenant_id: tenant, missing_from: 1, missing_to: last }));
  });
});

test("a chain rewritten past its anchor (same length, other head) is tampered", async () => {
  const { tenant, sink } = await anchoredTenant();
  const anchors = await anchorsOf(sink);
  await asTriggerlessSuperuser(async (su) => {
    await su.query("update warden_private.seal_checkpoints set head_hash = '\\x00' || substr(head_hash, 2) where tenant_key = $1", [tenant]);
    const v = await verifyTrail(su, key, { tenantId: tenant, inTransaction: true, anchors });
    expect(v.status).toBe("tampered");
  });
});

test("a forged event inserted with a new transaction id and backdated is set aside as suspect, not sealed as genuine", async () => {
  const c = await ownerPool().connect();
  try {
    const tenant = await createTenant(c);
    await insertEvents(c, tenant, 2);
    await sealOnce(c, key);
    await c.query("begin");
    const forged = (
      await c.query(
        `insert into warden.audit_events (tenant_id, occurred_at, event_type, category, action, actor_type, actor_id)
         values ($1, now() - interval '3 years', 'forge.thing.done', 'forge', 'done', 'service', 'svc') returning event_id::text as id`,
        [tenant],
      )
    ).rows[0].id;
    await c.query("commit");
    const sealed = await sealOnce(c, key);
    expect(sealed.suspects).toBeGreaterThanOrEqual(1);
    const inChain = await c.query("select 1 from warden_private.seal_blocks where tenant_key = $1 and $2::uuid = any(event_ids)", [tenant, forged]);
    expect(inChain.rowCount).toBe(0);
    const v = await verifyTrail(c, key, { tenantId: tenant });
    expect(v).toMatchObject({ ok: false, first_bad: null, suspect_events: 1 });
    expect(v.status).toBe("suspect");
    expect(v.message).toContain("acknowledge_suspect_events");
    // reviewed and acknowledged (so the shared test database's whole trail stays ok)
    await c.query("select warden.acknowledge_suspect_events($1, 'forged by the attack test')", [[forged]]);
    expect((await verifyTrail(c, key, { tenantId: tenant })).statuses).not.toContain("suspect");
  } finally {
    c.release();
  }
});

test("a dropped capture trigger is capture_gap, with the table and since when, distinct from tampering", async () => {
  const c = await ownerPool().connect();
  const schema = `gap_${randomUUID().slice(0, 8)}`;
  try {
    const tenant = await createTenant(c);
    await c.query("begin");
    await c.query(`create schema ${schema}; create table ${schema}.orders (id int primary key, tenant_id uuid, total int)`);
    await c.query(`select warden.enable_auditing('${schema}.orders')`);
    await c.query(`drop trigger _900_audit_update on ${schema}.orders`);
    await c.query("select warden_private.capture_check_coverage()");
    const v = await verifyTrail(c, key, { tenantId: tenant, inTransaction: true });
    expect(v.ok).toBe(false);
    expect(v.first_bad).toBeNull();
    expect(v.statuses).toContain("capture_gap");
    expect(v.statuses).not.toContain("tampered");
    expect(v.capture_gaps).toContainEqual(expect.objectContaining({ table_name: `${schema}.orders`, since: expect.any(String) }));
  } finally {
    await c.query("rollback");
    c.release();
  }
});

test("a failed anchor write loses no checkpoint: the next pass sends it", async () => {
  const c = await ownerPool().connect();
  try {
    const tenant = await createTenant(c);
    await insertEvents(c, tenant, 2);
    await sealOnce(c, key);
    const dir = path.join(tmp, `blocked-${randomUUID()}`);
    fs.writeFileSync(dir, "not a directory");
    const sink = new FileAnchorSink(path.join(dir, "anchors.jsonl"));
    const failed = await anchorCheckpoints(c, [sink]);
    expect(failed.failed[sink.name]).toBeDefined();
    const pos = await c.query("select count(*)::int as n from warden_private.checkpoint_anchors where sink = $1", [sink.name]);
    expect(pos.rows[0].n).toBe(0);
    fs.rmSync(dir);
    const retried = await anchorCheckpoints(c, [sink]);
    expect(retried.failed).toEqual({});
    const latest = await anchorsOf(sink);
    const head = (await c.query("select last_seq::int as s from warden_private.seal_heads where tenant_key = $1", [tenant])).rows[0].s;
    expect(latest.get(tenant)?.last_seq).toBe(head);
  } finally {
    c.release();
  }
});

test("NATS JetStream sink: anchors published per tenant subject, the newest read back", async () => {
  const prefix = `warden_test_anchor_${randomUUID().slice(0, 8)}`;
  const stream = prefix.toUpperCase();
  const sink = new NatsAnchorSink({ servers: "127.0.0.1:4222", subject: prefix, stream });
  const c = await ownerPool().connect();
  try {
    const tenant = await createTenant(c);
    await insertEvents(c, tenant, 3);
    await sealOnce(c, key);
    const r = await anchorCheckpoints(c, [sink]);
    expect(r.failed).toEqual({});
    expect(r.written[sink.name]).toBeGreaterThanOrEqual(1);
    const db = (await c.query("select current_database() as d")).rows[0].d;
    const view = await readAnchors([sink], db, key);
    expect(view.unreadable).toEqual({});
    const head = (await c.query("select last_seq::int as s from warden_private.seal_heads where tenant_key = $1", [tenant])).rows[0].s;
    expect(view.latest.get(tenant)).toMatchObject({ tenant_id: tenant, last_seq: head });
  } finally {
    c.release();
    const nc = await connect({ servers: "127.0.0.1:4222" });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
    await sink.close();
  }
});

test("scheduled verification: incremental from the last verified checkpoint; truncation writes governance.verify_failed", async () => {
  const { tenant, sink, first, last } = await anchoredTenant();
  const anchors = await anchorsOf(sink);
  const c = await ownerPool().connect();
  try {
    const one = await verifyIncrementally(c, key, { anchors, tenantKeys: [tenant] });
    expect(one.tenants).toEqual([expect.objectContaining({ tenant_id: tenant, outcome: "ok", from_seq: 0, to_seq: last })]);
    const pos = await c.query("select verified_seq::int as s, last_success_at is not null as ok from warden_private.verify_positions where tenant_key = $1", [tenant]);
    expect(pos.rows).toEqual([{ s: last, ok: true }]);
    // new events: the next run walks only them
    await insertEvents(c, tenant, 4);
    await sealOnce(c, key);
    const two = await verifyIncrementally(c, key, { anchors, tenantKeys: [tenant] });
    expect(two.tenants[0]).toMatchObject({ outcome: "ok", from_seq: last, to_seq: last + 4, events_verified: 4 });
    // attacks, rolled back afterwards: the run inside the attacker's transaction sees them
    await insertEvents(c, tenant, 1);
    await sealOnce(c, key);
    await asTriggerlessSuperuser(async (su) => {
      // a newly sealed event edited: found by the next run
      await su.query(
        `update warden.audit_events set event_data = '{"i": 999}' where event_id =
           (select event_ids[1] from warden_private.seal_blocks where tenant_key = $1 order by first_seq desc limit 1)`,
        [tenant],
      );
      const r = await verifyIncrementally(su, key, { anchors, tenantKeys: [tenant], inTransaction: true });
      expect(r.tenants[0]).toMatchObject({ outcome: "failed", from_seq: last + 4, first_bad: expect.objectContaining({ reason: "modified" }) });
    });
    await asTriggerlessSuperuser(async (su) => {
      // tail truncation: a failure with a critical governance event, and the position stays
      await su.query("delete from warden_private.seal_blocks where tenant_key = $1 and first_seq > $2", [tenant, first]);
      await su.query("delete from warden_private.seal_checkpoints where tenant_key = $1 and last_seq > $2", [tenant, first]);
      await su.query(
        `update warden_private.seal_heads h set last_seq = c.last_seq, head_hash = c.head_hash
         from warden_private.seal_checkpoints c where c.tenant_key = h.tenant_key and c.last_seq = $2 and h.tenant_key = $1`,
        [tenant, first],
      );
      await su.query("set local session_replication_role = origin");
      // without the anchors too: the head fell behind what this task verified before
      const alone = await verifyIncrementally(su, key, { tenantKeys: [tenant], inTransaction: true });
      expect(alone.tenants[0]).toMatchObject({ outcome: "failed", truncated: expect.objectContaining({ missing_from: first + 1, missing_to: last + 4 }) });
      const four = await verifyIncrementally(su, key, { anchors, tenantKeys: [tenant], inTransaction: true });
      expect(four.failures).toBe(1);
      expect(four.tenants[0]).toMatchObject({ outcome: "failed", truncated: expect.objectContaining({ missing_from: first + 1 }) });
      const ev = await su.query(
        "select severity, outcome, event_data ->> 'status' as status from warden.audit_events where tenant_id = $1 and event_type = 'governance.verify_failed'",
        [tenant],
      );
      expect(ev.rows).toEqual([
        { severity: "critical", outcome: "failure", status: "truncated" },
        { severity: "critical", outcome: "failure", status: "truncated" },
      ]);
      const p = await su.query("select failures::int as n, verified_seq::int as s from warden_private.verify_positions where tenant_key = $1", [tenant]);
      expect(p.rows[0]).toEqual({ n: 2, s: last + 4 });
    });
  } finally {
    c.release();
  }
});
