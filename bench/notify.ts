/**
 * Bench section "notify": delivery from the committed trail, every figure
 * beside its same-run baseline:
 *   1. signed webhook deliveries/s to a local receiver, draining a backlog
 *      of BENCH_NOTIFY_EVENTS (20,000) matched events of one subscription
 *      (in order), vs a bare keep-alive POST loop of the same bodies to the
 *      same receiver (target: at least 5,000/s);
 *      1b. the same with 16 requests in flight per subscription, vs a bare loop with 16 in flight;
 *   2. JetStream publishes/s (deduplicated by Nats-Msg-Id) draining the same
 *      backlog, vs a bare pipelined publish loop (target: at least 20,000/s);
 *   3. commit-to-webhook latency p95 with the real worker running, at a
 *      steady 1,000 events/s for BENCH_NOTIFY_SECONDS (10) (target: at most 2 s),
 *      once the worker has caught up with what earlier sections left (a
 *      capture backlog, events to seal: reported, not counted);
 *      the baseline is the receiver's own round trip (a bare POST).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { connect as natsConnect, createInbox, headers as natsHeaders } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import type { BenchContext, BenchSection } from "./types";
import { checkpoint, envInt, fmtInt, fmtRatio, timed, benchSealingKey } from "./util";
import { dispatchOnce } from "../src/notify/dispatch";
import { deliverBatch, loadSubscription, readPage, recordAttempts } from "../src/notify/deliver";
import { poolDb } from "../src/notify/db";
import { notifySettingsFromEnv } from "../src/notify/settings";
import { closeJetStream } from "../src/notify/jetstream";
import { closeWebhookAgents, cloudEventBody, signatureHeaders } from "../src/notify/webhook";
import { Pool } from "undici";
import { startWorker } from "../src/worker/runner";

const EVENTS = envInt("BENCH_NOTIFY_EVENTS", 20_000);
const SECONDS = envInt("BENCH_NOTIFY_SECONDS", 10);
const RATE = envInt("BENCH_NOTIFY_RATE", 1000);

interface Receiver {
  url: string;
  count: number;
  arrivals: Map<string, number>;
  close(): Promise<void>;
}

async function receiver(): Promise<Receiver> {
  const r: Receiver = { url: "", count: 0, arrivals: new Map(), close: async () => undefined };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      r.count++;
      const id = req.headers["webhook-id"];
      if (typeof id === "string" && !r.arrivals.has(id)) r.arrivals.set(id, Date.now());
      res.statusCode = 204;
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  r.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return r;
}

async function writeBacklog(pool: pg.Pool, tenant: string, type: string, n: number): Promise<void> {
  for (let from = 0; from < n; from += 10_000) {
    await pool.query(
      `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, severity, event_data, resource_type, resource_id)
       select $1, $2, 'bench', 'happened', 'service', 'bench', 'warning', jsonb_build_object('i', i, 'note', 'a bench event with a little data'), 'thing', i::text
       from generate_series($3::int, $4::int) i`,
      [tenant, type, from, Math.min(n, from + 10_000) - 1],
    );
  }
}

async function createSub(pool: pg.Pool, tenant: string, body: Record<string, unknown>): Promise<{ id: string; secret: string | null }> {
  const c = await pool.connect();
  try {
    await c.query("begin");
    await c.query("select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.tenant_role', 'owner', true)", [tenant]);
    const { rows } = await c.query(
      "select (r).* from (select warden.create_subscription($1, $2::jsonb, $3, $4, null, null, $5) as r) x",
      [body.name, JSON.stringify(body.filter), body.channel, body.webhook_url ?? null, body.prefix ?? null],
    );
    await c.query("commit");
    return rows[0];
  } finally {
    c.release();
  }
}

async function dispatchUntil(pool: pg.Pool, subId: string, n: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    await dispatchOnce(pool);
    const { rows } = await pool.query("select count(*)::int as n from warden.notification_deliveries where subscription_id = $1", [subId]);
    if (rows[0].n >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the dispatcher did not match the backlog");
}

async function drain(pool: pg.Pool, subId: string, settings: ReturnType<typeof notifySettingsFromEnv>): Promise<void> {
  for (;;) {
    const r = await deliverBatch(poolDb(pool), subId, settings);
    if (!r.more) return;
  }
}

/**
 * Waits until the running worker has promoted every captured change and
 * sealed every event committed so far, for at most 10 minutes; returns
 * what was waiting (or, when it did not catch up, what still was) and how
 * long it took.
 */
async function catchUp(pool: pg.Pool): Promise<{ capture: number; unsealed: number; caughtUp: boolean; seconds: number }> {
  const started = Date.now();
  const state = async () => {
    const c = await pool.connect();
    try {
      await c.query("begin");
      // The count through the txid BRIN index (as the sealer reads), not a scan of the store every 250 ms.
      await c.query("set local enable_seqscan = off");
      const r = await c.query<{ capture: number; unsealed: number }>(
        `select (select backlog_events from warden_private.capture_status())::float8 as capture,
                (select count(*) from warden.audit_events e where e.txid >= (select watermark from warden_private.seal_state))::float8 as unsealed`,
      );
      await c.query("commit");
      return r;
    } finally {
      c.release();
    }
  };
  const first = (await state()).rows[0];
  for (let s = first; s.capture > 0 || s.unsealed > 0; s = (await state()).rows[0]) {
    if (Date.now() - started > 600_000) {
      // Measured all the same; the log says what was still waiting.
      return { ...s, caughtUp: false, seconds: (Date.now() - started) / 1000 };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { ...first, caughtUp: true, seconds: (Date.now() - started) / 1000 };
}

function p95(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))];
}

export const notifySection: BenchSection = {
  name: "notify",
  async run(ctx: BenchContext): Promise<void> {
    const pool = new pg.Pool({ connectionString: ctx.ownerUrl, max: 8 });
    pool.on("error", () => undefined);
    const rx = await receiver();
    const settings = { ...notifySettingsFromEnv(), allowPrivate: true, batchSize: 2000 };
    // What earlier sections wrote is flushed first (a checkpoint writing gigabytes meanwhile halved even the
    // bare POST loop, which touches no database).
    await checkpoint(ctx.rootUrl);
    try {
      const { rows } = await pool.query("select warden_private.create_tenant($1) as id", [`bench-notify-${randomUUID().slice(0, 8)}`]);
      const tenant = rows[0].id as string;

      // 1. Webhooks from a backlog vs a bare POST loop.
      const hook = await createSub(pool, tenant, { name: "bench-hook", channel: "webhook", webhook_url: rx.url, filter: { event_type: "bench.hook.*" } });
      await writeBacklog(pool, tenant, "bench.hook.fired", EVENTS);
      const [, dispatchSec] = await timed(() => dispatchUntil(pool, hook.id, EVENTS));
      ctx.log(`matched ${fmtInt(EVENTS)} events in ${dispatchSec.toFixed(2)} s (${fmtInt(EVENTS / dispatchSec)}/s)`);
      const before = rx.count;
      const [, hookSec] = await timed(() => drain(pool, hook.id, settings));
      const delivered = rx.count - before;
      const body = JSON.stringify({ specversion: "1.0", id: randomUUID(), type: "bench", source: "/bench", data: { note: "x".repeat(700) } });
      // The best bare loop: undici (the client the channel uses), one keep-alive connection, no signing, no database.
      const bare1 = new Pool(new URL(rx.url).origin, { connections: 1, pipelining: 1 });
      const barePath = new URL(rx.url).pathname;
      const [, bareSec] = await timed(async () => {
        for (let i = 0; i < EVENTS; i++) {
          const res = await bare1.request({ path: barePath, method: "POST", headers: { "content-type": "application/json" }, body });
          await res.body.dump();
        }
      });
      await bare1.close();
      // The floor of a delivery: the same loop plus what the channel must do per event without the database
      // (the CloudEvent envelope, the Standard Webhooks signature).
      const floorEvent = { event_id: randomUUID(), tenant_id: tenant, event_type: "bench.hook.fired", occurred_at: new Date().toISOString(), event_data: { note: "x".repeat(700) } };
      const floorPool = new Pool(new URL(rx.url).origin, { connections: 1, pipelining: 1 });
      const floorLoop = async () => {
        for (let i = 0; i < EVENTS; i++) {
          const b = cloudEventBody({ ...floorEvent, event_id: `${i}` });
          const res = await floorPool.request({ path: barePath, method: "POST", headers: { "content-type": "application/cloudevents+json", ...signatureHeaders(hook.secret!, `${i}`, b) }, body: b });
          await res.body.dump();
        }
      };
      const [, floorSec] = await timed(floorLoop);
      ctx.log(`floor without the database (bare loop + envelope + signature): ${fmtInt(EVENTS / floorSec)}/s`);
      // The database's part alone: the delivery log read with the redacted events (pages of 500) and the
      // results recorded (one statement per page), as the channel does, with no HTTP.
      const hookSub = (await loadSubscription(poolDb(pool), hook.id))!;
      const dbPart = async (pageSize: number) => {
        let after = "0";
        let recording: Promise<void> = Promise.resolve();
        for (;;) {
          const page = await readPage(poolDb(pool), hookSub, after, pageSize);
          if (!page.length) break;
          after = page[page.length - 1].id;
          const rows = page.map((d) => ({ id: d.id, attempt: d.attempts + 1, statusCode: 204, latencyMs: 0.1, error: null }));
          recording = recording.then(() => recordAttempts(poolDb(pool), hookSub, "delivered", rows));
        }
        await recording;
      };
      const resetHook = () => pool.query("update warden.notification_deliveries set status = 'pending', next_attempt_at = now() where subscription_id = $1", [hook.id]);
      await resetHook();
      const [, dbSec] = await timed(() => dbPart(500));
      ctx.log(`the database's part alone (read pages with redacted events + record results): ${fmtInt(EVENTS / dbSec)}/s`);
      // Both at once, independent of each other (no ordering between them): the floor of this machine for
      // a channel that must do both for every delivery.
      await resetHook();
      const [, bothSec] = await timed(() => Promise.all([floorLoop(), dbPart(500)]));
      await floorPool.close();
      ctx.log(`floor: the loop with envelope + signature and the database's part, side by side: ${fmtInt(EVENTS / bothSec)}/s`);
      const hookRate = delivered / hookSec;
      const bareRate = EVENTS / bareSec;
      ctx.record({ name: `signed webhook deliveries from a ${fmtInt(EVENTS)}-event backlog (one subscription, strictly in order)`, value: `${fmtInt(hookRate)}/s`, baseline: `${fmtInt(bareRate)}/s bare POST loop; floor (+ envelope + signature, and the database's part side by side) ${fmtInt(EVENTS / bothSec)}/s`, ratio: hookRate / bareRate, target: ">= 5,000/s", met: hookRate >= 5000 });
      ctx.log(`webhooks ${fmtInt(hookRate)}/s vs bare POST ${fmtInt(bareRate)}/s (${fmtRatio(hookRate / bareRate)})`);

      // 1b. The same with WARDEN_NOTIFY_WEBHOOK_CONCURRENCY=16, vs a bare loop keeping 16 POSTs in flight.
      const W = 16;
      await pool.query("update warden.notification_deliveries set status = 'pending', attempts = 0, next_attempt_at = now() where subscription_id = $1", [hook.id]);
      const before16 = rx.count;
      const [, hook16Sec] = await timed(() => drain(pool, hook.id, { ...settings, webhookConcurrency: W }));
      const hook16Rate = (rx.count - before16) / hook16Sec;
      const bare16 = new Pool(new URL(rx.url).origin, { connections: W, pipelining: 1 });
      const post = async () => {
        const res = await bare16.request({ path: barePath, method: "POST", headers: { "content-type": "application/json" }, body });
        await res.body.dump();
      };
      const [, bare16Sec] = await timed(async () => {
        for (let i = 0; i < EVENTS; i += W) await Promise.all(Array.from({ length: Math.min(W, EVENTS - i) }, post));
      });
      await bare16.close();
      const bare16Rate = EVENTS / bare16Sec;
      ctx.record({ name: `signed webhook deliveries, ${W} in flight per subscription (sent in order)`, value: `${fmtInt(hook16Rate)}/s`, baseline: `${fmtInt(bare16Rate)}/s bare POST loop, ${W} in flight`, ratio: hook16Rate / bare16Rate, target: ">= 5,000/s", met: hook16Rate >= 5000 });
      ctx.log(`webhooks x${W} ${fmtInt(hook16Rate)}/s vs bare x${W} ${fmtInt(bare16Rate)}/s`);

      // 2. JetStream from a backlog vs a bare publish loop.
      let nc;
      try {
        nc = await natsConnect({ servers: settings.natsUrl, timeout: 2000 });
      } catch {
        ctx.log("NATS is not running on 127.0.0.1:4222: JetStream figures skipped");
      }
      if (nc) {
        const prefix = `wbench${Date.now().toString(36)}`;
        const jsm = await jetstreamManager(nc);
        try {
          const js = await createSub(pool, tenant, { name: "bench-js", channel: "jetstream", prefix, filter: { event_type: "bench.js.*" } });
          await writeBacklog(pool, tenant, "bench.js.fired", EVENTS);
          await dispatchUntil(pool, js.id, EVENTS);
          const [, jsSec] = await timed(() => drain(pool, js.id, settings));
          const jsRate = EVENTS / jsSec;
          await jsm.streams.add({ name: `BARE_${prefix.toUpperCase()}`, subjects: [`bare${prefix}.>`] });
          // The best bare loop: core NATS publishes with Nats-Msg-Id and a reply subject each, the stream's
          // acks read by one subscription, pages of 2,000 with two in flight (js.publish, a request per
          // message, reached about a third of this).
          const inbox = createInbox();
          const waiting = new Map<string, () => void>();
          const ackSub = nc.subscribe(`${inbox}.*`, { callback: (_e, m) => { const k = m.subject.slice(inbox.length + 1); waiting.get(k)?.(); waiting.delete(k); } });
          /** One bare run; each run's ids are its own (the broker would drop a repeated one as a duplicate, cheaply). */
          const bareJsLoop = async (run: string) => {
            let previous: Promise<unknown> | null = null;
            for (let from = 0; from < EVENTS; from += 2000) {
              const batch = [];
              for (let i = from; i < Math.min(EVENTS, from + 2000); i++) {
                const h = natsHeaders();
                h.set("Nats-Msg-Id", `${prefix}-${run}-${i}`);
                batch.push(new Promise<void>((resolve) => waiting.set(`${run}${i}`, resolve)));
                nc.publish(`bare${prefix}.t.bench`, body, { reply: `${inbox}.${run}${i}`, headers: h });
              }
              if (previous) await previous;
              previous = Promise.all(batch);
            }
            await previous;
          };
          const [, bareJsSec] = await timed(() => bareJsLoop("a"));
          // Floor: the same bare loop and the channel's database part (pages of 2,000), side by side.
          const jsSub = (await loadSubscription(poolDb(pool), js.id))!;
          await pool.query("update warden.notification_deliveries set status = 'pending', next_attempt_at = now() where subscription_id = $1", [js.id]);
          const jsDbPart = async () => {
            let after = "0";
            let recording: Promise<void> = Promise.resolve();
            for (;;) {
              const page = await readPage(poolDb(pool), jsSub, after, 2000);
              if (!page.length) break;
              after = page[page.length - 1].id;
              const rows = page.map((d) => ({ id: d.id, attempt: d.attempts + 1, statusCode: null, latencyMs: 0.1, error: null }));
              recording = recording.then(() => recordAttempts(poolDb(pool), jsSub, "delivered", rows));
            }
            await recording;
          };
          const [, jsDbSec] = await timed(jsDbPart);
          ctx.log(`JetStream: the database's part alone ${fmtInt(EVENTS / jsDbSec)}/s`);
          // Floor: both at once, as a delivery needs both (the publishes, and the pages read and recorded) on the
          // same cores as the broker.
          await pool.query("update warden.notification_deliveries set status = 'pending', next_attempt_at = now() where subscription_id = $1", [js.id]);
          const [, jsBothSec] = await timed(() => Promise.all([bareJsLoop("b"), jsDbPart()]));
          ackSub.unsubscribe();
          ctx.log(`JetStream floor: the bare publish loop and the database's part side by side ${fmtInt(EVENTS / jsBothSec)}/s`);
          const bareJsRate = EVENTS / bareJsSec;
          ctx.record({ name: `JetStream publishes (Nats-Msg-Id dedup) from a ${fmtInt(EVENTS)}-event backlog`, value: `${fmtInt(jsRate)}/s`, baseline: `${fmtInt(bareJsRate)}/s bare pipelined publish; floor: the database's part alone ${fmtInt(EVENTS / jsDbSec)}/s, both side by side ${fmtInt(EVENTS / jsBothSec)}/s`, ratio: jsRate / bareJsRate, target: ">= 20,000/s", met: jsRate >= 20000 });
          ctx.log(`JetStream ${fmtInt(jsRate)}/s vs bare ${fmtInt(bareJsRate)}/s`);
        } finally {
          for (const s of [`WARDEN_${prefix.toUpperCase()}`, `BARE_${prefix.toUpperCase()}`]) await jsm.streams.delete(s).catch(() => undefined);
          await nc.close();
        }
      }

      // 3. Commit to webhook received, p95, at a steady rate, with the real worker.
      const live = await createSub(pool, tenant, { name: "bench-live", channel: "webhook", webhook_url: rx.url, filter: { event_type: "bench.live.*" } });
      process.env.WARDEN_NOTIFY_ALLOW_PRIVATE = "true";
      const worker = await startWorker({ pool, concurrency: 4, sealingKey: benchSealingKey() });
      const committed = new Map<string, number>();
      try {
        // Steady state: the load starts once the worker's dispatcher has made a pass (starting the worker,
        // its crontab and first jobs is not part of the commit-to-webhook latency).
        const warmStart = Date.now();
        for (;;) {
          const { rows: st } = await pool.query("select last_dispatch_at > $1::timestamptz as ran from warden_private.notify_state", [new Date(warmStart)]);
          if (st[0]?.ran) break;
          if (Date.now() - warmStart > 30_000) throw new Error("the worker's dispatcher did not run within 30 s");
          await new Promise((r) => setTimeout(r, 50));
        }
        ctx.log(`worker started; first dispatch pass after ${((Date.now() - warmStart) / 1000).toFixed(2)} s (not counted)`);
        // A steady rate measures a steady state: the worker first catches up with what earlier sections
        // left (a capture backlog to promote, events to seal), which delays every notification behind it.
        const caughtUp = await catchUp(pool);
        if (!caughtUp.caughtUp) {
          ctx.log(`WARNING: the worker did not catch up within 10 minutes (${fmtInt(caughtUp.capture)} captured changes to promote, ${fmtInt(caughtUp.unsealed)} events to seal still waiting); measured all the same`);
        } else if (caughtUp.seconds >= 0.5) {
          ctx.log(`caught up first with what earlier sections left (${fmtInt(caughtUp.capture)} captured changes to promote, ${fmtInt(caughtUp.unsealed)} events to seal) in ${caughtUp.seconds.toFixed(1)} s (not counted)`);
        }
        const perTick = Math.max(1, Math.round(RATE / 10));
        const started = Date.now();
        for (let tick = 0; Date.now() - started < SECONDS * 1000; tick++) {
          const due = started + tick * 100;
          if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
          const res = await pool.query(
            `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, severity, event_data)
             select $1, 'bench.live.tick', 'bench', 'tick', 'service', 'bench', 'warning', jsonb_build_object('i', i) from generate_series(1, $2) i returning event_id`,
            [tenant, perTick],
          );
          const at = Date.now();
          for (const r of res.rows) committed.set(r.event_id, at);
        }
        const until = Date.now() + 30_000;
        while ([...committed.keys()].some((id) => !rx.arrivals.has(id)) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      } finally {
        await worker.stop();
        delete process.env.WARDEN_NOTIFY_ALLOW_PRIVATE;
      }
      const lat = [...committed].filter(([id]) => rx.arrivals.has(id)).map(([id, at]) => rx.arrivals.get(id)! - at);
      const missing = committed.size - lat.length;
      const p = p95(lat) / 1000;
      ctx.record({ name: `commit to webhook received, p95, ${fmtInt(RATE)} events/s for ${SECONDS} s (worker running)`, value: `${p.toFixed(3)} s`, baseline: `${missing} of ${fmtInt(committed.size)} not received within 30 s`, target: "<= 2 s", met: p <= 2 && missing === 0 });
      ctx.log(`commit-to-webhook p95 ${p.toFixed(3)} s over ${fmtInt(lat.length)} events (${missing} missing)`);
      void live;
    } finally {
      closeWebhookAgents();
      await closeJetStream();
      await rx.close();
      await pool.end();
    }
  },
};
