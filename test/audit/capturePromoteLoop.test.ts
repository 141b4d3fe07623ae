/**
 * How the worker runs promotion (tasks/promoteCapture.ts): one job runs
 * passes in a loop, promotes what commits while it runs, stops when its time
 * is up or at once on a graceful shutdown; and how sealing follows it
 * (src/audit/sealer.ts): a pass on its own promotes in a transaction of its
 * own before it seals, one inside the caller's transaction promotes inside it.
 *
 * These tests commit (promotion only takes committed transactions), so each
 * uses a schema of its own.
 */
import { randomUUID } from "node:crypto";
import { promoteLoop, promotePass, type PassResult, type PromoteDb } from "../../tasks/promoteCapture";
import { sealOnce } from "../../src/audit/sealer";
import { closePools, ownerPool, testSealingKey } from "../support/db";

afterAll(closePools);

const db: PromoteDb = {
  query: (text, values) => ownerPool().query(text, values),
  withClient: async (fn) => {
    const c = await ownerPool().connect();
    try {
      return await fn(c);
    } finally {
      c.release();
    }
  },
};

async function auditedTable(): Promise<string> {
  const schema = `pl_${randomUUID().slice(0, 8)}`;
  await ownerPool().query(`create schema ${schema}; create table ${schema}.t (id int primary key, v text)`);
  await ownerPool().query("select warden.enable_auditing($1::regclass, '{}')", [`${schema}.t`]);
  return `${schema}.t`;
}

async function eventCount(table: string): Promise<number> {
  const { rows } = await ownerPool().query("select count(*)::int as n from warden.audit_events where table_name = $1", [table]);
  return rows[0].n;
}

async function sealWatermark(): Promise<bigint> {
  return BigInt((await ownerPool().query("select watermark::text as w from warden_private.seal_state")).rows[0].w);
}

test("one job's loop runs passes until its time is up and promotes what commits meanwhile, exactly once", async () => {
  const table = await auditedTable();
  await ownerPool().query("select warden.flush_capture()");
  const passes: PassResult[] = [];
  const loop = promoteLoop(db, { intervalMs: 50, loopMs: 1500, parts: 1 }, undefined, (p) => passes.push(p));
  // writes committed while the loop runs, one transaction each
  const txids: bigint[] = [];
  for (let i = 1; i <= 20; i++) {
    const { rows } = await ownerPool().query(`insert into ${table} values ($1, 'x') returning pg_current_xact_id()::text as t`, [i]);
    txids.push(BigInt(rows[0].t));
    await new Promise((r) => setTimeout(r, 20));
  }
  const promoted = await loop;
  expect(passes.length).toBeGreaterThan(1);
  // the writes ended long before the loop did: its last pass's watermark is above every one of them, and it promoted each once
  const last = passes[passes.length - 1].below;
  expect(txids.every((t) => t < last)).toBe(true);
  expect(promoted).toBe(20);
  expect(await eventCount(table)).toBe(20);
  // more passes add nothing
  await promotePass(db, { parts: 1 });
  expect(await eventCount(table)).toBe(20);
});

test("an aborted loop (graceful shutdown) ends after the pass under way, however long its time", async () => {
  const table = await auditedTable();
  await ownerPool().query(`insert into ${table} values (1, 'a')`);
  const abort = new AbortController();
  let passes = 0;
  const loop = promoteLoop(db, { intervalMs: 1000, loopMs: 600_000, parts: 1 }, abort.signal, () => passes++);
  await new Promise((r) => setTimeout(r, 100));
  abort.abort();
  await loop; // resolves: jest's timeout would fail a loop that kept going
  expect(passes).toBeGreaterThanOrEqual(1);
  await ownerPool().query("select warden.flush_capture()");
  expect(await eventCount(table)).toBe(1);
});

test("a sealing pass on its own promotes first and commits that; one inside the caller's transaction promotes inside it", async () => {
  const key = testSealingKey();
  const table = await auditedTable();
  await ownerPool().query(`insert into ${table} values (1, 'a'), (2, 'b')`);
  // inside a transaction the caller rolls back: neither promoted nor sealed
  const c = await ownerPool().connect();
  try {
    const before = await sealWatermark();
    await c.query("begin");
    const r = await sealOnce(c, key, { inTransaction: true });
    expect(r.promoted).toBeGreaterThanOrEqual(2);
    await c.query("rollback");
    expect(await eventCount(table)).toBe(0);
    expect(await sealWatermark()).toBe(before);
    // on its own: promoted and sealed in the same pass
    const own = await sealOnce(c, key);
    expect(own.skipped).toBe(false);
    expect(own.promoted).toBeGreaterThanOrEqual(2);
    expect(await eventCount(table)).toBe(2);
    const { rows } = await ownerPool().query(
      "select count(*)::int as n from warden.audit_events where table_name = $1 and txid >= (select watermark from warden_private.seal_state)",
      [table],
    );
    expect(rows[0].n).toBe(0);
  } finally {
    c.release();
  }
});

test("the sealing pass's BRIN summary covers the txid ranges a promotion filled, and never waits for a session holding a partition", async () => {
  // Autovacuum (on in the embedded server) summarizes ranges itself and
  // holds the partition while it does, which would race the counts below:
  // off on the store's partitions for this test, then back to the default.
  const leaves = (
    await ownerPool().query<{ p: string }>("select relid::regclass::text as p from pg_partition_tree('warden.audit_events'::regclass) where isleaf")
  ).rows.map((r) => r.p);
  const autovacuum = (on: boolean) =>
    Promise.all(leaves.map((p) => ownerPool().query(`alter table ${p} ${on ? "reset (autovacuum_enabled)" : "set (autovacuum_enabled = off)"}`)));
  await autovacuum(false);
  try {
    await summarizesPromotedRanges();
  } finally {
    await autovacuum(true);
  }
});

/**
 * Where the heap puts promoted events depends on its free space: a vacuumed
 * partition (the embedded server runs autovacuum, and earlier tests delete
 * events) fills pages again whose ranges are summarized already, and the
 * insert keeps those summaries. So the ranges holding the table's events are
 * desummarized first, as new ranges are after a promotion appends them, and
 * the pass must summarize every one of them again.
 */
async function desummarizeRangesOf(table: string): Promise<void> {
  await ownerPool().query(
    `select brin_desummarize_range(i.indexrelid::regclass, b.blk)
     from (select distinct e.tableoid, ((e.ctid::text::point)[0])::bigint as blk from warden.audit_events e where e.table_name = $1) b
     join pg_index i on i.indrelid = b.tableoid
     join pg_class c on c.oid = i.indexrelid
     join pg_am a on a.oid = c.relam and a.amname = 'brin'`,
    [table],
  );
}

async function summarizesPromotedRanges(): Promise<void> {
  const table = await auditedTable();
  await ownerPool().query(`insert into ${table} select g, repeat('x', 200) from generate_series(1, 5000) g`);
  await ownerPool().query("select warden.flush_capture()");
  await desummarizeRangesOf(table);
  const summarize = async () => Number((await ownerPool().query("select warden_private.audit_events_summarize_txid()::text as n")).rows[0].n);
  // 5,000 events fill many 16-page ranges: summarized once, then nothing is left
  expect(await summarize()).toBeGreaterThan(0);
  expect(await summarize()).toBe(0);
  // the partition the events went to
  const { rows } = await ownerPool().query<{ p: string }>(
    "select tableoid::regclass::text as p from warden.audit_events where table_name = $1 limit 1",
    [table],
  );
  await ownerPool().query(`insert into ${table} select g, repeat('y', 200) from generate_series(5001, 10000) g`);
  await ownerPool().query("select warden.flush_capture()");
  await desummarizeRangesOf(table);
  // a vacuum (or anyone) holding the partition: skipped at once, not waited for
  const holder = await ownerPool().connect();
  try {
    await holder.query("begin");
    await holder.query(`lock table ${rows[0].p} in share update exclusive mode`);
    await summarize(); // returns: a wait would hold this test until jest's timeout
    await holder.query("rollback");
    // the ranges it skipped are summarized by the next pass
    expect(await summarize()).toBeGreaterThan(0);
  } finally {
    holder.release();
  }
}
