/**
 * Bench section "capture": the cost of Warden's trigger-based auditing.
 * The same workload runs on an unaudited table (bench.plain) and on an
 * identical audited one (bench.audited, warden.enable_auditing), in the
 * same rounds of the same run:
 *   1. bulk INSERT ... SELECT generate_series (BENCH_ROWS, 100,000 rows)
 *   2. bulk UPDATE of every row, changing 5 columns
 *   3. DELETE of BENCH_DELETE_ROWS (20,000) rows, one statement
 *   2b. the bulk UPDATE again on a session that first ran 20 single-row
 *      UPDATEs of the table (plan caching must not pair it quadratically)
 *   4. single-row autocommit INSERTs, then UPDATEs, from 2 concurrent
 *      clients for BENCH_SINGLE_SECONDS (5 s) each, synchronous_commit = off
 * Each rate is the best of BENCH_ROUNDS (2) rounds, and the ratio
 * audited/plain is judged against the targets of the capture issue.
 *
 * Capture appends to the capture log in the writing transaction; the worker
 * promotes it into warden.audit_events. So the section also measures:
 *   - what the promotion of each bulk statement's events costs (CPU of the
 *     promoting session), and the total CPU per audited row (writing
 *     statement plus promotion) beside the capture Warden used before
 *     (bench.direct: the generic trigger that wrote the store directly,
 *     still in the schema as warden_private.tg_audit_capture);
 *   - promotion throughput: a backlog of BENCH_BACKLOG (1,000,000) row
 *     events promoted as the worker promotes a large backlog (a round of
 *     WARDEN_PROMOTE_PARTS parts running at once) with nothing else running,
 *     beside its floors from the same backlog: building the events alone,
 *     and a raw INSERT of already-built events into the store, one session
 *     each (wall clock and CPU);
 *   - capture lag: commit to promoted (and to sealed), p50/p99/max, at a
 *     steady BENCH_LAG_RATE (5,000) single-row writes/s over
 *     BENCH_LAG_CLIENTS (8) connections for BENCH_LAG_SECONDS (15 s), with
 *     the worker's own promotion loop (tasks/promoteCapture.ts) and a
 *     sealing pass every second;
 *   - bytes per event in the store (heap, TOAST and every index) after
 *     promotion.
 *
 * Two more tables measure what any capture of this shape costs at least,
 * in the same rounds:
 *   bench.floor  statement-level AFTER triggers over the same transition
 *                tables around a function that does nothing;
 *   bench.copy   the same triggers copying the transition rows verbatim
 *                (old and new) into an unindexed table.
 * and, for the single-row statements, what any capture that keeps the
 * capture promise costs at least:
 *   bench.minimal the same triggers around a security definer function
 *                (search_path pinned, jit off: the writer cannot write the
 *                log itself) that reads the request context as Warden's
 *                does and appends one record per transition row (the
 *                context and the row verbatim, old and new rows as
 *                separate records, nothing compared) to an unindexed table;
 *   bench.layout the minimal secure capture in the capture issue's record
 *                layout: the same context and rows, plus the statement
 *                record (context, operation, row count) once per statement,
 *                written in the same SQL statement as the rows (so they
 *                share its command id, as Warden pairs them). What Warden
 *                adds beyond it is comparison, typing and routing.
 *   bench.changes the same in the layout the issue asks of an UPDATE (single-row
 *                UPDATEs only): one record per row with the key, the tenant
 *                and only the changed columns' old and new values, decided
 *                by typed comparisons (text compared under "C", as Warden
 *                compares), unchanged rows skipped, the statement record
 *                counting what was written. It pairs old and new rows by a
 *                cross join, which is right for a one-row statement only,
 *                and cheaper than any pairing a many-row statement needs:
 *                it is run on single-row UPDATEs and nothing else. What
 *                Warden adds beyond it is routing (the generation slot, the
 *                statement's size) and its guards.
 *
 * CPU is read from /proc/<pid>/schedstat of the server backends (the bench
 * server runs on this machine); without it the CPU lines are left out.
 */
import fs from "node:fs";
import type pg from "pg";
import { sealOnce } from "../src/audit/sealer";
import type { BenchContext, BenchSection } from "./types";
import { promoteLoop, promoteOptionsFromEnv, type PromoteDb } from "../tasks/promoteCapture";
import { best, checkpoint, connect, envInt, fmtInt, median, secondsSince, timed, withClient, benchSealingKey } from "./util";

const ROWS = envInt("BENCH_ROWS", 100_000);
const DELETE_ROWS = Math.min(envInt("BENCH_DELETE_ROWS", 20_000), ROWS);
const SINGLE_SECONDS = envInt("BENCH_SINGLE_SECONDS", 5);
const ROUNDS = envInt("BENCH_ROUNDS", 2);
const BACKLOG = envInt("BENCH_BACKLOG", 1_000_000);
const LAG_RATE = envInt("BENCH_LAG_RATE", 5_000);
const LAG_SECONDS = envInt("BENCH_LAG_SECONDS", 15);

/**
 * Parts of the section to run (BENCH_CAPTURE_PARTS, comma list; all when
 * unset): bulk (the bulk rounds of every table kind and their rates), bytes
 * (the store's bytes per event: the bulk rounds of the audited and direct
 * tables only, when bulk is not named), single, promotion, lag.
 */
const CAPTURE_PARTS = ["bulk", "bytes", "single", "promotion", "lag"] as const;
type CapturePart = (typeof CAPTURE_PARTS)[number];
const PARTS: ReadonlySet<CapturePart> = (() => {
  const named = (process.env.BENCH_CAPTURE_PARTS ?? "").split(",").map((x) => x.trim().toLowerCase()).filter(Boolean);
  const unknown = named.filter((x) => !(CAPTURE_PARTS as readonly string[]).includes(x));
  if (unknown.length) throw new Error(`BENCH_CAPTURE_PARTS: unknown part(s) ${unknown.join(", ")} (parts: ${CAPTURE_PARTS.join(", ")})`);
  return new Set((named.length ? named : CAPTURE_PARTS) as CapturePart[]);
})();
/** Writer connections of the lag run: enough that the rate is held on a busy 2-core machine. */
const LAG_CLIENTS = envInt("BENCH_LAG_CLIENTS", 8);
/** Parts of a promotion round, as the worker's WARDEN_PROMOTE_PARTS (default 2). */
const PROMOTE_PARTS = envInt("WARDEN_PROMOTE_PARTS", 2);
const SINGLE_CLIENTS = 2;
/** Statements per client before the single-row clock starts (plan caches, first trigger call). */
const SINGLE_WARMUP = 200;
/** Rows the single-row UPDATEs pick from. */
const UPDATE_ROWS = 20_000;

/** Targets (audited / plain) of the capture issue, and the store's bytes per event. */
const TARGETS = { insert: 0.7, update: 0.45, delete: 0.25, singleInsert: 0.7, singleUpdate: 0.6 } as const;
const UPDATE_BYTES_TARGET = 600;
const PROMOTION_TARGET = 50_000;
const LAG_P99_TARGET = 2;

type Kind = "plain" | "floor" | "copy" | "minimal" | "layout" | "changes" | "audited" | "direct";
/** The tables of the bulk rounds. */
const KINDS: readonly Kind[] = ["plain", "floor", "copy", "audited", "direct"];
/** The tables of the single-row runs: the bulk ones and the minimal secure capture, alone, in the issue's layout and in its UPDATE layout. */
const SINGLE_KINDS: readonly Kind[] = ["plain", "floor", "copy", "minimal", "layout", "changes", "audited", "direct"];
/** Kinds a single-row operation runs on: the changes floor differs from the layout floor only in an UPDATE. */
const singleKinds = (op: SingleOp): readonly Kind[] => SINGLE_KINDS.filter((k) => k !== "changes" || op === "update");

/** CPU seconds a server backend has used (schedstat: nanoseconds on CPU); null where unreadable. */
function backendCpu(pid: number): number | null {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e9;
  } catch {
    return null;
  }
}

async function backendPid(c: pg.Client): Promise<number> {
  return (await c.query<{ p: number }>("select pg_backend_pid() as p")).rows[0].p;
}

/** Wall seconds and backend CPU seconds of one statement. */
async function measure(c: pg.Client, pid: number, sql: string, params: unknown[] = []): Promise<{ seconds: number; cpu: number | null }> {
  const cpu0 = backendCpu(pid);
  const [, seconds] = await timed(() => c.query(sql, params));
  const cpu1 = backendCpu(pid);
  return { seconds, cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
}

// --- the workload -----------------------------------------------------------

/** ~150 bytes of jsonb per row, as an application would keep in an attrs column. */
const ATTRS_SQL = `jsonb_build_object('sku', 'SKU-' || lpad(g::text, 8, '0'), 'channel', 'web',
  'tags', jsonb_build_array('priority', 'gift'), 'address', jsonb_build_object('city', 'Berlin', 'zip', '10115'),
  'note', repeat('x', 8))`;

const TENANT_SQL = `('00000000-0000-4000-8000-' || lpad((g % 16)::text, 12, '0'))::uuid`;

function createTableSql(kind: Kind): string {
  return `create table bench.${kind} (
    id bigint generated by default as identity primary key,
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

function bulkInsertSql(kind: Kind, rows = ROWS): string {
  return `insert into bench.${kind} (tenant_id, customer, status, amount, qty, note, attrs, updated_at)
    select ${TENANT_SQL}, 'customer ' || g, 'new', (g % 100000) / 100.0, g % 50, 'order note ' || g,
           ${ATTRS_SQL}, now() - interval '1 day'
    from generate_series(1, ${rows}) g`;
}

/** The "typical 5-column change": status, amount, qty, note, updated_at. */
function bulkUpdateSql(kind: Kind, tag = "paid"): string {
  return `update bench.${kind}
    set status = '${tag}', amount = amount + 1, qty = qty + 1, note = note || ' (${tag})', updated_at = now()`;
}

function bulkDeleteSql(kind: Kind): string {
  return `delete from bench.${kind} where id <= ${DELETE_ROWS}`;
}

/** The request context, read as Warden's generated function reads it (the declarations, then the reads). */
const CONTEXT_DECLARE = `
    v_tx bigint := pg_current_xact_id()::text::bigint;
    v_tenant uuid := nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid;
    v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
    v_extra jsonb := nullif(current_setting('warden.context_extra', true), '')::jsonb;
    v_trace text := nullif(current_setting('warden.trace_id', true), '');
    v_actor_type text;
    v_ip inet;
    v_ua text;
    v_service text;`;
const CONTEXT_READ = `
    if v_actor_id is null then
      v_actor_type := 'db_role';
      v_actor_id := session_user;
      v_ip := inet_client_addr();
      v_service := nullif(current_setting('application_name', true), '');
    else
      v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user');
      v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
      v_service := v_extra ->> 'service';
    end if;
    v_ua := coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent');`;

/**
 * The minimal secure capture (see the header): the request context read as
 * Warden's generated function reads it, one record per transition row.
 */
const MINIMAL_BODY = `
  declare ${CONTEXT_DECLARE}
  begin ${CONTEXT_READ}
    if tg_op in ('UPDATE', 'DELETE') then
      insert into bench.minimal_log
      select v_tx, left(tg_op, 1), now(), v_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_extra ->> 'correlation_id', v_service, o.*
      from old_rows o;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
      insert into bench.minimal_log
      select v_tx, left(tg_op, 1), now(), v_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_extra ->> 'correlation_id', v_service, n.*
      from new_rows n;
    end if;
    return null;
  end`;

/**
 * The same in the capture issue's layout (see the header): the context in
 * a statement record once per statement, the rows verbatim (old and new as
 * separate records), in one SQL statement. A floor's statement record
 * counts its source (a transition table, or r: what the statement wrote) and
 * is written only when that count is above zero.
 */
function statementRecordSql(table: "layout_statements" | "changes_statements", source: "new_rows" | "old_rows" | "r"): string {
  return `insert into bench.${table}
      select v_tx, left(tg_op, 1), c.n, now(), v_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_extra ->> 'correlation_id', v_service
      from (select count(*) as n from ${source}) c where c.n > 0`;
}
const LAYOUT_BODY = `
  declare ${CONTEXT_DECLARE}
  begin ${CONTEXT_READ}
    if tg_op = 'INSERT' then
      with r as (insert into bench.layout_log select v_tx, n.* from new_rows n)
      ${statementRecordSql("layout_statements", "new_rows")};
    elsif tg_op = 'UPDATE' then
      with o as (insert into bench.layout_log select v_tx, o.* from old_rows o),
           r as (insert into bench.layout_log select v_tx, n.* from new_rows n)
      ${statementRecordSql("layout_statements", "new_rows")};
    else
      with r as (insert into bench.layout_log select v_tx, o.* from old_rows o)
      ${statementRecordSql("layout_statements", "old_rows")};
    end if;
    return null;
  end`;

/**
 * The bench table's columns as Warden's generator compares them: text under
 * "C" (Warden's "collated"), every other type by its own equality.
 */
const CHANGES_COLUMNS: readonly { name: string; type: string; collated: boolean; always: boolean }[] = [
  { name: "id", type: "bigint", collated: false, always: true },
  { name: "tenant_id", type: "uuid", collated: false, always: true },
  { name: "customer", type: "text", collated: true, always: false },
  { name: "status", type: "text", collated: true, always: false },
  { name: "amount", type: "numeric(12,2)", collated: false, always: false },
  { name: "qty", type: "int", collated: false, always: false },
  { name: "note", type: "text", collated: true, always: false },
  { name: "attrs", type: "jsonb", collated: false, always: false },
  { name: "updated_at", type: "timestamptz", collated: false, always: false },
];
const changed = (c: { name: string; collated: boolean }) =>
  c.collated ? `o.${c.name} collate "C" is distinct from n.${c.name} collate "C"` : `o.${c.name} is distinct from n.${c.name}`;

/** An INSERT's (new rows, n_ columns) or DELETE's (old rows, o_ columns) records in the changes floor, as the layout floor writes them. */
function changesRowsSql(side: "o" | "n", rows: "new_rows" | "old_rows"): string {
  return `with r as (
        insert into bench.changes_log (txid, ${CHANGES_COLUMNS.map((c) => `${side}_${c.name}`).join(", ")})
        select v_tx, ${CHANGES_COLUMNS.map((c) => `x.${c.name}`).join(", ")} from ${rows} x)
      ${statementRecordSql("changes_statements", rows)}`;
}

/**
 * The issue's UPDATE layout (see the header): the key and the tenant always,
 * other columns only when changed, rows with no change skipped, in one SQL
 * statement with the statement record counting what was written. INSERT and
 * DELETE as the layout floor.
 */
const CHANGES_BODY = `
  declare ${CONTEXT_DECLARE}
  begin ${CONTEXT_READ}
    if tg_op = 'UPDATE' then
      with r as (
        insert into bench.changes_log
        select v_tx, ${CHANGES_COLUMNS.map((c) => (c.always ? `o.${c.name}, n.${c.name}` : `case when ${changed(c)} then o.${c.name} end, case when ${changed(c)} then n.${c.name} end`)).join(",\n          ")}
        from old_rows o cross join new_rows n
        where ${CHANGES_COLUMNS.map(changed).join(" or ")}
        returning 1)
      ${statementRecordSql("changes_statements", "r")};
    elsif tg_op = 'INSERT' then
      -- the UPDATE runs' rows are inserted first: the row, as the layout floor
      ${changesRowsSql("n", "new_rows")};
    else
      ${changesRowsSql("o", "old_rows")};
    end if;
    return null;
  end`;

/** Attributes of a floor's trigger function besides jit = off (the minimal secure capture runs as its owner, as Warden's does). */
const FLOOR_ATTRIBUTES: Partial<Record<Kind, string>> = {
  minimal: "security definer set search_path = pg_catalog",
  layout: "security definer set search_path = pg_catalog",
  changes: "security definer set search_path = pg_catalog",
};

/** Bodies of the floor tables' trigger functions (see the header). */
const FLOOR_BODIES: Partial<Record<Kind, string>> = {
  floor: "begin return null; end",
  copy: `begin
    if tg_op in ('UPDATE', 'DELETE') then insert into bench.copy_log select * from old_rows; end if;
    if tg_op in ('INSERT', 'UPDATE') then insert into bench.copy_log select * from new_rows; end if;
    return null;
  end`,
  minimal: MINIMAL_BODY,
  layout: LAYOUT_BODY,
  changes: CHANGES_BODY,
};

/** Warden's trigger shape (after-statement triggers, the same transition tables) around a floor body. */
function floorTriggersSql(kind: Kind, body: string): string {
  return `
  create or replace function bench.tg_${kind}() returns trigger language plpgsql ${FLOOR_ATTRIBUTES[kind] ?? ""} set jit = off as $$ ${body} $$;
  revoke all on function bench.tg_${kind}() from public;
  create trigger _900_audit_insert after insert on bench.${kind} referencing new table as new_rows
    for each statement execute function bench.tg_${kind}();
  create trigger _900_audit_update after update on bench.${kind} referencing old table as old_rows new table as new_rows
    for each statement execute function bench.tg_${kind}();
  create trigger _900_audit_delete after delete on bench.${kind} referencing old table as old_rows
    for each statement execute function bench.tg_${kind}();`;
}

/** The capture Warden used before the capture log: one generic trigger function writing the store directly. */
function directTriggersSql(): string {
  const meta = JSON.stringify({
    _meta: { pk: "{id}", table: "bench.direct", redact: "{}", exclude: "{}", event_prefix: "db.bench.direct." },
    capture: "changes",
    tenant_column: "tenant_id",
    redact_columns: [],
    skip_unchanged: true,
    exclude_columns: [],
  }).replace(/'/g, "''");
  const fn = `warden_private.tg_audit_capture('${meta}')`;
  return `
  create trigger _900_audit_insert after insert on bench.direct referencing new table as new_rows for each statement execute function ${fn};
  create trigger _900_audit_update after update on bench.direct referencing old table as old_rows new table as new_rows for each statement execute function ${fn};
  create trigger _900_audit_delete after delete on bench.direct referencing old table as old_rows for each statement execute function ${fn};`;
}

/** The columns of a floor's statement records. */
const STATEMENT_COLUMNS = `txid bigint not null, op text not null, row_count bigint not null, occurred_at timestamptz not null, ctx_tenant_id uuid,
  actor_type text, actor_id text, actor_ip inet, user_agent text, trace_id text, correlation_id text, service text`;

/** Drops and recreates the bench table (the only way to reset: audit events stay). */
async function recreateTable(c: pg.Client, kind: Kind): Promise<void> {
  if (kind === "audited") await c.query("select warden.disable_auditing(to_regclass('bench.audited')) where to_regclass('bench.audited') is not null");
  await c.query(`drop table if exists bench.${kind}`);
  await c.query(createTableSql(kind));
  if (kind === "audited") await c.query("select warden.enable_auditing('bench.audited'::regclass, '{}'::jsonb)");
  if (kind === "direct") await c.query(directTriggersSql());
  if (kind === "copy") await c.query("drop table if exists bench.copy_log; create table bench.copy_log (like bench.copy) with (autovacuum_enabled = off)");
  if (kind === "minimal") {
    await c.query(`drop table if exists bench.minimal_log; create table bench.minimal_log (
      txid bigint not null, op text not null, occurred_at timestamptz not null, ctx_tenant_id uuid, actor_type text, actor_id text,
      actor_ip inet, user_agent text, trace_id text, correlation_id text, service text, like bench.minimal
    ) with (autovacuum_enabled = off)`);
  }
  if (kind === "layout") {
    await c.query(`drop table if exists bench.layout_log; create table bench.layout_log (txid bigint not null, like bench.layout) with (autovacuum_enabled = off);
      drop table if exists bench.layout_statements; create table bench.layout_statements (${STATEMENT_COLUMNS}) with (autovacuum_enabled = off)`);
  }
  if (kind === "changes") {
    await c.query(`drop table if exists bench.changes_log; create table bench.changes_log (txid bigint not null,
        ${CHANGES_COLUMNS.map((col) => `o_${col.name} ${col.type}, n_${col.name} ${col.type}`).join(", ")}) with (autovacuum_enabled = off);
      drop table if exists bench.changes_statements; create table bench.changes_statements (${STATEMENT_COLUMNS}) with (autovacuum_enabled = off)`);
  }
  const floorBody = FLOOR_BODIES[kind];
  if (floorBody) await c.query(floorTriggersSql(kind, floorBody));
}

// --- measuring the audit store ------------------------------------------------

interface AuditSize {
  events: number;
  heapBytes: number;
  indexBytes: number;
}

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

function describeIndexGrowth(before: Map<string, number>, after: Map<string, number>, events: number): string {
  if (events <= 0) return "no audit events";
  return [...after]
    .map(([name, bytes]) => [name.replace(/^warden\.audit_events_/, ""), (bytes - (before.get(name) ?? 0)) / events] as const)
    .filter(([, per]) => per > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, per]) => `${name} ${fmtInt(per)}`)
    .join(", ");
}

interface AuditGrowth {
  events: number;
  heapBytes: number;
  indexBytes: number;
}

function growth(before: AuditSize, after: AuditSize): AuditGrowth {
  return { events: after.events - before.events, heapBytes: after.heapBytes - before.heapBytes, indexBytes: after.indexBytes - before.indexBytes };
}

function bytesPerEvent(g: AuditGrowth): number {
  return g.events > 0 ? (g.heapBytes + g.indexBytes) / g.events : NaN;
}

function describeGrowth(g: AuditGrowth): string {
  if (g.events <= 0) return "no audit events";
  const per = (n: number) => fmtInt(n / g.events);
  return `${fmtInt(g.events)} events, ${per(g.heapBytes + g.indexBytes)} B/event (heap ${per(g.heapBytes)} + indexes ${per(g.indexBytes)})`;
}

// --- the store's layout against the layout before and the floor ---------------

/**
 * Same-run comparisons for the UPDATE's row events, on unpartitioned scratch
 * tables filled with the very events just promoted, in their promotion order
 * (event_id):
 *   - before: the store's layout before the leaner row event (every column
 *     stored, the full index set of 2026-12-05: tenant_time, resource with
 *     occurred_at, type, actor, pkey, and the partial ones that row events
 *     skip anyway);
 *   - floor: the least a row event with the required content occupies: only
 *     the columns that cannot be derived (ids, times, tenant, txid, actor,
 *     table, key, old and new values; context columns are null in the bench
 *     and cost nothing), fixed-width columns first, and only the two indexes
 *     every event needs (primary key, tenant/time paging).
 */
const LAYOUT_SQL = `
  drop table if exists bench.layout_before, bench.layout_floor, bench.layout_derived;
  create table bench.layout_before (like warden.audit_events) with (autovacuum_enabled = off);
  alter table bench.layout_before add primary key (event_id, occurred_at);
  create index layout_before_tenant_time on bench.layout_before (tenant_id, occurred_at, event_id);
  create index layout_before_resource on bench.layout_before (tenant_id, resource_type, resource_id, occurred_at);
  create index layout_before_type on bench.layout_before (tenant_id, event_type, occurred_at);
  create index layout_before_actor on bench.layout_before (tenant_id, actor_id, occurred_at);
  create index layout_before_correlation on bench.layout_before (tenant_id, correlation_id) where correlation_id is not null;
  create index layout_before_trace on bench.layout_before (tenant_id, trace_id) where trace_id is not null;
  create index layout_before_outcome on bench.layout_before (tenant_id, outcome, occurred_at) where outcome <> 'success';
  create index layout_before_project on bench.layout_before (tenant_id, project_id, occurred_at desc, event_id desc) where project_id is not null;
  create index layout_before_data on bench.layout_before using gin (event_data jsonb_path_ops) where event_data is not null;
  create index layout_before_txid on bench.layout_before using brin (txid) with (pages_per_range = 16);
  create table bench.layout_floor (
    occurred_at timestamptz not null, recorded_at timestamptz not null, txid bigint not null,
    event_id uuid not null, tenant_id uuid, actor_type warden.actor_type not null, actor_id text not null,
    table_name text, row_pk jsonb, old_values jsonb, new_values jsonb,
    primary key (event_id, occurred_at)
  ) with (autovacuum_enabled = off);
  create index layout_floor_tenant_time on bench.layout_floor (tenant_id, occurred_at, event_id);
  create table bench.layout_derived (like warden.audit_events) with (autovacuum_enabled = off);
  alter table bench.layout_derived add primary key (event_id, occurred_at);
  create index layout_derived_tenant_time on bench.layout_derived (tenant_id, occurred_at, event_id);
  create index layout_derived_resource on bench.layout_derived (tenant_id, resource_type, resource_id);
  create index layout_derived_type on bench.layout_derived (tenant_id, event_type, occurred_at);
  create index layout_derived_actor on bench.layout_derived (tenant_id, actor_id, occurred_at);
  create index layout_derived_txid on bench.layout_derived using brin (txid) with (pages_per_range = 16);
  alter table bench.layout_derived alter event_type drop not null, alter category drop not null;`;

interface LayoutFigures {
  events: number;
  before: { heap: number; indexes: number; breakdown: string };
  floor: { heap: number; indexes: number };
  /** Today's index set with the derivable columns left null (event_type, category, resource_type, resource_id, changed_fields). */
  derived: { heap: number; indexes: number };
}

async function relationBytes(c: pg.Client, table: string): Promise<{ heap: number; indexes: number; breakdown: string }> {
  const { rows } = await c.query<{ heap: string; idx: string; b: string | null }>(
    `select pg_table_size($1::regclass)::bigint as heap, pg_indexes_size($1::regclass)::bigint as idx,
            (select string_agg(i.indexrelid::regclass::text || '=' || pg_relation_size(i.indexrelid), ',') from pg_index i where i.indrelid = $1::regclass) as b`,
    [table],
  );
  return { heap: Number(rows[0].heap), indexes: Number(rows[0].idx), breakdown: rows[0].b ?? "" };
}

/** Copies the row events written after txid `above` into the before and floor layouts and measures them. */
async function layoutFigures(c: pg.Client, above: string): Promise<LayoutFigures> {
  await c.query(LAYOUT_SQL);
  const where = `from warden.audit_events e where e.txid > $1::bigint and e.table_name = 'bench.audited' order by e.event_id`;
  const { rowCount } = await c.query(`insert into bench.layout_before select e.* ${where}`, [above]);
  await c.query(
    `insert into bench.layout_floor select e.occurred_at, e.recorded_at, e.txid, e.event_id, e.tenant_id, e.actor_type, e.actor_id,
            e.table_name, e.row_pk, e.old_values, e.new_values ${where}`,
    [above],
  );
  await c.query(
    `insert into bench.layout_derived select e.event_id, e.occurred_at, e.recorded_at, e.tenant_id, null, null, e.action, e.outcome,
            e.severity, e.actor_type, e.actor_id, e.actor_ip, e.user_agent, null, null, e.correlation_id, e.trace_id, e.parent_event_id,
            e.service, e.txid, e.table_name, e.row_pk, null, e.old_values, e.new_values, e.event_data, e.project_id ${where}`,
    [above],
  );
  const events = rowCount ?? 0;
  const before = await relationBytes(c, "bench.layout_before");
  const floor = await relationBytes(c, "bench.layout_floor");
  const derived = await relationBytes(c, "bench.layout_derived");
  await c.query("drop table bench.layout_before, bench.layout_floor, bench.layout_derived");
  const breakdown = before.breakdown
    .split(",")
    .filter(Boolean)
    .map((x) => x.replace(/^bench\.layout_before_?/, "").split("="))
    .map(([n, b]) => [n, Number(b) / Math.max(events, 1)] as const)
    .filter(([, per]) => per > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([n, per]) => `${n} ${fmtInt(per)}`)
    .join(", ");
  return { events, before: { heap: before.heap, indexes: before.indexes, breakdown }, floor: { heap: floor.heap, indexes: floor.indexes }, derived: { heap: derived.heap, indexes: derived.indexes } };
}

function layoutPer(f: LayoutFigures, which: "before" | "floor" | "derived"): number {
  return f.events > 0 ? (f[which].heap + f[which].indexes) / f.events : NaN;
}

// --- promotion ------------------------------------------------------------------

/** A separate session that promotes, as the worker's does. */
interface Promoter {
  c: pg.Client;
  pid: number;
}

async function promote(p: Promoter): Promise<{ events: number; seconds: number; cpu: number | null }> {
  const cpu0 = backendCpu(p.pid);
  const [res, seconds] = await timed(() => p.c.query<{ n: string }>("select p.promoted::text as n from warden_private.capture_promote() p"));
  const cpu1 = backendCpu(p.pid);
  return { events: Number(res.rows[0].n), seconds, cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
}

// --- scenarios 1-3: bulk statements ------------------------------------------

interface Step {
  rate: number;
  /** Writing backend's CPU per row, seconds. */
  cpuPerRow: number | null;
  /** Promotion's CPU per row (audited only). */
  promoteCpuPerRow: number | null;
  growth: AuditGrowth;
  indexes: string;
  /** The same events in the layout before and at the floor (audited UPDATE, when bytes are measured). */
  layout?: LayoutFigures;
}

interface BulkRound {
  insert: Step;
  update: Step;
  delete: Step;
}

async function step(ctx: BenchContext, c: pg.Client, pid: number, promoter: Promoter, kind: Kind, what: string, sql: string, rows: number): Promise<Step> {
  const before = await auditSize(c);
  const indexesBefore = await auditIndexSizes(c);
  const txidBefore = (await c.query<{ t: string }>("select coalesce(max(txid), 0)::text as t from warden.audit_events")).rows[0].t;
  const run = await measure(c, pid, sql);
  let promoteCpu: number | null = null;
  if (kind === "audited") {
    const p = await promote(promoter);
    promoteCpu = p.cpu;
    if (p.events !== rows) ctx.log(`WARNING: promotion after ${what} promoted ${p.events} events, expected ${rows}: figures are suspect`);
  }
  const g = growth(before, await auditSize(c));
  const expected = kind === "audited" || kind === "direct" ? rows : 0;
  if (g.events !== expected) ctx.log(`WARNING: ${kind} ${what} stored ${g.events} audit events, expected ${expected}: figures are suspect`);
  const indexes = describeIndexGrowth(indexesBefore, await auditIndexSizes(c), g.events);
  const layout = kind === "audited" && what === "UPDATE" && PARTS.has("bytes") ? await layoutFigures(c, txidBefore) : undefined;
  return {
    rate: rows / run.seconds,
    cpuPerRow: run.cpu === null ? null : run.cpu / rows,
    promoteCpuPerRow: promoteCpu === null ? null : promoteCpu / rows,
    growth: g,
    indexes,
    layout,
  };
}

async function settle(ctx: BenchContext, c: pg.Client, kind: Kind): Promise<void> {
  await c.query(`vacuum analyze bench.${kind}`);
  await checkpoint(ctx.rootUrl);
}

async function bulkRound(ctx: BenchContext, c: pg.Client, promoter: Promoter, kind: Kind, round: number): Promise<BulkRound> {
  const pid = await backendPid(c);
  await recreateTable(c, kind);
  await promote(promoter); // nothing left over from earlier phases
  await checkpoint(ctx.rootUrl);
  const insert = await step(ctx, c, pid, promoter, kind, "INSERT", bulkInsertSql(kind), ROWS);
  await settle(ctx, c, kind);
  const update = await step(ctx, c, pid, promoter, kind, "UPDATE", bulkUpdateSql(kind), ROWS);
  await settle(ctx, c, kind);
  const del = await step(ctx, c, pid, promoter, kind, "DELETE", bulkDeleteSql(kind), DELETE_ROWS);
  ctx.log(
    `round ${round} ${kind.padEnd(7)}: insert ${(ROWS / insert.rate).toFixed(2)} s, update ${(ROWS / update.rate).toFixed(2)} s, delete ${(DELETE_ROWS / del.rate).toFixed(3)} s`,
  );
  if (kind === "audited" || kind === "direct") {
    ctx.log(`  store growth: INSERT ${describeGrowth(insert.growth)}`);
    ctx.log(`  store growth: UPDATE ${describeGrowth(update.growth)}`);
    ctx.log(`    UPDATE index bytes/event: ${update.indexes}`);
    if (update.layout) {
      const l = update.layout;
      const per = (n: number) => fmtInt(n / Math.max(l.events, 1));
      ctx.log(`    same events, layout before: ${per(l.before.heap + l.before.indexes)} B/event (heap ${per(l.before.heap)} + indexes ${per(l.before.indexes)}: ${l.before.breakdown})`);
      ctx.log(`    same events, floor (required columns, pkey + tenant_time only): ${per(l.floor.heap + l.floor.indexes)} B/event (heap ${per(l.floor.heap)} + indexes ${per(l.floor.indexes)})`);
      ctx.log(`    same events, derivable columns null (today's indexes): ${per(l.derived.heap + l.derived.indexes)} B/event (heap ${per(l.derived.heap)} + indexes ${per(l.derived.indexes)})`);
    }
    ctx.log(`  store growth: DELETE ${describeGrowth(del.growth)}`);
  }
  return { insert, update, delete: del };
}

// --- scenario 4: single-row statements from concurrent clients ----------------

const TENANTS = Array.from({ length: 16 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);

function singleRowValues(n: number): unknown[] {
  const attrs = { sku: `SKU-${String(n).padStart(8, "0")}`, channel: "web", tags: ["priority", "gift"], address: { city: "Berlin", zip: "10115" }, note: "xxxxxxxx" };
  return [TENANTS[n % TENANTS.length], `customer ${n}`, ((n % 100000) / 100).toFixed(2), n % 50, `order note ${n}`, JSON.stringify(attrs)];
}

type SingleOp = "insert" | "update";

function singleStatement(kind: Kind, op: SingleOp, n: number): pg.QueryConfig {
  if (op === "insert") {
    return {
      name: `bench_single_insert_${kind}`,
      text: `insert into bench.${kind} (tenant_id, customer, status, amount, qty, note, attrs, updated_at)
             values ($1, $2, 'new', $3, $4, $5, $6, now())`,
      values: singleRowValues(n),
    };
  }
  return {
    name: `bench_single_update_${kind}`,
    text: `update bench.${kind} set status = $2, qty = qty + 1, amount = amount + 1, updated_at = now() where id = $1`,
    values: [1 + ((n * 7919) % UPDATE_ROWS), `s${n % 7}`],
  };
}

async function runUntil(c: pg.Client, kind: Kind, op: SingleOp, counter: { next: number }, deadline: number): Promise<number> {
  let done = 0;
  while (Date.now() < deadline) {
    await c.query(singleStatement(kind, op, counter.next++));
    done++;
  }
  return done;
}

async function timedSingleRows(clients: pg.Client[], kind: Kind, op: SingleOp): Promise<{ rows: number; seconds: number }> {
  const counter = { next: 1 };
  await Promise.all(clients.map((c) => c.query("set synchronous_commit = off")));
  await Promise.all(clients.map(async (c) => { for (let i = 0; i < SINGLE_WARMUP; i++) await c.query(singleStatement(kind, op, counter.next++)); }));
  const started = process.hrtime.bigint();
  const deadline = Date.now() + SINGLE_SECONDS * 1000;
  const counts = await Promise.all(clients.map((c) => runUntil(c, kind, op, counter, deadline)));
  return { rows: counts.reduce((a, b) => a + b, 0), seconds: secondsSince(started) };
}

async function singleRowRun(ctx: BenchContext, c: pg.Client, promoter: Promoter, kind: Kind, op: SingleOp, round: number): Promise<number> {
  await recreateTable(c, kind);
  if (op === "update") await c.query(bulkInsertSql(kind, UPDATE_ROWS));
  await promote(promoter);
  await c.query(`vacuum analyze bench.${kind}`);
  await checkpoint(ctx.rootUrl);
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < SINGLE_CLIENTS; i++) clients.push(await connect(ctx.ownerUrl));
    const { rows, seconds } = await timedSingleRows(clients, kind, op);
    ctx.log(`round ${round} ${kind.padEnd(7)}: single-row ${op}s ${fmtInt(rows)} in ${seconds.toFixed(2)} s (${SINGLE_CLIENTS} clients)`);
    if (kind === "audited") {
      const p = await promote(promoter);
      if (p.events !== rows + SINGLE_WARMUP * SINGLE_CLIENTS) {
        ctx.log(`WARNING: promotion after single-row ${op}s promoted ${p.events} events, expected ${rows + SINGLE_WARMUP * SINGLE_CLIENTS}`);
      }
    }
    return rows / seconds;
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  }
}

// --- promotion throughput ------------------------------------------------------

interface PromotionFigures {
  events: number;
  rate: number;
  cpuPerEvent: number | null;
  rawInsertRate: number;
  /** Building the events alone, one session. */
  buildRate: number;
  /** One session building and inserting, from the two floors: 1 / (1/build + 1/raw insert). */
  oneSessionRate: number;
  /** CPU seconds per event of the two floors (server backend), null where unreadable. */
  buildCpu: number | null;
  rawCpu: number | null;
}

/** A backlog of row events (bulk UPDATEs of bench.audited, nothing promoting meanwhile), then one pass alone. */
async function promotionThroughput(ctx: BenchContext, c: pg.Client, promoter: Promoter): Promise<PromotionFigures> {
  await recreateTable(c, "audited");
  await c.query(bulkInsertSql("audited"));
  await promote(promoter);
  let made = 0;
  for (let i = 1; made < BACKLOG; i++) {
    await c.query(bulkUpdateSql("audited", `b${i}`));
    made += ROWS;
  }
  await checkpoint(ctx.rootUrl);
  // Floor 1: building the same events, nothing inserted (one session, no
  // parallel workers, as a part runs): the generated SELECT of each capture
  // version, every output column computed, plus the event id the store's
  // default draws.
  const versions = await c.query<{ sql: string }>(
    "select select_sql as sql from warden_private.capture_versions where table_name = 'bench.audited' and dropped_at is null",
  );
  await c.query("begin");
  await c.query("set local max_parallel_workers_per_gather = 0; set local jit = off; set local work_mem = '256MB'");
  let built = 0;
  const cpuPid = await backendPid(c);
  const buildCpu0 = backendCpu(cpuPid);
  const [, buildSeconds] = await timed(async () => {
    for (const v of versions.rows) {
      const r = await c.query<{ n: string }>(`select count(z.*)::text as n from (select e.*, warden_private.uuid_v7() as event_id from (${v.sql}) e
         where e.txid >= (select promoted_below from warden_private.capture_state) offset 0) z`);
      built += Number(r.rows[0].n);
    }
  });
  await c.query("commit");
  const buildCpu1 = backendCpu(cpuPid);
  const buildCpu = buildCpu0 === null || buildCpu1 === null ? null : (buildCpu1 - buildCpu0) / built;
  ctx.log(`promotion floor: building ${fmtInt(built)} events alone (no insert) took ${buildSeconds.toFixed(2)} s, ${fmtInt(built / buildSeconds)} events/s`);
  await checkpoint(ctx.rootUrl);
  const p = await promoteInRound(ctx, PROMOTE_PARTS);
  ctx.log(`promotion: ${fmtInt(p.events)} events in ${p.seconds.toFixed(2)} s, a round of ${PROMOTE_PARTS} parts at once (as the worker), nothing else running`);
  // The floor: the same number of already-built events inserted into the store.
  const sample = Math.min(p.events, 200_000);
  await c.query(
    `create temp table promoted_sample as
     select * from warden.audit_events where table_name = 'bench.audited' order by recorded_at desc limit ${sample}`,
  );
  await checkpoint(ctx.rootUrl);
  await c.query("begin");
  const rawCpu0 = backendCpu(cpuPid);
  const [, rawSeconds] = await timed(() =>
    c.query(`insert into warden.audit_events (occurred_at, recorded_at, tenant_id, event_type, category, action, actor_type, actor_id,
               actor_ip, user_agent, resource_type, resource_id, correlation_id, trace_id, service, txid, table_name, row_pk,
               changed_fields, old_values, new_values, event_data)
             select occurred_at, recorded_at, tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, user_agent,
               resource_type, resource_id, correlation_id, trace_id, service, txid, table_name, row_pk, changed_fields, old_values,
               new_values, event_data from promoted_sample`),
  );
  await c.query("rollback");
  await c.query("drop table promoted_sample");
  const rawCpu1 = backendCpu(cpuPid);
  const rawCpu = rawCpu0 === null || rawCpu1 === null ? null : (rawCpu1 - rawCpu0) / sample;
  const rawInsertRate = sample / rawSeconds;
  const buildRate = built / buildSeconds;
  const oneSession = 1 / (1 / buildRate + 1 / rawInsertRate);
  ctx.log(
    `promotion floor: raw INSERT of built events ${fmtInt(rawInsertRate)}/s; one session that builds and inserts at most ${fmtInt(oneSession)}/s, ` +
      `${PROMOTE_PARTS} such sessions on ${PROMOTE_PARTS} free cores at most ${fmtInt(oneSession * PROMOTE_PARTS)}/s`,
  );
  return { events: p.events, rate: p.events / p.seconds, cpuPerEvent: p.cpu === null ? null : p.cpu / p.events, rawInsertRate, buildRate, oneSessionRate: oneSession, buildCpu, rawCpu };
}

/** The worker's way with a large backlog: a round whose parts run at once on their own connections. */
async function promoteInRound(ctx: BenchContext, parts: number): Promise<{ events: number; seconds: number; cpu: number | null }> {
  const conns = await Promise.all(Array.from({ length: parts + 1 }, () => connect(ctx.ownerUrl)));
  try {
    const pids = await Promise.all(conns.map(backendPid));
    const cpu0 = pids.map(backendCpu);
    const started = process.hrtime.bigint();
    const round = (await conns[0].query<{ id: string; p: number }>("select round_id::text as id, round_parts as p from warden_private.capture_round_open($1)", [parts])).rows[0];
    if (!round) return { events: 0, seconds: secondsSince(started), cpu: null };
    await Promise.all(Array.from({ length: round.p }, (_, part) => conns[part + 1].query("select warden_private.capture_round_part($1::bigint, $2)", [round.id, part])));
    const closed = await conns[0].query<{ n: string }>("select promoted::text as n from warden_private.capture_round_close($1::bigint)", [round.id]);
    const seconds = secondsSince(started);
    const cpu1 = pids.map(backendCpu);
    const cpu = cpu0.some((x) => x === null) || cpu1.some((x) => x === null) ? null : cpu1.reduce<number>((a, x, i) => a + (x! - cpu0[i]!), 0);
    return { events: Number(closed.rows[0].n), seconds, cpu };
  } finally {
    await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
  }
}

// --- capture lag under a steady load -----------------------------------------

interface LagFigures {
  written: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  sealedP99: number;
  sealedMax: number;
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * LAG_RATE single-row inserts per second from LAG_CLIENTS clients for
 * LAG_SECONDS, while the worker's promotion loop runs job after job (with
 * the worker's worst-case gap between two jobs) and a sealing pass runs
 * every second (as the seal_audit_events task). A write's lag: from its
 * commit (the client's answer) to the end of the first promotion pass whose
 * watermark is above its transaction id; to sealed likewise with the
 * sealing passes' watermarks.
 */
async function captureLag(ctx: BenchContext, c: pg.Client): Promise<LagFigures> {
  await recreateTable(c, "audited");
  const key = benchSealingKey();
  const sealer = await connect(ctx.ownerUrl);
  const promoter = await connect(ctx.ownerUrl);
  const writers = await Promise.all(Array.from({ length: LAG_CLIENTS }, () => connect(ctx.ownerUrl)));
  const parts = await Promise.all(Array.from({ length: PROMOTE_PARTS }, () => connect(ctx.ownerUrl)));
  try {
    await sealOnce(sealer, key);
    await Promise.all(writers.map((w) => w.query("set synchronous_commit = off")));
    const commits: { txid: bigint; at: number }[] = [];
    const passes: { below: bigint; at: number }[] = [];
    const started = Date.now();
    const stopAt = started + LAG_SECONDS * 1000;
    const perWriter = LAG_RATE / writers.length;
    let n = 0;
    const write = async (w: pg.Client) => {
      let sent = 0;
      while (Date.now() < stopAt) {
        const due = started + (sent / perWriter) * 1000;
        if (Date.now() < due) await new Promise((r) => setTimeout(r, due - Date.now()));
        const r = await w.query<{ t: string }>({
          name: "bench_lag_insert",
          text: `insert into bench.audited (tenant_id, customer, status, amount, qty, note, attrs, updated_at)
                 values ($1, $2, 'new', $3, $4, $5, $6, now()) returning pg_current_xact_id()::text as t`,
          values: singleRowValues(n++),
        });
        commits.push({ txid: BigInt(r.rows[0].t), at: Date.now() });
        sent++;
      }
    };
    // As the worker runs them: promotion every 250 ms (promote_capture), a sealing pass every second.
    const sealMs: number[] = [];
    const seals: { below: bigint; at: number }[] = [];
    const passMs: number[] = [];
    let skipped = 0;
    const seal = async () => {
      while (Date.now() < stopAt + 5000) {
        await new Promise((r) => setTimeout(r, 1000));
        const t0 = Date.now();
        const r = await sealOnce(sealer, key);
        sealMs.push(Date.now() - t0);
        if (r.watermark) seals.push({ below: BigInt(r.watermark), at: Date.now() });
      }
    };
    // The worker's promote_capture loop itself (tasks/promoteCapture.ts), one job after another.
    let nextPart = 0;
    const promoteOpts = promoteOptionsFromEnv();
    const db: PromoteDb = {
      query: (text, values) => promoter.query(text, values),
      withClient: (fn) => fn(parts[nextPart++ % parts.length]),
    };
    const promoteJobs = async () => {
      while (Date.now() < stopAt + 3000) {
        let started = Date.now();
        await promoteLoop(db, promoteOpts, undefined, (pass) => {
          const now = Date.now();
          passes.push({ below: pass.below, at: now });
          passMs.push(now - started);
          if (pass.promoted === 0) skipped++;
          started = now;
        });
        // between two jobs: the successor is due one interval later, and the
        // worker finds it on its next poll (pollInterval 250 ms): the worst case
        await new Promise((r) => setTimeout(r, (promoteOpts.intervalMs ?? 100) + 250));
      }
    };
    await Promise.all([...writers.map(write), seal(), promoteJobs()]);
    const lags = commits
      .map((w) => {
        const pass = passes.find((p) => p.below > w.txid && p.at >= w.at);
        return pass ? (pass.at - w.at) / 1000 : Infinity;
      })
      .sort((a, b) => a - b);
    const sealLags = commits
      .map((w) => {
        const pass = seals.find((p) => p.below > w.txid && p.at >= w.at);
        return pass ? (pass.at - w.at) / 1000 : Infinity;
      })
      .sort((a, b) => a - b);
    const figures = {
      written: commits.length,
      seconds: LAG_SECONDS,
      p50: quantile(lags, 0.5),
      p99: quantile(lags, 0.99),
      max: lags[lags.length - 1] ?? NaN,
      sealedP99: quantile(sealLags, 0.99),
      sealedMax: sealLags[sealLags.length - 1] ?? NaN,
    };
    const msStats = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return `n ${sorted.length}, p50 ${quantile(sorted, 0.5)} ms, p99 ${quantile(sorted, 0.99)} ms, max ${sorted[sorted.length - 1]} ms`;
    };
    ctx.log(`capture lag: promotion pass to pass ${msStats(passMs)} (${skipped} promoted nothing); sealing passes ${msStats(sealMs)}`);
    ctx.log(`capture lag: commit to sealed p99 ${figures.sealedP99.toFixed(2)} s, max ${figures.sealedMax.toFixed(2)} s (target < 5 s)`);
    ctx.log(`capture lag: ${fmtInt(figures.written)} writes in ${LAG_SECONDS} s (${fmtInt(figures.written / LAG_SECONDS)}/s), commit to promoted p50 ${figures.p50.toFixed(2)} s, p99 ${figures.p99.toFixed(2)} s, max ${figures.max.toFixed(2)} s`);
    return figures;
  } finally {
    await Promise.all([sealer, promoter, ...writers, ...parts].map((x) => x.end().catch(() => undefined)));
  }
}

// --- a bulk UPDATE on a session that ran single-row UPDATEs ------------------

/** Single-row UPDATEs the warm session runs before its bulk UPDATE. */
const WARM_UPDATES = 20;

/**
 * The bulk UPDATE again, on a session that first ran single-row UPDATEs of
 * the same table: PostgreSQL keeps a function statement's plan for the
 * session, with the row counts of its first runs, so a capture that cached
 * a plan made for one row pairs a large statement's rows quadratically
 * (before migration 000037, 10,000 rows took 13 s instead of 0.2 s).
 * Returns rows/s of the bulk UPDATE.
 */
async function warmSessionUpdate(ctx: BenchContext, c: pg.Client, promoter: Promoter, kind: Kind): Promise<number> {
  await recreateTable(c, kind);
  await c.query(bulkInsertSql(kind));
  await promote(promoter);
  await settle(ctx, c, kind);
  for (let i = 1; i <= WARM_UPDATES; i++) await c.query(`update bench.${kind} set qty = qty + 1 where id = $1`, [i]);
  const pid = await backendPid(c);
  const run = await measure(c, pid, bulkUpdateSql(kind, "warm"));
  if (kind === "audited") {
    const p = await promote(promoter);
    if (p.events !== ROWS + WARM_UPDATES) ctx.log(`WARNING: promotion after the warm session's UPDATEs promoted ${p.events} events, expected ${ROWS + WARM_UPDATES}`);
  }
  ctx.log(`warm session ${kind.padEnd(7)}: bulk UPDATE after ${WARM_UPDATES} single-row UPDATEs ${run.seconds.toFixed(2)} s`);
  return ROWS / run.seconds;
}

// --- reporting ----------------------------------------------------------------

function rateOf(rounds: Record<Kind, BulkRound[]>, kind: Kind, pick: (r: BulkRound) => Step): number {
  return best(rounds[kind].map((r) => pick(r).rate));
}

function recordRates(ctx: BenchContext, name: string, rates: Record<Kind, number>, target: number): void {
  const p = rates.plain;
  ctx.record({ name, baseline: `${fmtInt(p)} rows/s`, value: `${fmtInt(rates.audited)} rows/s`, ratio: rates.audited / p, target: `>= ${target.toFixed(2)}x`, met: rates.audited / p >= target });
  ctx.record({ name: "  floor: no-op trigger, same transition tables", baseline: `${fmtInt(p)} rows/s`, value: `${fmtInt(rates.floor)} rows/s`, ratio: rates.floor / p });
  ctx.record({ name: "  floor: transition rows copied verbatim, no index", baseline: `${fmtInt(p)} rows/s`, value: `${fmtInt(rates.copy)} rows/s`, ratio: rates.copy / p });
  if (Number.isFinite(rates.minimal)) {
    ctx.record({ name: "  floor: minimal secure capture (definer, context, a record per row)", baseline: `${fmtInt(p)} rows/s`, value: `${fmtInt(rates.minimal)} rows/s`, ratio: rates.minimal / p });
  }
  if (Number.isFinite(rates.layout)) {
    ctx.record({ name: "  floor: the same in the issue's layout (+ a statement record)", baseline: `${fmtInt(p)} rows/s`, value: `${fmtInt(rates.layout)} rows/s`, ratio: rates.layout / p });
  }
  if (Number.isFinite(rates.changes)) {
    ctx.record({ name: "  floor: the issue's UPDATE layout (changed columns by typed comparison)", baseline: `${fmtInt(p)} rows/s`, value: `${fmtInt(rates.changes)} rows/s`, ratio: rates.changes / p });
  }
  if (Number.isFinite(rates.direct)) {
    ctx.record({ name: "  before: the trigger writing the store directly", baseline: `${fmtInt(p)} rows/s`, value: `${fmtInt(rates.direct)} rows/s`, ratio: rates.direct / p });
  }
}

function us(seconds: number | null): string {
  return seconds === null || !Number.isFinite(seconds) ? "n/a" : `${(seconds * 1e6).toFixed(1)} µs`;
}

/** Total CPU per audited row: the writing statement's extra CPU over plain, plus promotion; beside the direct trigger's extra. */
function recordCpu(ctx: BenchContext, rounds: Record<Kind, BulkRound[]>): void {
  for (const [label, pick] of [
    ["INSERT", (r: BulkRound) => r.insert],
    ["UPDATE", (r: BulkRound) => r.update],
    ["DELETE", (r: BulkRound) => r.delete],
  ] as const) {
    const cpu = (kind: Kind, f: (s: Step) => number | null) => {
      const v = rounds[kind].map((r) => f(pick(r))).filter((x): x is number => x !== null);
      return v.length ? median(v) : null;
    };
    const plain = cpu("plain", (s) => s.cpuPerRow);
    const audited = cpu("audited", (s) => s.cpuPerRow);
    const promotion = cpu("audited", (s) => s.promoteCpuPerRow);
    const direct = cpu("direct", (s) => s.cpuPerRow);
    if (plain === null || audited === null || promotion === null || direct === null) return;
    const capture = audited - plain;
    ctx.record({
      name: `CPU per audited row, bulk ${label}: statement + promotion`,
      baseline: `before ${us(direct - plain)} (in the statement)`,
      value: `${us(capture + promotion)} (${us(capture)} + ${us(promotion)})`,
      ratio: (capture + promotion) / (direct - plain),
    });
  }
}

// --- the section --------------------------------------------------------------

export const captureSection: BenchSection = {
  name: "capture",
  async run(ctx) {
    ctx.log(`plain vs floor vs copy vs audited vs direct; ${fmtInt(ROWS)} rows, delete ${fmtInt(DELETE_ROWS)}, ${ROUNDS} rounds, best of rounds`);
    await withClient(ctx.ownerUrl, (c) => c.query("create schema if not exists bench"));
    const promoter = await connect(ctx.ownerUrl);
    const p: Promoter = { c: promoter, pid: await backendPid(promoter) };
    try {
      ctx.log(`parts: ${[...PARTS].join(", ")} (BENCH_CAPTURE_PARTS)`);
      const bulk: Record<Kind, BulkRound[]> = { plain: [], floor: [], copy: [], minimal: [], layout: [], changes: [], audited: [], direct: [] };
      const bulkKinds: readonly Kind[] = PARTS.has("bulk") ? KINDS : PARTS.has("bytes") ? ["audited", "direct"] : [];
      await withClient(ctx.ownerUrl, async (c) => {
        for (let round = 1; round <= ROUNDS && bulkKinds.length; round++) {
          for (const kind of bulkKinds) bulk[kind].push(await bulkRound(ctx, c, p, kind, round));
        }
      });
      const rates = (pick: (r: BulkRound) => Step) => Object.fromEntries(KINDS.map((k) => [k, rateOf(bulk, k, pick)])) as Record<Kind, number>;
      if (PARTS.has("bulk")) {
        recordRates(ctx, `bulk INSERT ... SELECT ${fmtInt(ROWS)} rows`, rates((r) => r.insert), TARGETS.insert);
        recordRates(ctx, `bulk UPDATE ${fmtInt(ROWS)} rows, 5 columns`, rates((r) => r.update), TARGETS.update);
        recordRates(ctx, `DELETE ${fmtInt(DELETE_ROWS)} rows, one statement`, rates((r) => r.delete), TARGETS.delete);
        const warm = await withClient(ctx.ownerUrl, async (c) => ({
          plain: await warmSessionUpdate(ctx, c, p, "plain"),
          audited: await warmSessionUpdate(ctx, c, p, "audited"),
        }));
        ctx.record({
          name: `  bulk UPDATE after ${WARM_UPDATES} single-row UPDATEs, same session`,
          baseline: `${fmtInt(warm.plain)} rows/s`,
          value: `${fmtInt(warm.audited)} rows/s`,
          ratio: warm.audited / warm.plain,
          target: `>= ${TARGETS.update.toFixed(2)}x`,
          met: warm.audited / warm.plain >= TARGETS.update,
        });
      }

      const single: Record<SingleOp, Record<Kind, number[]>> = {
        insert: { plain: [], floor: [], copy: [], minimal: [], layout: [], changes: [], audited: [], direct: [] },
        update: { plain: [], floor: [], copy: [], minimal: [], layout: [], changes: [], audited: [], direct: [] },
      };
      await withClient(ctx.ownerUrl, async (c) => {
        for (const op of PARTS.has("single") ? (["insert", "update"] as const) : []) {
          for (let round = 1; round <= ROUNDS; round++) {
            for (const kind of singleKinds(op)) single[op][kind].push(await singleRowRun(ctx, c, p, kind, op, round));
          }
        }
      });
      const bestOf = (op: SingleOp) => Object.fromEntries(SINGLE_KINDS.map((k) => [k, best(single[op][k])])) as Record<Kind, number>;
      if (PARTS.has("single")) {
        recordRates(ctx, `single-row INSERT, ${SINGLE_CLIENTS} clients, ${SINGLE_SECONDS} s`, bestOf("insert"), TARGETS.singleInsert);
        recordRates(ctx, `single-row UPDATE, ${SINGLE_CLIENTS} clients, ${SINGLE_SECONDS} s`, bestOf("update"), TARGETS.singleUpdate);
      }

      if (bulk.audited.length) {
        const bytes = median(bulk.audited.map((r) => bytesPerEvent(r.update.growth)));
        const layouts = bulk.audited.map((r) => r.update.layout).filter((l): l is LayoutFigures => l !== undefined);
        const beforeBytes = layouts.length ? median(layouts.map((l) => layoutPer(l, "before"))) : NaN;
        ctx.record({
          name: "store bytes/event, UPDATE 5 columns (heap+TOAST+indexes)",
          baseline: Number.isFinite(beforeBytes) ? `before ${fmtInt(beforeBytes)} B (same events, layout before)` : undefined,
          value: `${fmtInt(bytes)} B/event`,
          ratio: Number.isFinite(beforeBytes) ? bytes / beforeBytes : undefined,
          target: `<= ${UPDATE_BYTES_TARGET} B`,
          met: bytes <= UPDATE_BYTES_TARGET,
        });
        if (layouts.length) {
          const floorBytes = median(layouts.map((l) => layoutPer(l, "floor")));
          ctx.record({ name: "  floor: required columns only, pkey + tenant_time index", value: `${fmtInt(floorBytes)} B/event`, ratio: floorBytes / beforeBytes });
          const derivedBytes = median(layouts.map((l) => layoutPer(l, "derived")));
          ctx.record({ name: "  derivable columns left null, today's indexes", value: `${fmtInt(derivedBytes)} B/event`, ratio: derivedBytes / beforeBytes });
        }
        if (bulk.direct.length) ctx.record({ name: "  the trigger writing the store directly", value: `${fmtInt(median(bulk.direct.map((r) => bytesPerEvent(r.update.growth))))} B/event` });
        ctx.record({ name: "store bytes/event, INSERT", value: `${fmtInt(median(bulk.audited.map((r) => bytesPerEvent(r.insert.growth))))} B/event` });
        ctx.record({ name: "store bytes/event, DELETE", value: `${fmtInt(median(bulk.audited.map((r) => bytesPerEvent(r.delete.growth))))} B/event` });
      }
      if (PARTS.has("bulk")) recordCpu(ctx, bulk);

      const promotion = PARTS.has("promotion") ? await withClient(ctx.ownerUrl, (c) => promotionThroughput(ctx, c, p)) : null;
      if (promotion) {
      ctx.record({
        name: `promotion of a ${fmtInt(promotion.events)}-event backlog, alone`,
        baseline: `${fmtInt(promotion.rawInsertRate)} events/s (raw INSERT of built events)`,
        value: `${fmtInt(promotion.rate)} events/s`,
        ratio: promotion.rate / promotion.rawInsertRate,
        target: `>= ${fmtInt(PROMOTION_TARGET)} events/s`,
        met: promotion.rate >= PROMOTION_TARGET,
      });
      ctx.record({ name: "  floor: building the events alone, one session", value: `${fmtInt(promotion.buildRate)} events/s` });
      ctx.record({
        name: "  floor: one session building + raw INSERT",
        value: `${fmtInt(promotion.oneSessionRate)} events/s (x${PROMOTE_PARTS} parts: ${fmtInt(promotion.oneSessionRate * PROMOTE_PARTS)})`,
        ratio: promotion.rate / promotion.oneSessionRate,
      });
      if (promotion.cpuPerEvent !== null) {
        const floorCpu = promotion.buildCpu !== null && promotion.rawCpu !== null ? promotion.buildCpu + promotion.rawCpu : null;
        ctx.record({
          name: "  promotion CPU per event (all parts)",
          value: us(promotion.cpuPerEvent),
          baseline: `floor: build ${us(promotion.buildCpu)} + raw INSERT ${us(promotion.rawCpu)} = ${us(floorCpu)}`,
          ratio: floorCpu === null ? undefined : promotion.cpuPerEvent / floorCpu,
        });
        ctx.record({
          name: "  CPU-bound ceiling, 2 free cores",
          value: `${fmtInt(2 / promotion.cpuPerEvent)} events/s (floor CPU: ${floorCpu === null ? "n/a" : fmtInt(2 / floorCpu)})`,
        });
      }
      }

      if (PARTS.has("lag")) {
      const lag = await withClient(ctx.ownerUrl, (c) => captureLag(ctx, c));
      ctx.record({
        name: `capture lag (commit to promoted) at ${fmtInt(lag.written / lag.seconds)} single-row writes/s`,
        value: `p99 ${lag.p99.toFixed(2)} s (p50 ${lag.p50.toFixed(2)}, max ${lag.max.toFixed(2)})`,
        target: `<= ${LAG_P99_TARGET} s`,
        met: lag.p99 <= LAG_P99_TARGET,
      });
      ctx.record({
        name: "  commit to sealed, same run",
        value: `p99 ${lag.sealedP99.toFixed(2)} s (max ${lag.sealedMax.toFixed(2)})`,
        target: "< 5 s",
        met: lag.sealedMax < 5,
      });
      }
    } finally {
      await promoter.end().catch(() => undefined);
      await withClient(ctx.ownerUrl, async (c) => {
        await c.query("select warden.disable_auditing(to_regclass('bench.audited')) where to_regclass('bench.audited') is not null");
        await c.query("drop table if exists bench.plain, bench.floor, bench.copy, bench.copy_log, bench.audited, bench.direct");
        await c.query("drop function if exists bench.tg_floor(), bench.tg_copy()");
      });
    }
  },
};
