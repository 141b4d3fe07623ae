/**
 * Bench section "capture": the cost of Warden's trigger-based auditing.
 * The same workload runs on an unaudited table (bench.plain) and on an
 * identical audited one (bench.audited, warden.enable_auditing), alternating
 * plain/audited in every round of the same run:
 *   1. bulk INSERT ... SELECT generate_series (BENCH_ROWS, 100,000 rows)
 *   2. bulk UPDATE of every row, changing 5 columns
 *   3. DELETE of BENCH_DELETE_ROWS (20,000) rows, one statement
 *   4. single-row autocommit INSERTs from 2 concurrent clients for
 *      BENCH_SINGLE_SECONDS (5 s), synchronous_commit = off on both sides
 * Each figure is the best of BENCH_ROUNDS (2) rounds, as rows/s and as the
 * ratio audited/plain. Also: audit bytes per event, including indexes, as
 * the growth of warden.audit_events' partitions over the events written
 * (median of the rounds), split per index in the log.
 *
 * Two more tables measure what any capture of this shape costs at least,
 * on this machine, in the same run:
 *   bench.floor  the trigger shape the issue prescribes (statement-level
 *                AFTER triggers over the same transition tables as
 *                Warden's) around a function that does nothing;
 *   bench.copy   the same triggers copying the transition rows verbatim
 *                (old and new) into an unindexed table of the same shape:
 *                the least a capture can store that keeps old values.
 */
import type pg from "pg";
import type { BenchContext, BenchSection } from "./types";
import { best, checkpoint, connect, envInt, fmtInt, median, secondsSince, timed, withClient } from "./util";

const ROWS = envInt("BENCH_ROWS", 100_000);
const DELETE_ROWS = Math.min(envInt("BENCH_DELETE_ROWS", 20_000), ROWS);
const SINGLE_SECONDS = envInt("BENCH_SINGLE_SECONDS", 5);
const ROUNDS = envInt("BENCH_ROUNDS", 2);
const SINGLE_CLIENTS = 2;
/** Inserts per client before the single-row clock starts (plan caches, first trigger call). */
const SINGLE_WARMUP = 200;

/** Targets, audited / plain (rates) and bytes per event. */
const BULK_TARGET = 0.6;
const SINGLE_TARGET = 0.85;
const UPDATE_BYTES_TARGET = 600;

type Kind = "plain" | "floor" | "copy" | "audited";
const KINDS: readonly Kind[] = ["plain", "floor", "copy", "audited"];

/** Size of the audit store and its event count at one moment. */
interface AuditSize {
  events: number;
  heapBytes: number;
  indexBytes: number;
}

/** What one scenario wrote into the audit store. */
interface AuditGrowth {
  events: number;
  heapBytes: number;
  indexBytes: number;
}

interface BulkRound {
  insertRate: number;
  updateRate: number;
  deleteRate: number;
  insertGrowth: AuditGrowth;
  updateGrowth: AuditGrowth;
  deleteGrowth: AuditGrowth;
}

// --- the workload -----------------------------------------------------------

/** ~150 bytes of jsonb per row, as an application would keep in an attrs column. */
const ATTRS_SQL = `jsonb_build_object('sku', 'SKU-' || lpad(g::text, 8, '0'), 'channel', 'web',
  'tags', jsonb_build_array('priority', 'gift'), 'address', jsonb_build_object('city', 'Berlin', 'zip', '10115'),
  'note', repeat('x', 8))`;

const TENANT_SQL = `('00000000-0000-4000-8000-' || lpad((g % 16)::text, 12, '0'))::uuid`;

function createTableSql(kind: Kind): string {
  return `create table bench.${kind} (
    id bigserial primary key,
    tenant_id uuid not null,
    customer text,
    status text,
    amount numeric(12,2),
    qty int,
    note text,
    attrs jsonb,
    updated_at timestamptz
  ) with (autovacuum_enabled = off)`;
}

function bulkInsertSql(kind: Kind): string {
  return `insert into bench.${kind} (tenant_id, customer, status, amount, qty, note, attrs, updated_at)
    select ${TENANT_SQL}, 'customer ' || g, 'new', (g % 100000) / 100.0, g % 50, 'order note ' || g,
           ${ATTRS_SQL}, now() - interval '1 day'
    from generate_series(1, ${ROWS}) g`;
}

/** The "typical 5-column change": status, amount, qty, note, updated_at. */
function bulkUpdateSql(kind: Kind): string {
  return `update bench.${kind}
    set status = 'paid', amount = amount + 1, qty = qty + 1, note = note || ' (paid)', updated_at = now()`;
}

function bulkDeleteSql(kind: Kind): string {
  return `delete from bench.${kind} where id <= ${DELETE_ROWS}`;
}

/** Bodies of the floor tables' trigger functions (see the header). */
const FLOOR_BODIES: Partial<Record<Kind, string>> = {
  floor: "begin return null; end",
  copy: `begin
    if tg_op in ('UPDATE', 'DELETE') then insert into bench.copy_log select * from old_rows; end if;
    if tg_op in ('INSERT', 'UPDATE') then insert into bench.copy_log select * from new_rows; end if;
    return null;
  end`,
};

/** Warden's trigger shape (after-statement triggers, the same transition tables) around a floor body. */
function floorTriggersSql(kind: Kind, body: string): string {
  return `
  create or replace function bench.tg_${kind}() returns trigger language plpgsql set jit = off as $$ ${body} $$;
  create trigger _900_audit_insert after insert on bench.${kind} referencing new table as new_rows
    for each statement execute function bench.tg_${kind}();
  create trigger _900_audit_update after update on bench.${kind} referencing old table as old_rows new table as new_rows
    for each statement execute function bench.tg_${kind}();
  create trigger _900_audit_delete after delete on bench.${kind} referencing old table as old_rows
    for each statement execute function bench.tg_${kind}();`;
}

/** Drops and recreates the bench table (the only way to reset: audit events stay). */
async function recreateTable(c: pg.Client, kind: Kind): Promise<void> {
  await c.query(`drop table if exists bench.${kind}`);
  await c.query(createTableSql(kind));
  if (kind === "audited") await c.query("select warden.enable_auditing('bench.audited'::regclass, '{}'::jsonb)");
  if (kind === "copy") await c.query("drop table if exists bench.copy_log; create table bench.copy_log (like bench.copy) with (autovacuum_enabled = off)");
  const floorBody = FLOOR_BODIES[kind];
  if (floorBody) await c.query(floorTriggersSql(kind, floorBody));
}

// --- measuring the audit store ------------------------------------------------

async function auditSize(c: pg.Client): Promise<AuditSize> {
  const { rows } = await c.query<{ heap: string; idx: string; events: string }>(
    `select coalesce(sum(pg_table_size(inhrelid)), 0)::bigint as heap,
            coalesce(sum(pg_indexes_size(inhrelid)), 0)::bigint as idx,
            (select count(*) from warden.audit_events)::bigint as events
     from pg_inherits where inhparent = 'warden.audit_events'::regclass`,
  );
  return { events: Number(rows[0].events), heapBytes: Number(rows[0].heap), indexBytes: Number(rows[0].idx) };
}

/** Bytes of each index of warden.audit_events, summed over its partitions, by the parent index's name. */
async function auditIndexSizes(c: pg.Client): Promise<Map<string, number>> {
  const { rows } = await c.query<{ name: string; bytes: string }>(
    `select coalesce(pi.inhparent::regclass::text, i.indexrelid::regclass::text) as name,
            sum(pg_relation_size(i.indexrelid))::bigint as bytes
     from pg_inherits p
     join pg_index i on i.indrelid = p.inhrelid
     left join pg_inherits pi on pi.inhrelid = i.indexrelid
     where p.inhparent = 'warden.audit_events'::regclass
     group by 1`,
  );
  return new Map(rows.map((r) => [r.name, Number(r.bytes)]));
}

/** "name N B" for every index that grew, largest first, per event. */
function describeIndexGrowth(before: Map<string, number>, after: Map<string, number>, events: number): string {
  if (events <= 0) return "no audit events";
  return [...after]
    .map(([name, bytes]) => [name.replace(/^warden\.audit_events_/, ""), (bytes - (before.get(name) ?? 0)) / events] as const)
    .filter(([, per]) => per > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, per]) => `${name} ${fmtInt(per)}`)
    .join(", ");
}

function growth(before: AuditSize, after: AuditSize): AuditGrowth {
  return {
    events: after.events - before.events,
    heapBytes: after.heapBytes - before.heapBytes,
    indexBytes: after.indexBytes - before.indexBytes,
  };
}

/** Bytes per event, heap (with TOAST) plus indexes; NaN when nothing was written. */
function bytesPerEvent(g: AuditGrowth): number {
  return g.events > 0 ? (g.heapBytes + g.indexBytes) / g.events : NaN;
}

function describeGrowth(g: AuditGrowth): string {
  if (g.events <= 0) return "no audit events";
  const per = (n: number) => fmtInt(n / g.events);
  return `${fmtInt(g.events)} events, ${per(g.heapBytes + g.indexBytes)} B/event (heap ${per(g.heapBytes)} + indexes ${per(g.indexBytes)})`;
}

/** Warns when the audited table did not write one event per row (or the plain one wrote any). */
function checkEvents(ctx: BenchContext, kind: Kind, scenario: string, g: AuditGrowth, rows: number): void {
  const expected = kind === "audited" ? rows : 0;
  if (g.events !== expected) {
    ctx.log(`WARNING: ${kind} ${scenario} wrote ${g.events} audit events, expected ${expected}: figures are suspect`);
  }
}

/** Runs one timed statement and what it wrote into the audit store (index by index). */
async function measureStatement(c: pg.Client, sql: string): Promise<{ seconds: number; growth: AuditGrowth; indexes: string }> {
  const before = await auditSize(c);
  const indexesBefore = await auditIndexSizes(c);
  const [, seconds] = await timed(() => c.query(sql));
  const g = growth(before, await auditSize(c));
  return { seconds, growth: g, indexes: describeIndexGrowth(indexesBefore, await auditIndexSizes(c), g.events) };
}

// --- scenarios 1-3: bulk statements ------------------------------------------

/** Settles the table and the server between phases: visibility map, stats, no dirty pages. */
async function settle(ctx: BenchContext, c: pg.Client, kind: Kind): Promise<void> {
  await c.query(`vacuum analyze bench.${kind}`);
  await checkpoint(ctx.rootUrl);
}

async function bulkRound(ctx: BenchContext, c: pg.Client, kind: Kind, round: number): Promise<BulkRound> {
  await recreateTable(c, kind);
  await checkpoint(ctx.rootUrl);
  const ins = await measureStatement(c, bulkInsertSql(kind));
  checkEvents(ctx, kind, "INSERT", ins.growth, ROWS);
  await settle(ctx, c, kind);
  const upd = await measureStatement(c, bulkUpdateSql(kind));
  checkEvents(ctx, kind, "UPDATE", upd.growth, ROWS);
  await settle(ctx, c, kind);
  const del = await measureStatement(c, bulkDeleteSql(kind));
  checkEvents(ctx, kind, "DELETE", del.growth, DELETE_ROWS);
  ctx.log(
    `round ${round} ${kind.padEnd(7)}: insert ${ins.seconds.toFixed(2)} s, update ${upd.seconds.toFixed(2)} s, delete ${del.seconds.toFixed(2)} s`,
  );
  if (kind === "audited") {
    ctx.log(`  audit growth: INSERT ${describeGrowth(ins.growth)}`);
    ctx.log(`  audit growth: UPDATE ${describeGrowth(upd.growth)}`);
    ctx.log(`    UPDATE index bytes/event: ${upd.indexes}`);
    ctx.log(`  audit growth: DELETE ${describeGrowth(del.growth)}`);
  }
  return {
    insertRate: ROWS / ins.seconds,
    updateRate: ROWS / upd.seconds,
    deleteRate: DELETE_ROWS / del.seconds,
    insertGrowth: ins.growth,
    updateGrowth: upd.growth,
    deleteGrowth: del.growth,
  };
}

// --- scenario 4: single-row inserts from concurrent clients -----------------

const TENANTS = Array.from({ length: 16 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);

function singleRowValues(n: number): unknown[] {
  const attrs = {
    sku: `SKU-${String(n).padStart(8, "0")}`,
    channel: "web",
    tags: ["priority", "gift"],
    address: { city: "Berlin", zip: "10115" },
    note: "xxxxxxxx",
  };
  return [TENANTS[n % TENANTS.length], `customer ${n}`, ((n % 100000) / 100).toFixed(2), n % 50, `order note ${n}`, JSON.stringify(attrs)];
}

function singleInsert(kind: Kind, n: number): pg.QueryConfig {
  return {
    name: `bench_single_insert_${kind}`,
    text: `insert into bench.${kind} (tenant_id, customer, status, amount, qty, note, attrs, updated_at)
           values ($1, $2, 'new', $3, $4, $5, $6, now())`,
    values: singleRowValues(n),
  };
}

/** Inserts rows one statement at a time until the deadline; returns how many. */
async function insertUntil(c: pg.Client, kind: Kind, counter: { next: number }, deadline: number): Promise<number> {
  let done = 0;
  while (Date.now() < deadline) {
    await c.query(singleInsert(kind, counter.next++));
    done++;
  }
  return done;
}

async function warmUp(c: pg.Client, kind: Kind, counter: { next: number }): Promise<void> {
  for (let i = 0; i < SINGLE_WARMUP; i++) await c.query(singleInsert(kind, counter.next++));
}

/** Clients insert concurrently for SINGLE_SECONDS after a warm-up; returns rows/s. */
async function timedSingleRows(clients: pg.Client[], kind: Kind): Promise<{ rows: number; seconds: number }> {
  const counter = { next: 1 };
  await Promise.all(clients.map((c) => c.query("set synchronous_commit = off")));
  await Promise.all(clients.map((c) => warmUp(c, kind, counter)));
  const started = process.hrtime.bigint();
  const deadline = Date.now() + SINGLE_SECONDS * 1000;
  const counts = await Promise.all(clients.map((c) => insertUntil(c, kind, counter, deadline)));
  return { rows: counts.reduce((a, b) => a + b, 0), seconds: secondsSince(started) };
}

async function singleRowRun(ctx: BenchContext, c: pg.Client, kind: Kind, round: number): Promise<number> {
  await recreateTable(c, kind);
  await checkpoint(ctx.rootUrl);
  const before = await auditSize(c);
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < SINGLE_CLIENTS; i++) clients.push(await connect(ctx.ownerUrl));
    const { rows, seconds } = await timedSingleRows(clients, kind);
    ctx.log(`round ${round} ${kind.padEnd(7)}: single-row inserts ${fmtInt(rows)} in ${seconds.toFixed(2)} s (${SINGLE_CLIENTS} clients)`);
    const inserted = Number((await c.query<{ n: string }>(`select count(*) as n from bench.${kind}`)).rows[0].n);
    checkEvents(ctx, kind, "single-row INSERT", growth(before, await auditSize(c)), inserted);
    return rows / seconds;
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  }
}

// --- reporting ----------------------------------------------------------------

/** audited/plain against the target; the floors over plain as what this trigger shape allows at best (no target). */
function recordRate(ctx: BenchContext, name: string, rates: Record<Kind, number[]>, target: number): void {
  const p = best(rates.plain);
  const a = best(rates.audited);
  const f = best(rates.floor);
  const cp = best(rates.copy);
  ctx.record({
    name,
    baseline: `${fmtInt(p)} rows/s`,
    value: `${fmtInt(a)} rows/s`,
    ratio: a / p,
    target: `>= ${target.toFixed(2)}x`,
    met: a / p >= target,
  });
  ctx.record({ name: "  floor: no-op trigger, same transition tables", baseline: `${fmtInt(p)} rows/s`, value: `${fmtInt(f)} rows/s`, ratio: f / p });
  ctx.record({ name: "  floor: transition rows copied verbatim, no index", baseline: `${fmtInt(p)} rows/s`, value: `${fmtInt(cp)} rows/s`, ratio: cp / p });
}

function recordBytes(ctx: BenchContext, name: string, growths: AuditGrowth[], target?: number): void {
  const bytes = median(growths.map(bytesPerEvent));
  ctx.record({
    name,
    value: `${fmtInt(bytes)} B/event`,
    target: target === undefined ? undefined : `<= ${target} B`,
    met: target === undefined ? undefined : bytes <= target,
  });
}

function reportBulk(ctx: BenchContext, rounds: Record<Kind, BulkRound[]>): void {
  const rates = (pick: (r: BulkRound) => number) =>
    Object.fromEntries(KINDS.map((kind) => [kind, rounds[kind].map(pick)])) as Record<Kind, number[]>;
  recordRate(ctx, `bulk INSERT ... SELECT ${fmtInt(ROWS)} rows`, rates((r) => r.insertRate), BULK_TARGET);
  recordRate(ctx, `bulk UPDATE ${fmtInt(ROWS)} rows, 5 columns`, rates((r) => r.updateRate), BULK_TARGET);
  recordRate(ctx, `DELETE ${fmtInt(DELETE_ROWS)} rows, one statement`, rates((r) => r.deleteRate), BULK_TARGET);
}

function reportBytes(ctx: BenchContext, rounds: BulkRound[]): void {
  recordBytes(ctx, "audit bytes/event, UPDATE 5 columns (heap+TOAST+indexes)", rounds.map((r) => r.updateGrowth), UPDATE_BYTES_TARGET);
  recordBytes(ctx, "audit bytes/event, INSERT (heap+TOAST+indexes)", rounds.map((r) => r.insertGrowth));
  recordBytes(ctx, "audit bytes/event, DELETE (heap+TOAST+indexes)", rounds.map((r) => r.deleteGrowth));
}

// --- the section --------------------------------------------------------------

async function runBulk(ctx: BenchContext): Promise<Record<Kind, BulkRound[]>> {
  const rounds: Record<Kind, BulkRound[]> = { plain: [], floor: [], copy: [], audited: [] };
  await withClient(ctx.ownerUrl, async (c) => {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const kind of KINDS) rounds[kind].push(await bulkRound(ctx, c, kind, round));
    }
  });
  return rounds;
}

async function runSingleRow(ctx: BenchContext): Promise<Record<Kind, number[]>> {
  const rates: Record<Kind, number[]> = { plain: [], floor: [], copy: [], audited: [] };
  await withClient(ctx.ownerUrl, async (c) => {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const kind of KINDS) rates[kind].push(await singleRowRun(ctx, c, kind, round));
    }
  });
  return rates;
}

async function dropBenchTables(ctx: BenchContext): Promise<void> {
  await withClient(ctx.ownerUrl, (c) => c.query(
      "drop table if exists bench.plain, bench.floor, bench.copy, bench.copy_log, bench.audited; drop function if exists bench.tg_floor(), bench.tg_copy()",
    ),
  );
}

export const captureSection: BenchSection = {
  name: "capture",
  async run(ctx) {
    ctx.log(`bench.plain vs bench.floor vs bench.audited; ${fmtInt(ROWS)} rows, delete ${fmtInt(DELETE_ROWS)}, ${ROUNDS} rounds, best of rounds`);
    await withClient(ctx.ownerUrl, (c) => c.query("create schema if not exists bench"));
    const bulk = await runBulk(ctx);
    reportBulk(ctx, bulk);
    const single = await runSingleRow(ctx);
    recordRate(ctx, `single-row INSERT, ${SINGLE_CLIENTS} clients, ${SINGLE_SECONDS} s`, single, SINGLE_TARGET);
    reportBytes(ctx, bulk.audited);
    await dropBenchTables(ctx);
  },
};
