/**
 * Bench section "ingest": audit events POSTed to a real Warden HTTP server
 * (its own process, against the bench database), each acknowledged only
 * after commit: single-event POSTs from 64 concurrent clients, and batches
 * of 500 from 8 clients. Baselines in the same run: a raw COPY of the same
 * events into an unindexed scratch table (the write ceiling the ratios are
 * taken against), and multi-row INSERTs of them there.
 */
import { Pool } from "undici";
import type { BenchContext, BenchSection } from "./types";
import { authenticatorUrl, startChildServer } from "./httpClient";
import { checkpoint, envInt, fmtInt, timed, withClient } from "./util";
import { copyFrom, copyText } from "./copyIn";

const SECONDS = envInt("BENCH_INGEST_SECONDS", 6);
/** Seconds of the same load before each timed phase (JIT, plan caches, connections), not counted. */
const WARMUP_SECONDS = envInt("BENCH_INGEST_WARMUP_SECONDS", 2);

export function event(i: number): object {
  return {
    event_type: "bench.ingest.received",
    outcome: i % 10 === 0 ? "failure" : "success",
    severity: "info",
    correlation_id: `corr-${Math.floor(i / 10)}`,
    service: "gateway",
    resource: { type: "order", id: `o-${i}` },
    attempt: 1,
    data: { http: { status: i % 10 === 0 ? 500 : 200, path: "/v1/orders" } },
  };
}

/**
 * Runs `clients` loops for SECONDS, each POSTing `size` events per request
 * over its own keep-alive connection; returns acknowledged events/s. The
 * load comes from undici (Node's own HTTP client, the one behind fetch):
 * node:http's client cost this 2-core machine about as much CPU per request
 * as the server under test, and the clients of a real deployment run
 * elsewhere.
 */
export async function load(port: number, key: string, clients: number, size: number, seconds = SECONDS): Promise<{ perSecond: number; errors: number; acked: number }> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: clients, pipelining: 1 });
  let acked = 0;
  let errors = 0;
  let n = 0;
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const stopAt = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < stopAt) {
        const items = Array.from({ length: size }, () => event(n++));
        const res = await pool.request({ path: "/api/v1/audit/events", method: "POST", headers, body: JSON.stringify(size === 1 ? items[0] : items) });
        await res.body.dump();
        if (res.statusCode === 201) acked += size;
        else errors++;
      }
    }),
  );
  await pool.close();
  return { perSecond: acked / seconds, errors, acked };
}

export const ingestSection: BenchSection = {
  name: "ingest",
  async run(ctx: BenchContext): Promise<void> {
    const authUrl = await authenticatorUrl(ctx);
    const { tenant, key } = await withClient(ctx.ownerUrl, async (c) => {
      const t = (await c.query("select warden_private.create_tenant('bench ingest') as id")).rows[0].id as string;
      const k = (await c.query("select key from warden_private.create_api_key($1, 'bench', 'member', 1000000)", [t])).rows[0].key as string;
      return { tenant: t, key: k };
    });

    // Baselines: the same events as rows in an unindexed table, written by
    // a raw COPY (the ceiling) and by multi-row INSERTs of JSON batches (as
    // the server's writer sends them).
    const { copyRate, insertRate } = await withClient(ctx.ownerUrl, async (c) => {
      await c.query(`drop table if exists bench_ingest_raw;
        create table bench_ingest_raw (event_type text, outcome text, severity text, correlation_id text, service text, resource jsonb, data jsonb)`);
      const events = Array.from({ length: 100_000 }, (_, i) => event(i) as Record<string, unknown>);
      const chunks: Buffer[] = [];
      for (let i = 0; i < events.length; i += 5000) {
        const lines = events.slice(i, i + 5000).map((e) =>
          [e.event_type, e.outcome, e.severity, e.correlation_id, e.service, JSON.stringify(e.resource), JSON.stringify(e.data)]
            .map((v) => copyText(v as string))
            .join("\t"),
        );
        chunks.push(Buffer.from(`${lines.join("\n")}\n`));
      }
      const [copied, copySeconds] = await timed(() => copyFrom(c, "copy bench_ingest_raw from stdin", chunks));
      if (copied !== events.length) throw new Error(`raw COPY wrote ${copied} rows, not ${events.length}`);
      await c.query("truncate bench_ingest_raw");
      const batch = JSON.stringify(events.slice(0, 5000));
      const [, insertSeconds] = await timed(async () => {
        for (let i = 0; i < 20; i++) {
          await c.query(
            `insert into bench_ingest_raw select * from jsonb_to_recordset($1::jsonb)
               as r(event_type text, outcome text, severity text, correlation_id text, service text, resource jsonb, data jsonb)`,
            [batch],
          );
        }
      });
      return { copyRate: events.length / copySeconds, insertRate: 100_000 / insertSeconds };
    });
    ctx.log(`raw COPY of the same events (the ceiling): ${fmtInt(copyRate)} rows/s; raw multi-row INSERT: ${fmtInt(insertRate)} rows/s`);
    const baseline = copyRate;

    // The server in its own process, as in production: the 64 client loops
    // here do not take CPU from it.
    const server = await startChildServer(ctx.ownerUrl, authUrl, [...(process.env.BENCH_INGEST_NODE_ARGS ?? "").split(" ").filter(Boolean), ...(process.env.BENCH_INGEST_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_INGEST_PROF}`] : [])]);
    const port = server.port;
    try {
      // Earlier sections leave dirty buffers behind; a checkpoint now keeps
      // their write-back (and the full-page images that follow a checkpoint
      // falling due mid-phase) out of this section's figures, as the capture
      // section does between its phases.
      await checkpoint(ctx.rootUrl);
      // BENCH_INGEST_PHASES=single (or batch) runs one phase, e.g. to profile it alone.
      const phases = (process.env.BENCH_INGEST_PHASES ?? "single,batch").split(",");
      const skipped = { perSecond: 0, errors: 0, acked: 0 };
      let warmupAcked = 0;
      const phase = async (clients: number, size: number) => {
        warmupAcked += (await load(port, key, clients, size, WARMUP_SECONDS)).acked;
        return load(port, key, clients, size);
      };
      const single = phases.includes("single") ? await phase(64, 1) : skipped;
      ctx.log(`single-event POSTs, 64 clients: ${fmtInt(single.perSecond)} events/s (${single.errors} non-201; after ${WARMUP_SECONDS} s of warm-up)`);
      const batches = phases.includes("batch") ? await phase(8, 500) : skipped;
      ctx.log(`batch POSTs of 500, 8 clients: ${fmtInt(batches.perSecond)} events/s (${batches.errors} non-201; after ${WARMUP_SECONDS} s of warm-up)`);
      const stored = await withClient(ctx.ownerUrl, async (c) => (await c.query("select count(*)::int as n from warden.audit_events where tenant_id = $1 and event_type = 'bench.ingest.received'", [tenant])).rows[0].n);
      // Every acknowledged event must be stored, once: a rate that wrote less is no rate.
      const expected = single.acked + batches.acked + warmupAcked;
      ctx.log(`events stored for the bench tenant: ${fmtInt(stored)} (acknowledged: ${fmtInt(expected)})`);
      const lost = stored !== expected;
      if (lost) ctx.log(`WARNING: ${fmtInt(expected)} events were acknowledged but ${fmtInt(stored)} are stored; the rates below do not count`);
      ctx.record({
        name: "single-event POSTs, 64 clients, ack after commit",
        value: `${fmtInt(single.perSecond)} events/s`,
        baseline: `${fmtInt(baseline)} rows/s raw COPY`,
        ratio: single.perSecond / baseline,
        target: ">= 5,000 events/s",
        met: single.perSecond >= 5000 && !lost,
      });
      ctx.record({
        name: "batch POSTs of 500, 8 clients",
        value: `${fmtInt(batches.perSecond)} events/s`,
        baseline: `${fmtInt(baseline)} rows/s raw COPY`,
        ratio: batches.perSecond / baseline,
        target: ">= 30,000 events/s",
        met: batches.perSecond >= 30_000 && !lost,
      });
    } finally {
      await server.close();
    }
  },
};
