/**
 * Sealing and verification throughput, and sealing lag under a steady
 * single-row write load. Baseline, measured in the same run: reading the
 * same events with a plain cursor (no hashing), which bounds what any
 * sealer or verifier could do.
 */
import pg from "pg";
import { sealOnce } from "../src/audit/sealer";
import { verifyTrail } from "../src/audit/verifier";
import type { BenchSection } from "./types";
import { fmtInt, benchSealingKey } from "./util";

export interface SealBenchContext {
  ownerUrl: string;
  log(line: string): void;
}

export interface SealBenchFigures {
  events: number;
  sealPerSecond: number;
  verifyPerSecond: number;
  readPerSecond: number;
  /** The hashed inputs (envelope and payload hash) computed in SQL alone: the least verify must do. */
  hashInputsPerSecond: number;
  maxLagSeconds: number;
  writeRatePerSecond: number;
}

const EVENTS = Number(process.env.BENCH_SEAL_EVENTS ?? 200_000);

async function timeIt<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint();
  const out = await fn();
  return [out, Number(process.hrtime.bigint() - started) / 1e9];
}

async function plainRead(c: pg.Client, tenant: string): Promise<number> {
  await c.query("begin");
  await c.query(
    `declare plain_read no scroll cursor for
     select event_id::text, txid::text, event_type, actor_id, new_values, old_values from warden.audit_events where tenant_id = $1`,
    [tenant],
  );
  let n = 0;
  for (;;) {
    const { rows } = await c.query("fetch 5000 from plain_read");
    if (!rows.length) break;
    n += rows.length;
  }
  await c.query("commit");
  return n;
}

/**
 * What verify must recompute for every event, and nothing else: the
 * envelope and the payload hash, in SQL, summed so that nothing is sent
 * (no chain join, no sort, no transfer, no chain hashing).
 */
async function hashInputs(c: pg.Client, tenant: string): Promise<number> {
  const { rows } = await c.query(
    `select count(*)::int as n, sum(length(warden_private.audit_envelope(e)) + length(warden_private.audit_payload_hash(e)))::bigint as bytes
     from warden.audit_events e where e.tenant_id = $1`,
    [tenant],
  );
  return rows[0].n;
}

export async function benchSealing(ctx: SealBenchContext): Promise<SealBenchFigures> {
  const c = new pg.Client({ connectionString: ctx.ownerUrl });
  await c.connect();
  const key = benchSealingKey();
  try {
    // Seal whatever earlier sections left, so this section measures its own events.
    await sealOnce(c, key);
    const tenant = (await c.query("select warden_private.create_tenant('bench sealing') as id")).rows[0].id as string;
    await c.query(`create schema if not exists bench_seal;
      drop table if exists bench_seal.items;
      create table bench_seal.items (id bigint primary key, tenant_id uuid not null, status text, amount numeric(12,2), note text);
      select warden.enable_auditing('bench_seal.items');`);
    await c.query(
      "insert into bench_seal.items select g, $1, 'new', g, 'note ' || g from generate_series(1, $2) g",
      [tenant, EVENTS],
    );
    // the rows' events into the store first: this section times sealing, not promotion (see capture)
    await c.query("select warden.flush_capture()");
    await c.query("vacuum analyze warden.audit_events");

    const [readCount, readSeconds] = await timeIt(() => plainRead(c, tenant));
    const [sealed, sealSeconds] = await timeIt(() => sealOnce(c, key));
    const [hashed, hashSeconds] = await timeIt(() => hashInputs(c, tenant));
    const [report, verifySeconds] = await timeIt(() => verifyTrail(c, key, { tenantId: tenant }));
    if (!report.ok) throw new Error(`verify failed in the bench: ${JSON.stringify(report.first_bad)}`);
    ctx.log(`  events sealed: ${sealed.sealed} (tenant chain ${report.events_verified})`);

    // Lag under load: 2 writers, single-row autocommit inserts, sealing every second.
    const writers = [new pg.Client({ connectionString: ctx.ownerUrl }), new pg.Client({ connectionString: ctx.ownerUrl })];
    await Promise.all(writers.map((w) => w.connect()));
    const durationMs = 8_000;
    const stopAt = Date.now() + durationMs;
    let written = 0;
    let nextId = EVENTS + 1;
    const write = async (w: pg.Client) => {
      await w.query("set synchronous_commit = off");
      while (Date.now() < stopAt) {
        await w.query("insert into bench_seal.items values ($1, $2, 'live', 1, 'x')", [nextId++, tenant]);
        written++;
      }
    };
    let maxLag = 0;
    const sealer = (async () => {
      let lastPass = Date.now();
      while (Date.now() < stopAt + 1500) {
        await new Promise((r) => setTimeout(r, 1000));
        await sealOnce(c, key);
        const now = Date.now();
        // An event written just after the previous pass waits until this one commits.
        maxLag = Math.max(maxLag, (now - lastPass) / 1000);
        lastPass = now;
      }
    })();
    await Promise.all([...writers.map(write), sealer]);
    await Promise.all(writers.map((w) => w.end()));
    const unsealed = await c.query(
      "select count(*)::int as n from warden.audit_events e where e.tenant_id = $1 and e.txid >= (select watermark from warden_private.seal_state)",
      [tenant],
    );
    ctx.log(`  left unsealed after the load: ${unsealed.rows[0].n}`);
    return {
      events: EVENTS,
      sealPerSecond: sealed.sealed / sealSeconds,
      verifyPerSecond: report.events_verified / verifySeconds,
      readPerSecond: readCount / readSeconds,
      hashInputsPerSecond: hashed / hashSeconds,
      maxLagSeconds: maxLag,
      writeRatePerSecond: written / (durationMs / 1000),
    };
  } finally {
    await c.end();
  }
}

/** The sealing/verify figures as a bench section (see bench/sections.ts). */
export const sealingSection: BenchSection = {
  name: "sealing",
  async run(ctx) {
    // benchSealing indents its own lines; the harness indents section output already.
    const seal = await benchSealing({ ownerUrl: ctx.ownerUrl, log: (line) => ctx.log(line.trimStart()) });
    const read = `${fmtInt(seal.readPerSecond)} events/s (plain cursor read)`;
    ctx.record({
      name: `seal ${fmtInt(seal.events)} events`,
      value: `${fmtInt(seal.sealPerSecond)} events/s`,
      baseline: read,
      ratio: seal.sealPerSecond / seal.readPerSecond,
      target: ">= 50,000 events/s",
      met: seal.sealPerSecond >= 50_000,
    });
    ctx.record({
      name: "verify one tenant's chain",
      value: `${fmtInt(seal.verifyPerSecond)} events/s`,
      baseline: read,
      ratio: seal.verifyPerSecond / seal.readPerSecond,
      target: ">= 200,000 events/s",
      met: seal.verifyPerSecond >= 200_000,
    });
    ctx.record({
      name: "  floor: envelope + payload hash in SQL alone (no join, no transfer)",
      value: `${fmtInt(seal.hashInputsPerSecond)} events/s`,
      baseline: read,
      ratio: seal.hashInputsPerSecond / seal.readPerSecond,
    });
    ctx.record({
      name: `sealing lag at ${fmtInt(seal.writeRatePerSecond)} single-row writes/s`,
      value: `max ${seal.maxLagSeconds.toFixed(2)} s`,
      target: "< 5 s",
      met: seal.maxLagSeconds < 5,
    });
  },
};
