/**
 * Bench section "dq": data quality in PostgreSQL, on a table of BENCH_DQ_ROWS
 * (10,000,000) rows, every figure beside its baseline from the same run:
 *   1. one warden.dq_run of 10 column rules (one scan) vs one
 *      `select count(*)` scan of the table (target: at most 1.5x the scan);
 *   2. the same 10 rules as 10 separate queries, the usual tools' way, vs
 *      the run of (1) (target: the run at least 4x faster);
 *   3. warden.dq_enforce in reject mode with 5 rules, a 100,000-row
 *      INSERT ... SELECT, vs the same insert without enforcement
 *      (target: at least 0.7x the rows/s).
 * Scans are timed warm (an untimed scan first), best of BENCH_ROUNDS.
 */
import type pg from "pg";
import type { BenchContext, BenchSection } from "./types";
import { best, checkpoint, envInt, fmtInt, fmtRatio, timed, withClient } from "./util";

const ROWS = envInt("BENCH_DQ_ROWS", 10_000_000);
const INSERT_ROWS = envInt("BENCH_DQ_INSERT_ROWS", 100_000);
const ROUNDS = envInt("BENCH_ROUNDS", 2);
const TENANT = "00000000-0000-4000-8000-00000000d0d0";

/** 10 column rules: some pass, some fail on a small share of rows (a realistic table). */
const RULES: [string, string, Record<string, unknown>][] = [
  ["amount_not_null", "not_null", { column: "amount" }],
  ["amount_range", "range", { column: "amount", min: 0, max: 100000 }],
  ["qty_range", "range", { column: "qty", min: 0, max: 1000, max_inclusive: false }],
  ["status_known", "accepted_values", { column: "status", values: ["new", "paid", "shipped", "refunded"] }],
  ["channel_known", "accepted_values", { column: "channel", values: ["web", "store", "phone"] }],
  ["sku_shape", "pattern", { column: "sku", regex: "^SKU-[0-9]{8}$" }],
  ["note_short", "max_length", { column: "note", max: 40 }],
  ["customer_present", "not_null", { column: "customer" }],
  ["country_short", "max_length", { column: "country", max: 2 }],
  ["created_present", "not_null", { column: "created_at" }],
];
/** The 5 enforced in reject mode (all pass on the inserted rows). */
const ENFORCED = ["amount_range", "qty_range", "status_known", "sku_shape", "note_short"];

function rowsSql(table: string, from: number, count: number): string {
  return `insert into ${table} (tenant_id, amount, qty, status, channel, sku, note, customer, country, created_at)
    select '${TENANT}'::uuid,
           case when g % 5000 = 0 then -1 else (g % 100000) / 100.0 end,
           g % 1000,
           (array['new', 'paid', 'shipped', 'refunded'])[1 + g % 4] || case when g % 20000 = 0 then 'x' else '' end,
           (array['web', 'store', 'phone'])[1 + g % 3],
           'SKU-' || lpad(g::text, 8, '0'),
           'order note ' || g,
           case when g % 100000 = 0 then null else 'customer ' || (g % 50000) end,
           'DE',
           now() - make_interval(secs => g % 86400)
    from generate_series(${from}, ${from + count - 1}) g`;
}

const TABLE_SQL = (name: string) => `create table ${name} (
  id bigserial primary key, tenant_id uuid not null, amount numeric(12,2), qty int, status text, channel text, sku text,
  note text, customer text, country text, created_at timestamptz) with (autovacuum_enabled = off)`;

async function setup(ctx: BenchContext, c: pg.Client): Promise<void> {
  await c.query("create schema if not exists bench_dq");
  await c.query("drop table if exists bench_dq.orders, bench_dq.plain_insert, bench_dq.enforced_insert");
  await c.query(`insert into warden.tenants (id, name) values ('${TENANT}', 'bench dq') on conflict do nothing`);
  await c.query(TABLE_SQL("bench_dq.orders"));
  ctx.log(`loading ${fmtInt(ROWS)} rows...`);
  const [, seconds] = await timed(async () => {
    for (let from = 1; from <= ROWS; from += 1_000_000) await c.query(rowsSql("bench_dq.orders", from, Math.min(1_000_000, ROWS - from + 1)));
  });
  ctx.log(`loaded in ${seconds.toFixed(1)} s`);
  await c.query("vacuum analyze bench_dq.orders");
  await c.query("grant usage on schema bench_dq to warden_dq_sandbox");
  await c.query("grant select on bench_dq.orders to warden_dq_sandbox");
  for (const [name, type, params] of RULES) {
    await c.query("select warden.dq_add_rule('bench_dq.orders', $1, $2, $3::jsonb, timeout_ms => 3600000, tenant => $4)", [name, type, JSON.stringify(params), TENANT]);
  }
  await checkpoint(ctx.rootUrl);
}

/** Each rule's failing count as its own query, as a tool issuing one query per check does. */
async function separateQueries(c: pg.Client): Promise<number[]> {
  const { rows } = await c.query<{ pred: string }>("select compiled ->> 'pred' as pred from warden.dq_rules where target = 'bench_dq.orders'::regclass order by name");
  const counts: number[] = [];
  for (const r of rows) {
    const res = await c.query<{ n: string }>(`select count(*) as n from bench_dq.orders t where t.tenant_id = '${TENANT}' and (${r.pred})`);
    counts.push(Number(res.rows[0].n));
  }
  return counts;
}

/**
 * The floor of one scan: the 10 rules' failing counts as plain aggregates of
 * one SELECT (no samples, no results, no context, no sandbox): what any
 * single-scan evaluation of these predicates costs in PostgreSQL's executor.
 */
async function oneSelect(c: pg.Client): Promise<void> {
  const { rows } = await c.query<{ pred: string }>("select compiled ->> 'pred' as pred from warden.dq_rules where target = 'bench_dq.orders'::regclass order by name");
  await c.query(`select ${rows.map((r, i) => `count(*) filter (where ${r.pred}) as f${i}`).join(", ")} from bench_dq.orders t where t.tenant_id = '${TENANT}'`);
}

async function scans(ctx: BenchContext, c: pg.Client): Promise<void> {
  await c.query("select count(*) from bench_dq.orders"); // warm
  const count: number[] = [];
  const run: number[] = [];
  const separate: number[] = [];
  const floor: number[] = [];
  let failing = "";
  for (let round = 1; round <= ROUNDS; round++) {
    count.push((await timed(() => c.query("select count(*) from bench_dq.orders")))[1]);
    const [result, runSeconds] = await timed(() => c.query("select * from warden.dq_run('bench_dq.orders'::regclass)"));
    run.push(runSeconds);
    failing = `${result.rows[0].rules_failed} of ${result.rows[0].rules_total} rules failed`;
    separate.push((await timed(() => separateQueries(c)))[1]);
    floor.push((await timed(() => oneSelect(c)))[1]);
    ctx.log(`round ${round}: count(*) ${count[round - 1].toFixed(2)} s, dq_run ${run[round - 1].toFixed(2)} s (${failing}), 10 queries ${separate[round - 1].toFixed(2)} s`);
  }
  const countBest = Math.min(...count);
  const runBest = Math.min(...run);
  const separateBest = Math.min(...separate);
  ctx.record({
    name: `dq_run, 10 column rules, ${fmtInt(ROWS)} rows (one scan)`,
    baseline: `count(*) ${countBest.toFixed(2)} s`,
    value: `${runBest.toFixed(2)} s`,
    ratio: runBest / countBest,
    target: "<= 1.50x",
    met: runBest / countBest <= 1.5,
  });
  const floorBest = Math.min(...floor);
  ctx.record({
    name: "  floor: the 10 predicates as count filters of one SELECT",
    baseline: `count(*) ${countBest.toFixed(2)} s`,
    value: `${floorBest.toFixed(2)} s`,
    ratio: floorBest / countBest,
  });
  ctx.record({
    name: "the same 10 rules as 10 separate queries",
    baseline: `dq_run ${runBest.toFixed(2)} s`,
    value: `${separateBest.toFixed(2)} s (${fmtRatio(separateBest / runBest)} slower)`,
    ratio: separateBest / runBest,
    target: ">= 4.00x",
    met: separateBest / runBest >= 4,
  });
}

async function enforcement(ctx: BenchContext, c: pg.Client): Promise<void> {
  const plain: number[] = [];
  const enforced: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of ["plain_insert", "enforced_insert"] as const) {
      const table = `bench_dq.${kind}`;
      await c.query(`drop table if exists ${table}`);
      await c.query(TABLE_SQL(table));
      if (kind === "enforced_insert") {
        await c.query("grant select on bench_dq.enforced_insert to warden_dq_sandbox");
        for (const [name, type, params] of RULES.filter(([n]) => ENFORCED.includes(n))) {
          await c.query("select warden.dq_add_rule($1::regclass, $2, $3, $4::jsonb, tenant => $5)", [table, name, type, JSON.stringify(params), TENANT]);
        }
        await c.query("select warden.dq_enforce($1::regclass, 'reject', $2)", [table, TENANT]);
      }
      await checkpoint(ctx.rootUrl);
      // Rows that pass every rule (the bad ones of rowsSql are at multiples of 5,000 and 20,000).
      const [, seconds] = await timed(() => c.query(rowsSql(table, 1, INSERT_ROWS).replace(/g % (5000|20000|100000) = 0/g, "false")));
      (kind === "plain_insert" ? plain : enforced).push(INSERT_ROWS / seconds);
      ctx.log(`round ${round} ${kind}: ${fmtInt(INSERT_ROWS / seconds)} rows/s`);
    }
  }
  const p = best(plain);
  const e = best(enforced);
  ctx.record({
    name: `dq_enforce reject, 5 rules, INSERT ... SELECT ${fmtInt(INSERT_ROWS)} rows`,
    baseline: `${fmtInt(p)} rows/s`,
    value: `${fmtInt(e)} rows/s`,
    ratio: e / p,
    target: ">= 0.70x",
    met: e / p >= 0.7,
  });
}

export const dqSection: BenchSection = {
  name: "dq",
  async run(ctx) {
    await withClient(ctx.ownerUrl, async (c) => {
      try {
        await setup(ctx, c);
        await scans(ctx, c);
        await enforcement(ctx, c);
      } finally {
        await c.query("delete from warden.dq_rules where target_name like 'bench_dq.%'").catch(() => undefined);
        await c.query("drop schema if exists bench_dq cascade").catch(() => undefined);
      }
    });
  },
};
