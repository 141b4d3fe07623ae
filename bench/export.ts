/**
 * Bench section "export": GET /api/v1/audit/export?format=jsonl of a tenant
 * holding WARDEN_BENCH_EXPORT_EVENTS events (default 1,000,000), streamed
 * from a Warden server running as a child process, whose resident memory is
 * sampled every 20 ms: peak RSS growth over the RSS once 10,000 events had
 * arrived (constant memory: the growth must not scale with the export), and
 * throughput. Baseline in the same run: the same rows read straight through
 * pg with a server-side cursor (FETCH 1000) and serialised to JSON lines in
 * this process, no HTTP.
 */
import http from "node:http";
import { AUDIT_COLUMNS, AUDIT_SOURCE } from "../src/http/routes/auditColumns";
import type { BenchContext, BenchSection } from "./types";
import { ensureWindowPartitions, loadEvents, withIndexesRebuilt } from "./auditData";
import { auditorKey, authenticatorUrl, rssOf, startChildServer } from "./httpClient";
import { connect, envInt, fmtInt, withClient } from "./util";

const EVENTS = envInt("WARDEN_BENCH_EXPORT_EVENTS", 1_000_000);
const MB = 1024 * 1024;
const HEAP_CAP_MB = 96;

interface StreamResult {
  /** RSS when the stream had passed 10k, 100k, 250k, 500k, 750k events (shows a plateau or a slope). */
  checkpoints: { events: number; rss: number }[];
  events: number;
  seconds: number;
  rssBefore: number;
  rssAt10k: number;
  rssPeak: number;
  manifestCount: number | null;
}

export function streamExport(port: number, key: string, pid: number): Promise<StreamResult> {
  return new Promise((resolve, reject) => {
    const rssBefore = rssOf(pid);
    let rssAt10k = NaN;
    let rssPeak = rssBefore;
    let lines = 0;
    let tail = "";
    const marks = [10_000, 100_000, 250_000, 500_000, 750_000];
    const checkpoints: { events: number; rss: number }[] = [];
    const sampler = setInterval(() => {
      const rss = rssOf(pid);
      if (lines >= 10_000 && Number.isNaN(rssAt10k)) rssAt10k = rss;
      while (marks.length && lines >= marks[0]) checkpoints.push({ events: marks.shift()!, rss });
      if (rss > rssPeak) rssPeak = rss;
    }, 20);
    const started = process.hrtime.bigint();
    const req = http.get(
      { host: "127.0.0.1", port, path: "/api/v1/audit/export?format=jsonl", headers: { authorization: `Bearer ${key}` } },
      (res) => {
        if (res.statusCode !== 200) {
          clearInterval(sampler);
          reject(new Error(`export answered ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          for (let i = chunk.indexOf("\n"); i !== -1; i = chunk.indexOf("\n", i + 1)) lines++;
          tail = (tail + chunk).slice(-400);
        });
        res.on("end", () => {
          clearInterval(sampler);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const last = tail.trimEnd().split("\n").pop() ?? "";
          let manifestCount: number | null = null;
          try {
            manifestCount = JSON.parse(last).manifest?.count ?? null;
          } catch {
            /* no manifest: truncated */
          }
          resolve({ checkpoints, events: lines - 1, seconds, rssBefore, rssAt10k, rssPeak: Math.max(rssPeak, rssOf(pid)), manifestCount });
        });
        res.on("error", reject);
      },
    );
    req.on("error", (err) => {
      clearInterval(sampler);
      reject(err);
    });
  });
}

export const exportSection: BenchSection = {
  name: "export",
  async run(ctx: BenchContext): Promise<void> {
    const tenant = await withClient(ctx.ownerUrl, async (c) => {
      await ensureWindowPartitions(c);
      const t = (await c.query("select warden_private.create_tenant('bench export') as id")).rows[0].id as string;
      let loadSecs = 0;
      const indexSecs = await withIndexesRebuilt(c, async () => {
        const first = Number((await c.query("select count(*) as n from warden.audit_events")).rows[0].n) + 10_000_000;
        loadSecs = await loadEvents(c, [t], first, EVENTS);
      });
      await c.query("vacuum (analyze) warden.audit_events");
      ctx.log(`loaded ${fmtInt(EVENTS)} events for one tenant in ${loadSecs.toFixed(1)} s, indexes rebuilt in ${indexSecs.toFixed(1)} s`);
      return t;
    });
    const key = await auditorKey(ctx.ownerUrl, tenant);

    // Baseline: the export's query through pg, FETCH 1000 at a time, as JSON lines.
    const baseline = await withClient(ctx.ownerUrl, async (c) => {
      await c.query("begin");
      await c.query(
        `select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.actor_id', $2, true),
                set_config('jwt.claims.actor_type', 'api_key', true), set_config('jwt.claims.tenant_role', 'auditor', true)`,
        [tenant, key.id],
      );
      await c.query("set local role warden_visitor");
      const started = process.hrtime.bigint();
      await c.query(`declare bench_export no scroll cursor for select ${AUDIT_COLUMNS} from ${AUDIT_SOURCE} e order by e.occurred_at, e.event_id`);
      let n = 0;
      let bytes = 0;
      for (;;) {
        const { rows } = await c.query("fetch 1000 from bench_export");
        if (!rows.length) break;
        for (const row of rows) bytes += JSON.stringify(row).length + 1;
        n += rows.length;
      }
      await c.query("commit");
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return { n, seconds, perSecond: n / seconds, bytes };
    });
    ctx.log(`baseline (pg cursor + JSON lines, no HTTP): ${fmtInt(baseline.n)} events in ${baseline.seconds.toFixed(1)} s = ${fmtInt(baseline.perSecond)} events/s (${fmtInt(baseline.bytes / MB)} MB)`);

    // Twice: with Node's default heap sizing (V8 lets the heap grow while
    // garbage piles up fast, then plateaus), and with the old space capped at
    // HEAP_CAP_MB, which only a constant-memory stream survives.
    for (const heapCap of [undefined, HEAP_CAP_MB]) {
      const server = await startChildServer(ctx.ownerUrl, await authenticatorUrl(ctx), heapCap ? [`--max-old-space-size=${heapCap}`] : []);
      const heap = heapCap ? `old space capped at ${heapCap} MB` : "default heap";
      try {
        const r = await streamExport(server.port, key.key, server.pid);
        const perSecond = r.events / r.seconds;
        const growth = r.rssPeak - r.rssAt10k;
        const at250k = r.checkpoints.find((p) => p.events === 250_000)?.rss ?? NaN;
        const late = r.rssPeak - at250k;
        ctx.log(
          `API export (${heap}): ${fmtInt(r.events)} events in ${r.seconds.toFixed(1)} s = ${fmtInt(perSecond)} events/s; manifest count ${r.manifestCount}; ` +
            `server RSS before ${fmtInt(r.rssBefore / MB)} MB, after 10k events ${fmtInt(r.rssAt10k / MB)} MB, peak ${fmtInt(r.rssPeak / MB)} MB (growth ${(growth / MB).toFixed(1)} MB)`,
        );
        ctx.log(`server RSS along the stream (${heap}): ${r.checkpoints.map((p) => `${fmtInt(p.events / 1000)}k: ${fmtInt(p.rss / MB)} MB`).join(", ")}; peak - RSS at 250k: ${(late / MB).toFixed(1)} MB`);
        ctx.record({
          name: `JSONL export of ${fmtInt(r.events)} events, throughput (${heap})`,
          value: `${fmtInt(perSecond)} events/s`,
          baseline: `${fmtInt(baseline.perSecond)} events/s pg cursor`,
          ratio: perSecond / baseline.perSecond,
        });
        // The target rides on the capped run: with old space capped at
        // HEAP_CAP_MB, an export that kept anything per event could not
        // finish 1M events, and RSS shows what the stream itself holds. With
        // the default heap, V8 sizes the heap to the allocation rate and RSS
        // rises and falls by tens of MB whatever the export's length (seen:
        // 220 MB at 250k, 159 MB at 750k in one run): informational.
        ctx.record({
          name: `JSONL export (${heap}): server peak RSS growth after the first 10k events`,
          value: `${(growth / MB).toFixed(1)} MB (peak ${fmtInt(r.rssPeak / MB)} MB; +${(late / MB).toFixed(1)} MB after 250k)`,
          baseline: `${fmtInt(r.rssAt10k / MB)} MB RSS at 10k events`,
          target: heapCap ? "<= 32 MB" : undefined,
          met: heapCap ? growth <= 32 * MB && r.manifestCount === r.events : undefined,
        });
        if (r.manifestCount !== r.events) ctx.log(`WARNING: the manifest counts ${r.manifestCount} events, the stream had ${r.events}`);
      } finally {
        await server.close();
      }
    }
  },
};
