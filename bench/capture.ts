/**
 * Trigger capture: the same workload on an unaudited table and an audited
 * one, in the same run. Bulk INSERT ... SELECT (100k), bulk UPDATE of 5
 * columns (100k), DELETE (20k), single-row INSERTs from 2 clients; audit
 * bytes per event including indexes.
 */
import pg from "pg";

export interface CaptureFigures {
  name: string;
  plainPerSecond: number;
  auditedPerSecond: number;
  ratio: number;
  target: number;
}

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const DELETE_ROWS = Number(process.env.BENCH_DELETE_ROWS ?? 20_000);
const SINGLE_SECONDS = Number(process.env.BENCH_SINGLE_SECONDS ?? 5);

const TABLE = (name: string) => `create table bench.${name} (
  id bigint primary key, tenant_id uuid not null, customer text, status text, amount numeric(12,2),
  qty int, note text, attrs jsonb, updated_at timestamptz)`;

const INSERT = (name: string, from: number, to: number) => `insert into bench.${name}
  select g, '11111111-1111-4111-8111-111111111111', 'customer ' || g, 'new', g, g % 10, 'note ' || g,
         jsonb_build_object('sku', 'SKU-' || g, 'color', 'blue', 'tags', jsonb_build_array('a', 'b', 'c'), 'text', repeat('x', 80)), now()
  from generate_series(${from}, ${to}) g`;

/** Flush dirty pages between phases (needs a superuser) so phases do not pay for each other. */
async function checkpoint(rootUrl: string): Promise<void> {
  const su = new pg.Client({ connectionString: rootUrl });
  await su.connect();
  try {
    await su.query("checkpoint");
  } finally {
    await su.end();
  }
}

async function seconds(c: pg.Client, sql: string): Promise<number> {
  const started = process.hrtime.bigint();
  await c.query(sql);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function auditBytes(c: pg.Client): Promise<{ bytes: number; events: number }> {
  const { rows } = await c.query(
    `select coalesce(sum(pg_total_relation_size(inhrelid)), 0)::bigint as bytes, (select count(*) from warden.audit_events)::bigint as events
     from pg_inherits where inhparent = 'warden.audit_events'::regclass`,
  );
  return { bytes: Number(rows[0].bytes), events: Number(rows[0].events) };
}

async function singleRows(url: string, table: string, firstId: number): Promise<number> {
  const clients = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
  await Promise.all(clients.map((c) => c.connect()));
  let next = firstId;
  let done = 0;
  const stopAt = Date.now() + SINGLE_SECONDS * 1000;
  await Promise.all(
    clients.map(async (c) => {
      await c.query("set synchronous_commit = off");
      while (Date.now() < stopAt) {
        const id = next++;
        await c.query(
          `insert into bench.${table} values ($1, '11111111-1111-4111-8111-111111111111', 'c', 'new', 1, 1, 'n', '{"a": 1}', now())`,
          [id],
        );
        done++;
      }
    }),
  );
  await Promise.all(clients.map((c) => c.end()));
  return done / SINGLE_SECONDS;
}

export async function benchCapture(ownerUrl: string, rootUrl: string, log: (line: string) => void): Promise<{ figures: CaptureFigures[]; bytesPerUpdate: number; bytesPerInsert: number }> {
  const c = new pg.Client({ connectionString: ownerUrl });
  await c.connect();
  const figures: CaptureFigures[] = [];
  try {
    await c.query("create schema if not exists bench");
    const best = { insert: [0, 0], update: [0, 0], delete: [0, 0] };
    let bytesPerUpdate = 0;
    let bytesPerInsert = 0;
    // Two rounds, alternating plain and audited; keep each side's best.
    for (let round = 0; round < 2; round++) {
      for (const [i, name] of ["plain", "audited"].entries()) {
        await c.query(`drop table if exists bench.${name}`);
        await c.query(TABLE(name));
        if (name === "audited") await c.query("select warden.enable_auditing('bench.audited')");
        await checkpoint(rootUrl);
        const before = await auditBytes(c);
        const ins = await seconds(c, INSERT(name, 1, ROWS));
        const afterInsert = await auditBytes(c);
        await c.query(`vacuum analyze bench.${name}`);
        const upd = await seconds(c, `update bench.${name} set status = 'paid', amount = amount + 1, qty = qty + 1, note = 'changed', updated_at = now()`);
        const afterUpdate = await auditBytes(c);
        const del = await seconds(c, `delete from bench.${name} where id <= ${DELETE_ROWS}`);
        best.insert[i] = Math.max(best.insert[i], ROWS / ins);
        best.update[i] = Math.max(best.update[i], ROWS / upd);
        best.delete[i] = Math.max(best.delete[i], DELETE_ROWS / del);
        if (name === "audited") {
          bytesPerInsert = (afterInsert.bytes - before.bytes) / Math.max(1, afterInsert.events - before.events);
          bytesPerUpdate = (afterUpdate.bytes - afterInsert.bytes) / Math.max(1, afterUpdate.events - afterInsert.events);
        }
        log(`  round ${round + 1} ${name}: insert ${ins.toFixed(2)} s, update ${upd.toFixed(2)} s, delete ${del.toFixed(2)} s`);
      }
    }
    figures.push({ name: `bulk INSERT ... SELECT ${ROWS}`, plainPerSecond: best.insert[0], auditedPerSecond: best.insert[1], ratio: best.insert[1] / best.insert[0], target: 0.6 });
    figures.push({ name: `bulk UPDATE ${ROWS} (5 columns)`, plainPerSecond: best.update[0], auditedPerSecond: best.update[1], ratio: best.update[1] / best.update[0], target: 0.6 });
    figures.push({ name: `DELETE ${DELETE_ROWS}`, plainPerSecond: best.delete[0], auditedPerSecond: best.delete[1], ratio: best.delete[1] / best.delete[0], target: 0.6 });
    const plain = await singleRows(ownerUrl, "plain", 10_000_000);
    const audited = await singleRows(ownerUrl, "audited", 10_000_000);
    figures.push({ name: "single-row INSERT, 2 clients", plainPerSecond: plain, auditedPerSecond: audited, ratio: audited / plain, target: 0.85 });
    return { figures, bytesPerUpdate, bytesPerInsert };
  } finally {
    await c.end();
  }
}
