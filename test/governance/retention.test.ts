/**
 * Retention, against the real database: a dry run changes nothing, legal
 * holds block, the partition path and the row path each purge exactly what
 * they should (by counts), and `verify` passes after retention yet still
 * detects a deletion retention did not do.
 *
 * Runs commit (the driver commits per batch), so every test uses its own
 * tenants and its own far-past months. The default retention is 7 years
 * (2557 days) here, so only the tests' tenant policies and partitions
 * older than 7 years are in play.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import pg from "pg";
import { runTaskListOnce } from "graphile-worker";
import { sealOnce } from "../../src/audit/sealer";
import { verifierStats, verifyTrail } from "../../src/audit/verifier";
import { runRetention, type RetentionOptions } from "../../src/retention/run";
import { pendingPruneRecords, signPendingPruneRecords } from "../../src/audit/pruneRecords";
import { refreshRetentionMetrics } from "../../src/retention/metrics";
import { registry } from "../../src/metrics";
import { onceTaskList } from "../support/onceTaskList";
import { crontab } from "../../src/worker/crontab";
import {
  actAs,
  actAsOwner,
  asTriggerlessSuperuser,
  closePools,
  createTenant,
  createUser,
  expectFailure,
  ownerPool,
  rolledBack,
  testSealingKey,
} from "../support/db";

const key = testSealingKey();
const SEVEN_YEARS = 2557;

afterAll(closePools);

async function withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await ownerPool().connect();
  try {
    return await fn(c);
  } finally {
    c.release();
  }
}

function retention(c: pg.ClientBase, opts: Partial<RetentionOptions> = {}) {
  return runRetention(c, key, { dryRun: false, defaultDays: SEVEN_YEARS, ...opts });
}

interface EventSpec {
  eventType?: string;
  resourceType?: string;
  resourceId?: string;
  correlationId?: string;
}

/** n events of a tenant at `at` (an SQL timestamptz expression), a minute apart. */
/** Old events, as the audited backfill path stores them (else the sealer sets them aside as backdated). */
async function insertEvents(c: pg.ClientBase, tenant: string | null, at: string, n: number, spec: EventSpec = {}): Promise<void> {
  await c.query(
    `insert into warden.audit_events (tenant_id, occurred_at, event_type, category, action, actor_type, actor_id,
       resource_type, resource_id, correlation_id, event_data)
     select $1::uuid, (${at}) + g * interval '1 second', $3, 'app', 'do', 'system', 'system', $4, $5, $6,
            jsonb_build_object('backfill', jsonb_build_object('by', jsonb_build_object('type', 'api_key', 'id', 'test'), 'at', now()))
     from generate_series(1, $2::int) g`,
    [tenant, n, spec.eventType ?? "app.thing.done", spec.resourceType ?? null, spec.resourceId ?? null, spec.correlationId ?? null],
  );
}

async function countOf(c: pg.ClientBase, tenant: string, where = "true"): Promise<number> {
  const { rows } = await c.query(`select count(*)::int as n from warden.audit_events e where e.tenant_id = $1 and ${where}`, [tenant]);
  return rows[0].n;
}

async function partitionExists(c: pg.ClientBase, name: string): Promise<boolean> {
  const { rows } = await c.query("select to_regclass('warden_private.' || $1) is not null as ok", [name]);
  return rows[0].ok;
}

async function setPolicy(c: pg.ClientBase, tenant: string, pattern: string, days: number): Promise<void> {
  await c.query("insert into warden_private.retention_policies (tenant_id, event_type_pattern, days) values ($1, $2, $3)", [
    tenant,
    pattern,
    days,
  ]);
}

/** Tenant admin context for the management functions. */
async function asAdmin<T>(tenant: string, fn: (c: pg.PoolClient) => Promise<T>, role = "admin"): Promise<T> {
  return withClient(async (c) => {
    const user = await createUser(c, tenant, role);
    await c.query("begin");
    try {
      await actAs(c, { tenantId: tenant, actorId: user, tenantRole: role });
      const out = await fn(c);
      await c.query("commit");
      return out;
    } catch (err) {
      await c.query("rollback");
      throw err;
    }
  });
}

test("a dry run reports what would go and changes nothing", async () => {
  await withClient(async (c) => {
    const t = await createTenant(c, "dry run tenant");
    await setPolicy(c, t, "*", 30);
    await c.query("select warden_private.create_audit_partition('2012-03-01')");
    await insertEvents(c, t, "'2012-03-10'::timestamptz", 10);
    await insertEvents(c, t, "now() - interval '60 days'", 20);
    await insertEvents(c, t, "now() - interval '1 day'", 5);
    const before = await countOf(c, t);
    const records = (await c.query("select count(*)::int as n from warden_private.prune_records")).rows[0].n;
    const state = (await c.query("select * from warden_private.retention_state")).rows[0];

    const report = await retention(c, { dryRun: true });
    expect(report.dry_run).toBe(true);
    expect(report.results.filter((r) => r.tenant_id === t)).toEqual(
      expect.arrayContaining([
        { tenant_id: t, partition: "audit_events_p201203", method: "partition", rows: 10 },
        expect.objectContaining({ tenant_id: t, method: "rows", rows: 20 }),
      ]),
    );
    // The SQL form agrees, and is a dry run by default.
    await c.query("begin");
    await c.query("set local warden.retention_default_days = '2557'");
    const sql = await c.query("select * from warden.apply_retention() where tenant_id = $1 order by method", [t]);
    await c.query("commit");
    expect(sql.rows.map((r) => [r.method, Number(r.rows_purged)])).toEqual([
      ["partition", 10],
      ["rows", 20],
    ]);

    expect(await countOf(c, t)).toBe(before);
    expect(await partitionExists(c, "audit_events_p201203")).toBe(true);
    expect((await c.query("select count(*)::int as n from warden_private.prune_records")).rows[0].n).toBe(records);
    expect((await c.query("select * from warden_private.retention_state")).rows[0]).toEqual(state);
    expect(await countOf(c, t, "event_type = 'warden.retention.purge'")).toBe(0);
  });
});

test("the partition path drops exactly the expired month, archived first, with a purge event per tenant", async () => {
  const archiveDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-archive-"));
  try {
    await withClient(async (c) => {
      const a = await createTenant(c, "partition a");
      const b = await createTenant(c, "partition b");
      await c.query("select warden_private.create_audit_partition('2014-02-01')");
      await insertEvents(c, a, "'2014-02-03'::timestamptz", 600);
      await insertEvents(c, b, "'2014-02-20'::timestamptz", 400);
      // Not in that month: kept (younger than 7 years, or in another partition).
      await insertEvents(c, a, "now() - interval '2 years'", 7);
      const aBefore = await countOf(c, a);
      const stateBefore = (await c.query("select rows_deleted::int, partitions_dropped::int from warden_private.retention_state")).rows[0];

      const report = await retention(c, { archiveDir });
      expect(report.skipped).toEqual([]);
      const mine = report.results.filter((r) => r.tenant_id === a || r.tenant_id === b);
      expect(mine).toEqual(
        expect.arrayContaining([
          { tenant_id: a, partition: "audit_events_p201402", method: "partition", rows: 600 },
          { tenant_id: b, partition: "audit_events_p201402", method: "partition", rows: 400 },
        ]),
      );
      expect(mine.filter((r) => r.method === "rows")).toEqual([]);
      expect(await partitionExists(c, "audit_events_p201402")).toBe(false);
      expect(await countOf(c, a, "event_type <> 'warden.retention.purge'")).toBe(aBefore - 600);
      expect(await countOf(c, b, "occurred_at < '2015-01-01'")).toBe(0);

      // Each tenant got its own purge event (actor system) and a signed prune record.
      const events = await c.query(
        `select tenant_id::text, actor_type::text, actor_id, event_data->>'method' as method, (event_data->>'rows_deleted')::int as n
         from warden.audit_events where tenant_id = any($1::uuid[]) and event_type = 'warden.retention.purge' order by n`,
        [[a, b]],
      );
      expect(events.rows).toEqual([
        { tenant_id: b, actor_type: "system", actor_id: "system", method: "partition", n: 400 },
        { tenant_id: a, actor_type: "system", actor_id: "system", method: "partition", n: 600 },
      ]);
      const records = await c.query(
        `select r.method, r.event_count::int as n, s.signature is not null as signed
         from warden_private.prune_records r left join warden_private.prune_record_signatures s on s.record_id = r.id
         where r.tenant_key = any($1::uuid[]) order by n`,
        [[a, b]],
      );
      expect(records.rows).toEqual([
        { method: "partition", n: 400, signed: true },
        { method: "partition", n: 600, signed: true },
      ]);
      const stateAfter = (await c.query("select rows_deleted::int, partitions_dropped::int from warden_private.retention_state")).rows[0];
      expect(stateAfter.partitions_dropped).toBeGreaterThanOrEqual(stateBefore.partitions_dropped + 1);
      expect(stateAfter.rows_deleted).toBeGreaterThanOrEqual(stateBefore.rows_deleted + 1000);

      // The archive: every row, and a manifest whose sha256 is the file's.
      const archived = report.archived.find((x) => x.partition === "audit_events_p201402")!;
      expect(archived.rows).toBe(1000);
      const gz = fs.readFileSync(path.join(archiveDir, "audit_events_p201402.jsonl.gz"));
      const manifest = JSON.parse(fs.readFileSync(path.join(archiveDir, "audit_events_p201402.manifest.json"), "utf8"));
      expect(manifest).toMatchObject({ partition: "audit_events_p201402", rows: 1000, sha256: createHash("sha256").update(gz).digest("hex") });
      const lines = gunzipSync(gz).toString("utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(lines).toHaveLength(1000);
      expect(lines.filter((l) => l.tenant_id === a)).toHaveLength(600);
      expect(lines[0]).toHaveProperty("event_id");
    });
  } finally {
    fs.rmSync(archiveDir, { recursive: true, force: true });
  }
});

test("the row path deletes exactly the events past their most specific policy, in bounded batches", async () => {
  await withClient(async (c) => {
    const t = await createTenant(c, "row path tenant");
    const other = await createTenant(c, "no policy tenant");
    await setPolicy(c, t, "*", 30);
    await setPolicy(c, t, "keep.*", 365);
    await setPolicy(c, t, "keep.forever", 2000);
    await insertEvents(c, t, "now() - interval '60 days'", 25, { eventType: "app.x.done" }); // purged (30)
    await insertEvents(c, t, "now() - interval '60 days'", 10, { eventType: "keep.a.done" }); // kept (365)
    await insertEvents(c, t, "now() - interval '400 days'", 6, { eventType: "keep.a.done" }); // purged (365)
    await insertEvents(c, t, "now() - interval '400 days'", 4, { eventType: "keep.forever" }); // kept (2000)
    await insertEvents(c, t, "now() - interval '1 day'", 3, { eventType: "app.x.done" }); // kept
    await insertEvents(c, other, "now() - interval '60 days'", 9); // kept: default 7 years
    const before = await countOf(c, t, "event_type <> 'warden.retention.purge'");
    const otherBefore = await countOf(c, other);

    const report = await retention(c, { batchSize: 7 });
    const mine = report.results.filter((r) => r.tenant_id === t);
    expect(mine.every((r) => r.method === "rows")).toBe(true);
    expect(mine.reduce((n, r) => n + r.rows, 0)).toBe(31);
    expect(report.batches).toBeGreaterThanOrEqual(5); // 31 rows, 7 per batch
    expect(await countOf(c, t, "event_type <> 'warden.retention.purge'")).toBe(before - 31);
    expect(await countOf(c, t, "event_type = 'app.x.done'")).toBe(3);
    expect(await countOf(c, t, "event_type = 'keep.a.done'")).toBe(10);
    expect(await countOf(c, t, "event_type = 'keep.forever'")).toBe(4);
    expect(await countOf(c, other)).toBe(otherBefore);

    // Each batch left its own purge event; together they account for every row.
    const purge = await c.query(
      `select count(*)::int as events, sum((event_data->>'rows_deleted')::int)::int as n, max((event_data->>'rows_deleted')::int) as biggest
       from warden.audit_events where tenant_id = $1 and event_type = 'warden.retention.purge'`,
      [t],
    );
    expect(purge.rows[0]).toMatchObject({ n: 31 });
    expect(purge.rows[0].biggest).toBeLessThanOrEqual(7);
    const ids = await c.query(
      `select sum(cardinality(event_ids))::int as n from warden_private.prune_records where tenant_key = $1 and method = 'rows'`,
      [t],
    );
    expect(ids.rows[0].n).toBe(31);

    // A second run has nothing left to do for this tenant.
    const again = await retention(c);
    expect(again.results.filter((r) => r.tenant_id === t)).toEqual([]);
  });
});

test("legal holds (by resource, by correlation id, tenant-wide) block purging what they cover", async () => {
  const t = await withClient((c) => createTenant(c, "held tenant"));
  await withClient(async (c) => {
    await setPolicy(c, t, "*", 30);
    await insertEvents(c, t, "now() - interval '60 days'", 5, { resourceType: "doc", resourceId: "1" });
    await insertEvents(c, t, "now() - interval '60 days'", 5, { resourceType: "doc", resourceId: "2" });
    await insertEvents(c, t, "now() - interval '60 days'", 3, { correlationId: "case-7" });
    await insertEvents(c, t, "now() - interval '60 days'", 7);
    // A partition past every policy, one of whose events is held.
    await c.query("select warden_private.create_audit_partition('2013-05-01')");
    await insertEvents(c, t, "'2013-05-02'::timestamptz", 4, { resourceType: "doc", resourceId: "1" });
    await insertEvents(c, t, "'2013-05-02'::timestamptz", 6, { resourceType: "doc", resourceId: "3" });
  });
  const holds = await asAdmin(t, async (c) => {
    const byResource = (await c.query("select warden.place_legal_hold('litigation 42', 'doc', '1') as id")).rows[0].id;
    const byCorrelation = (await c.query("select warden.place_legal_hold('case 7', correlation_id => 'case-7') as id")).rows[0].id;
    return { byResource, byCorrelation };
  });

  await withClient(async (c) => {
    const report = await retention(c);
    expect(report.results.filter((r) => r.tenant_id === t && r.method === "partition")).toEqual([]);
    expect(await partitionExists(c, "audit_events_p201305")).toBe(true); // held: not dropped
    expect(await countOf(c, t, "resource_id = '1'")).toBe(9); // held everywhere
    expect(await countOf(c, t, "correlation_id = 'case-7'")).toBe(3);
    expect(await countOf(c, t, "resource_id in ('2', '3')")).toBe(0); // unheld rows went by the row path
    expect(await countOf(c, t, "event_type = 'app.thing.done' and resource_id is null and correlation_id is null")).toBe(0);
  });

  // Released holds no longer block; a tenant-wide hold blocks everything.
  await asAdmin(t, async (c) => {
    await c.query("select warden.release_legal_hold($1)", [holds.byResource]);
    await c.query("select warden.place_legal_hold('everything', null, null, null)");
  });
  await withClient(async (c) => {
    await retention(c);
    expect(await countOf(c, t, "resource_id = '1'")).toBe(9);
    expect(await partitionExists(c, "audit_events_p201305")).toBe(true);
    await c.query("update warden_private.legal_holds set released_at = now() where tenant_id = $1", [t]);
    const report = await retention(c);
    expect(report.results).toEqual(
      expect.arrayContaining([{ tenant_id: t, partition: "audit_events_p201305", method: "partition", rows: 4 }]),
    );
    expect(await partitionExists(c, "audit_events_p201305")).toBe(false);
    expect(await countOf(c, t, "resource_id = '1'")).toBe(0);
    expect(await countOf(c, t, "correlation_id = 'case-7'")).toBe(0);
  });

  // Every hold change made through Warden's functions was audited with its actor.
  await withClient(async (c) => {
    const { rows } = await c.query(
      `select event_type, count(*)::int as n from warden.audit_events
       where tenant_id = $1 and event_type like 'governance.legal_hold.%' and actor_type = 'user' group by 1 order by 1`,
      [t],
    );
    expect(rows).toEqual([
      { event_type: "governance.legal_hold.placed", n: 3 },
      { event_type: "governance.legal_hold.released", n: 1 },
    ]);
  });
});

test("only a tenant owner or admin manages policies and holds, within its own tenant, with valid values", async () => {
  const t = await withClient((c) => createTenant(c, "policy tenant"));
  const stranger = await withClient((c) => createTenant(c, "stranger tenant"));
  const hold = await asAdmin(t, async (c) => {
    const id = (await c.query("select warden.set_retention_policy('gateway.*', 90) as id")).rows[0].id;
    // Setting it again replaces the days.
    expect((await c.query("select warden.set_retention_policy('gateway.*', 120) as id")).rows[0].id).toBe(id);
    expect((await expectFailure(c, "select warden.set_retention_policy('*', 0)")).code).toBe("22023");
    expect((await expectFailure(c, "select warden.set_retention_policy('*', 2558)")).code).toBe("22023");
    expect((await expectFailure(c, "select warden.set_retention_policy('Gateway.%', 10)")).code).toBe("22023");
    expect((await expectFailure(c, "select warden.place_legal_hold('', 'doc', '1')")).code).toBe("22023");
    expect((await expectFailure(c, "select warden.place_legal_hold('x', 'doc', null)")).code).toBe("22023");
    expect((await expectFailure(c, "select warden.place_legal_hold('x', 'doc', '1', 'corr')")).code).toBe("22023");
    return (await c.query("select warden.place_legal_hold('audit', 'doc', '9') as id")).rows[0].id;
  });
  await withClient(async (c) => {
    const { rows } = await c.query("select days from warden_private.retention_policies where tenant_id = $1", [t]);
    expect(rows).toEqual([{ days: 120 }]);
    const audited = await c.query(
      `select event_data -> 'before' as before, event_data -> 'after' as after from warden.audit_events
       where tenant_id = $1 and event_type = 'governance.retention.policy_set' order by recorded_at, event_id`,
      [t],
    );
    expect(audited.rows).toEqual([
      { before: null, after: { event_type_pattern: "gateway.*", days: 90 } },
      { before: { event_type_pattern: "gateway.*", days: 90 }, after: { event_type_pattern: "gateway.*", days: 120 } },
    ]);
  });
  // A member may not; another tenant's admin cannot touch this tenant's hold.
  await asAdmin(
    t,
    async (c) => {
      expect((await expectFailure(c, "select warden.set_retention_policy('*', 10)")).code).toBe("42501");
      expect((await expectFailure(c, "select warden.place_legal_hold('x')")).code).toBe("42501");
      expect((await expectFailure(c, "select warden.release_legal_hold($1)", [hold])).code).toBe("42501");
    },
    "member",
  );
  await asAdmin(stranger, async (c) => {
    expect((await expectFailure(c, "select warden.release_legal_hold($1)", [hold])).code).toBe("P0002");
    expect((await c.query("select warden.remove_retention_policy('gateway.*') as removed")).rows[0].removed).toBe(false);
    // Visitors cannot run retention nor read the tables directly.
    expect((await expectFailure(c, "select * from warden.apply_retention(false)")).code).toBe("42501");
    expect((await expectFailure(c, "select * from warden_private.legal_holds")).code).toBe("42501");
  });
  await withClient(async (c) => {
    const { rows } = await c.query("select released_at from warden_private.legal_holds where id = $1", [hold]);
    expect(rows[0].released_at).toBeNull();
  });
});

test("audit rows and partitions go only through the governance functions", async () => {
  await rolledBack(async (c) => {
    const t = await createTenant(c);
    await c.query("select warden_private.create_audit_partition('2011-07-01')");
    await insertEvents(c, t, "'2011-07-04'::timestamptz", 3);
    expect((await expectFailure(c, "delete from warden.audit_events where tenant_id = $1", [t])).code).toBe("42501");
    // Announcing a governance operation by hand is not enough.
    await c.query("select set_config('warden.governance_operation', 'retention', true)");
    expect((await expectFailure(c, "delete from warden.audit_events where tenant_id = $1", [t])).code).toBe("42501");
    expect((await expectFailure(c, "drop table warden_private.audit_events_p201107")).code).toBe("42501");
    expect((await expectFailure(c, "alter table warden.audit_events detach partition warden_private.audit_events_p201107")).code).toBe("42501");
    // The governance function re-checks eligibility itself.
    await c.query("insert into warden_private.retention_policies (tenant_id, event_type_pattern, days) values (null, 'long.*', 2557)");
    const current = (await c.query("select warden_private.audit_partition_name(date_trunc('month', now())::date) as p")).rows[0].p;
    expect((await expectFailure(c, "select * from warden_private.governance_drop_partition($1, 30)", [current])).code).toBe("55000");
    expect((await expectFailure(c, "select * from warden_private.governance_drop_partition('audit_events_default', 30)")).code).toBe("55000");
    expect((await expectFailure(c, "select * from warden_private.governance_drop_partition('audit_events_p201107', 30, 99)")).code).toBe("40001");
    // Prune records are append-only.
    await c.query("select * from warden_private.governance_drop_partition('audit_events_p201107', 30)");
    expect((await expectFailure(c, "delete from warden_private.prune_records")).code).toBe("42501");
    expect((await expectFailure(c, "update warden_private.prune_records set event_count = 0")).code).toBe("42501");
    // AUDIT_RETENTION_DAYS is checked where SQL reads it.
    await c.query("set local warden.retention_default_days = '0'");
    expect((await expectFailure(c, "select * from warden.apply_retention()")).code).toBe("22023");
  });
});

test("verify passes after retention, and still detects a deletion that retention did not do", async () => {
  const t = await withClient((c) => createTenant(c, "verify tenant"));
  await withClient(async (c) => {
    await setPolicy(c, t, "app.*", 30);
    await c.query("select warden_private.create_audit_partition('2015-04-01')");
    await insertEvents(c, t, "'2015-04-02'::timestamptz", 30);
    await insertEvents(c, t, "now() - interval '90 days'", 12, { eventType: "app.old.done" });
    await insertEvents(c, t, "now() - interval '1 day'", 8, { eventType: "app.new.done" });
    await sealOnce(c, key, { blockSize: 16 });
    expect(await verifyTrail(c, key, { tenantId: t })).toMatchObject({ ok: true, events_pruned: 0 });

    const report = await retention(c);
    expect(report.results.filter((r) => r.tenant_id === t).reduce((n, r) => n + r.rows, 0)).toBe(42);
    verifierStats.maxParked = 0;
    const before = { ...verifierStats };
    const after = await verifyTrail(c, key, { tenantId: t });
    expect(after.first_bad).toBeNull();
    expect(after).toMatchObject({ ok: true, events_pruned: 42 });
    // the fast walk verified the pruned trail itself (src/audit/verifier.ts), no exact walk needed,
    // passing the 42 pruned positions at once instead of holding the survivors until the end. The
    // survivors (the 8 events and the tenant's governance events) arrive in the heap's order, which
    // in a busy database is not the chain's, so some wait for the one before them; but the first of
    // them in the chain is never parked, so they are never all parked at once, which is what holding
    // them behind an unpassed pruned position would do.
    expect(verifierStats).toMatchObject({ fastWalks: before.fastWalks + 1, exactWalks: before.exactWalks });
    expect(after.events_verified).toBeGreaterThanOrEqual(8);
    expect(verifierStats.maxParked).toBeLessThan(after.events_verified);
    // The purge events themselves get sealed and verify too; so does the whole trail.
    await sealOnce(c, key);
    expect((await verifyTrail(c, key, { tenantId: t })).ok).toBe(true);
    expect((await verifyTrail(c, key)).first_bad).toBeNull();
  });

  // A superuser swaps two surviving events' places in a partly pruned block (ids, leaf prefixes
  // and occurred_at together): every leaf still matches, and a pruned block's head cannot be
  // recomputed, so only the sealed order shows it.
  await asTriggerlessSuperuser(async (su) => {
    const { rows } = await su.query(
      `select b.first_seq::text as first_seq, b.event_ids::text[] as ids, b.leaf_prefixes, b.occurred_micros,
              array_agg(u.ord::int order by u.ord) filter (where e.event_id is not null) as present
       from warden_private.seal_blocks b cross join lateral unnest(b.event_ids) with ordinality u(id, ord)
       left join warden.audit_events e on e.event_id = u.id
       where b.tenant_key = $1 group by b.first_seq, b.event_ids, b.leaf_prefixes, b.occurred_micros`,
      [t],
    );
    const block = rows.find((b) => b.present && b.present.length >= 2 && b.present.length < b.ids.length);
    expect(block).toBeDefined();
    const [o1, o2] = block.present as number[];
    const ids = [...(block.ids as string[])];
    [ids[o1 - 1], ids[o2 - 1]] = [ids[o2 - 1], ids[o1 - 1]];
    const swap = (buf: Buffer, width: number) => {
      const out = Buffer.from(buf);
      buf.copy(out, (o1 - 1) * width, (o2 - 1) * width, o2 * width);
      buf.copy(out, (o2 - 1) * width, (o1 - 1) * width, o1 * width);
      return out;
    };
    await su.query(
      "update warden_private.seal_blocks set event_ids = $3::uuid[], leaf_prefixes = $4, occurred_micros = $5 where tenant_key = $1 and first_seq = $2::bigint",
      [t, block.first_seq, ids, swap(block.leaf_prefixes, 8), swap(block.occurred_micros, 8)],
    );
    const r = await verifyTrail(su, key, { tenantId: t, inTransaction: true });
    expect(r.status).toBe("tampered");
    expect(r.first_bad).toMatchObject({ reason: "reordered", seq: Number(block.first_seq) + o1 - 1 });
  });

  const survivor = (
    await ownerPool().query("select event_id::text from warden.audit_events where tenant_id = $1 and event_type = 'app.new.done' limit 1", [t])
  ).rows[0].event_id;
  // A superuser deletes a surviving event: missing, pinpointed.
  await asTriggerlessSuperuser(async (su) => {
    await su.query("delete from warden.audit_events where event_id = $1", [survivor]);
    const r = await verifyTrail(su, key, { tenantId: t, inTransaction: true });
    expect(r.ok).toBe(false);
    expect(r.first_bad).toMatchObject({ reason: "missing", event_id: survivor });
  });
  // Forging a prune record for it does not help: only the seal key can sign one.
  await asTriggerlessSuperuser(async (su) => {
    await su.query("delete from warden.audit_events where event_id = $1", [survivor]);
    const rec = await su.query(
      `insert into warden_private.prune_records (tenant_key, method, partition_name, event_ids, event_count)
       values ($1, 'rows', 'audit_events_default', array[$2::uuid], 1) returning id`,
      [t, survivor],
    );
    await su.query(
      "insert into warden_private.prune_record_signatures (record_id, signed_at, key_id, signature) values ($1, now(), $2, '\\x00')",
      [rec.rows[0].id, key.keyId],
    );
    const r = await verifyTrail(su, key, { tenantId: t, inTransaction: true });
    expect(r.first_bad).toMatchObject({ reason: "missing", event_id: survivor });
  });
  // An event later written into the dropped month and deleted is not covered by that partition's record.
  await withClient(async (c) => {
    await insertEvents(c, t, "'2015-04-03'::timestamptz", 1, { eventType: "late.event" });
    await sealOnce(c, key);
  });
  await asTriggerlessSuperuser(async (su) => {
    const late = (await su.query("select event_id::text from warden.audit_events where tenant_id = $1 and event_type = 'late.event'", [t])).rows[0].event_id;
    await su.query("delete from warden.audit_events where event_id = $1", [late]);
    const r = await verifyTrail(su, key, { tenantId: t, inTransaction: true });
    expect(r.first_bad).toMatchObject({ reason: "missing", event_id: late });
  });
});

test("a forged unsigned prune record is never signed for the attacker: not by sealing, not by a retention run", async () => {
  const t = await withClient((c) => createTenant(c, "forged prune tenant"));
  let victim = "";
  await withClient(async (c) => {
    await insertEvents(c, t, "now() - interval '1 day'", 5, { eventType: "app.kept.done" });
    await sealOnce(c, key);
    victim = (await c.query("select event_id::text from warden.audit_events where tenant_id = $1 limit 1", [t])).rows[0].event_id;
  });
  // A superuser deletes a sealed event and writes a prune record for it, leaving it for someone to sign.
  await asTriggerlessSuperuser(async (su) => {
    await su.query("delete from warden.audit_events where event_id = $1", [victim]);
    await su.query(
      `insert into warden_private.prune_records (tenant_key, method, partition_name, event_ids, event_count)
       values ($1, 'rows', 'audit_events_default', array[$2::uuid], 1)`,
      [t, victim],
    );
  }, true);
  await withClient(async (c) => {
    await sealOnce(c, key); // the worker's sealing pass
    await retention(c); // the worker's (or `warden retention`'s) run, which holds the key
    const forged = await c.query(
      `select count(*)::int as n from warden_private.prune_records r join warden_private.prune_record_signatures s on s.record_id = r.id
       where r.tenant_key = $1`,
      [t],
    );
    expect(forged.rows[0].n).toBe(0);
    expect((await verifyTrail(c, key, { tenantId: t })).first_bad).toMatchObject({ reason: "missing", event_id: victim });
  });
});

test("retention run from plain SQL leaves its prune records unsigned (events count as missing) until an operator signs them", async () => {
  const t = await withClient((c) => createTenant(c, "sql retention tenant"));
  await withClient(async (c) => {
    await setPolicy(c, t, "*", 30);
    await insertEvents(c, t, "now() - interval '90 days'", 7, { eventType: "app.old.done" });
    await insertEvents(c, t, "now() - interval '1 day'", 3, { eventType: "app.new.done" });
    await sealOnce(c, key);
    // a DBA, without the sealing key
    await c.query("select set_config('warden.retention_default_days', $1, false)", [String(SEVEN_YEARS)]);
    const purged = await c.query("select coalesce(sum(rows_purged), 0)::int as n from warden.apply_retention(false) where tenant_id = $1", [t]);
    await c.query("select set_config('warden.retention_default_days', '', false)");
    expect(purged.rows[0].n).toBe(7);
    await sealOnce(c, key);
    expect((await verifyTrail(c, key, { tenantId: t })).first_bad).toMatchObject({ reason: "missing" });
    const pending = await pendingPruneRecords(c, "all_pending", 1000);
    expect(pending.filter((r) => r.tenantKey === t).reduce((n, r) => n + Number(r.eventCount), 0)).toBe(7);
    await c.query("begin");
    expect(await signPendingPruneRecords(c, key, "all_pending")).toBeGreaterThanOrEqual(1);
    await c.query("commit");
    expect(await verifyTrail(c, key, { tenantId: t })).toMatchObject({ ok: true, events_pruned: 7 });
  });
});

test("apply_retention runs as a daily worker job, and the metrics follow the totals", async () => {
  expect(crontab).toMatch(/^\d+ \d+ \* \* \* apply_retention \?id=apply_retention/m);
  const taskList = onceTaskList({ sealingKey: key });
  const previous = process.env.AUDIT_RETENTION_DAYS;
  process.env.AUDIT_RETENTION_DAYS = String(SEVEN_YEARS);
  try {
    await withClient(async (c) => {
      const t = await createTenant(c, "job tenant");
      await setPolicy(c, t, "*", 10);
      await insertEvents(c, t, "now() - interval '20 days'", 4);
      const before = (await c.query("select last_run_at from warden_private.retention_state")).rows[0].last_run_at;
      await c.query("select warden_private.enqueue_job('apply_retention')");
      await runTaskListOnce({ pgPool: ownerPool() }, taskList, c);
      const after = (await c.query("select last_run_at from warden_private.retention_state")).rows[0].last_run_at;
      expect(after).not.toBeNull();
      if (before) expect(after.getTime()).toBeGreaterThan(before.getTime());
      expect(await countOf(c, t, "event_type = 'app.thing.done'")).toBe(0);
      const left = await c.query("select count(*)::int as n from graphile_worker.jobs where task_identifier = 'apply_retention'");
      expect(left.rows[0].n).toBe(0);

      await refreshRetentionMetrics(ownerPool());
      const state = (await c.query("select rows_deleted::int as rows, partitions_dropped::int as parts from warden_private.retention_state")).rows[0];
      const text = await registry.metrics();
      expect(text).toContain(`warden_retention_rows_deleted_total ${state.rows}`);
      expect(text).toContain(`warden_retention_partitions_dropped_total ${state.parts}`);
      expect(text).toMatch(/warden_retention_last_run_timestamp_seconds \d+/);
    });
  } finally {
    if (previous === undefined) delete process.env.AUDIT_RETENTION_DAYS;
    else process.env.AUDIT_RETENTION_DAYS = previous;
  }
});

test("a policy records who set it", async () => {
  await rolledBack(async (c) => {
    const t = await createTenant(c);
    const u = await createUser(c, t, "owner");
    await actAs(c, { tenantId: t, actorId: u, tenantRole: "owner" });
    await c.query("select warden.set_retention_policy('*', 45)");
    await actAsOwner(c);
    const { rows } = await c.query("select days, created_by from warden_private.retention_policies where tenant_id = $1", [t]);
    expect(rows).toEqual([{ days: 45, created_by: u }]);
  });
});
