/**
 * Bench section "query": reading the audit trail through the REST API
 * (GET /api/v1/audit/...) with an auditor API key of one tenant, with 1M and
 * then 5M events stored (WARDEN_BENCH_QUERY_SIZES=1000000,5000000), p50/p95/p99
 * of:
 *   timeline     GET /audit/correlations/{id} (5-12 events)      target p95 <= 10 ms
 *   filtered     GET /audit/events?event_type=..&since=7d          target p95 <= 25 ms
 *   resource     GET /audit/events?resource_type=..&resource_id=.. target p95 <= 25 ms
 *   containment  GET /audit/events?data.plan=..&data.http.status=.. target p95 <= 100 ms
 *   deep page    page 1,000 (limit 100, cursor walked from page 1)  target: as fast as page 1
 * Baseline in the same run: the same SQL (built by the same functions the
 * routes use) sent straight to PostgreSQL through pg as the visitor with the
 * same settings, no HTTP: API / SQL is the API's overhead.
 */
import type pg from "pg";
import { AUDIT_COLUMNS, AUDIT_SOURCE } from "../src/http/routes/auditColumns";
import { filterToSql, keysetCondition, parseAuditQuery } from "../src/audit/query";
import type { BenchContext, BenchSection } from "./types";
import { EVENT_TYPES, PLANS, ensureWindowPartitions, loadEvents, withIndexesRebuilt } from "./auditData";
import { ApiClient, auditorKey, authenticatorUrl, fmtLatency, latency, startInProcessServer, type Latency } from "./httpClient";
import { connect, envInt, fmtInt, fmtRatio, withClient } from "./util";

const TENANTS = 5;
const SAMPLES = envInt("BENCH_QUERY_SAMPLES", 200);
const DEEP_PAGE = 1000;

export function querySizes(): number[] {
  const raw = process.env.WARDEN_BENCH_QUERY_SIZES ?? "1000000,5000000";
  const sizes = raw.split(",").map((s) => Number(s.trim()));
  if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 10000)) {
    throw new Error(`WARDEN_BENCH_QUERY_SIZES must be integers >= 10000, got ${JSON.stringify(raw)}`);
  }
  return sizes.sort((a, b) => a - b);
}

function label(n: number): string {
  return n % 1_000_000 === 0 ? `${n / 1_000_000}M` : fmtInt(n);
}

/** The SQL of GET /api/v1/audit/events (src/http/routes/auditQuery.ts), for the baseline. */
function eventsSql(query: Record<string, string>, cursor?: { occurredAt: string; eventId: string }): { sql: string; params: unknown[] } {
  const parsed = parseAuditQuery(query);
  if (!parsed.ok) throw new Error(`bad bench query ${JSON.stringify(query)}`);
  const { filter, limit, order } = parsed.value;
  const { conditions, params } = filterToSql(filter);
  if (cursor) {
    params.push(cursor.occurredAt, cursor.eventId);
    conditions.push(keysetCondition(order, `$${params.length - 1}`, `$${params.length}`));
  }
  params.push(limit + 1);
  return {
    sql: `select ${AUDIT_COLUMNS} from ${AUDIT_SOURCE} e
      ${conditions.length ? `where ${conditions.join(" and ")}` : ""}
      order by e.occurred_at ${order}, e.event_id ${order}
      limit $${params.length}`,
    params,
  };
}

const TIMELINE_SQL = `select ${AUDIT_COLUMNS} from ${AUDIT_SOURCE} e where e.correlation_id = $1
  order by e.occurred_at, e.recorded_at, e.event_id limit 10001`;

/** A correlation id of tenant 0 among the first `loaded` events (k % TENANTS = 0). */
function correlationOf(loaded: number, i: number): string {
  const blocks = Math.floor(loaded / 12);
  const k = (Math.floor(((i * 7919) % Math.floor(blocks / TENANTS)) || 0)) * TENANTS;
  return `corr-${k}${k % 3 === 0 ? (i % 2 ? "a" : "b") : ""}`;
}

/** The resource of that correlation block (resource_id o-<k>, 5 to 12 events). */
function resourceOf(loaded: number, i: number): string {
  const blocks = Math.floor(loaded / 12);
  return `o-${(Math.floor(((i * 7919) % Math.floor(blocks / TENANTS)) || 0)) * TENANTS}`;
}

async function timeSql(c: pg.Client, sql: string, params: unknown[]): Promise<number> {
  const started = process.hrtime.bigint();
  await c.query(sql, params);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

interface Case {
  name: string;
  target: string;
  limitMs?: number;
  api: (i: number) => Promise<number>;
  sql: (i: number) => Promise<number>;
}

async function measure(fn: (i: number) => Promise<number>, n: number): Promise<Latency> {
  for (let i = 0; i < Math.min(20, n); i++) await fn(n + i); // warm up
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await fn(i));
  return latency(samples);
}

export const querySection: BenchSection = {
  name: "query",
  async run(ctx: BenchContext): Promise<void> {
    const sizes = querySizes();
    const tenants = await withClient(ctx.ownerUrl, async (c) => {
      await ensureWindowPartitions(c);
      const ids: string[] = [];
      for (let i = 0; i < TENANTS; i++) ids.push((await c.query("select warden_private.create_tenant($1) as id", [`bench query ${i}`])).rows[0].id);
      return ids;
    });
    const key = await auditorKey(ctx.ownerUrl, tenants[0]);
    const server = await startInProcessServer(ctx.ownerUrl, await authenticatorUrl(ctx));
    const api = new ApiClient(server.port, key.key);
    const loader = await connect(ctx.ownerUrl);
    // The baseline connection: the visitor with the API key's settings, session-wide.
    const direct = await connect(ctx.ownerUrl);
    try {
      await direct.query(
        `select set_config('jwt.claims.tenant_id', $1, false), set_config('jwt.claims.actor_id', $2, false),
                set_config('jwt.claims.actor_type', 'api_key', false), set_config('jwt.claims.tenant_role', 'auditor', false)`,
        [tenants[0], key.id],
      );
      await direct.query("set role warden_visitor");
      let loaded = 0;
      for (const size of sizes) {
        let secs = 0;
        const indexSecs = await withIndexesRebuilt(loader, async () => {
          secs = await loadEvents(loader, tenants, loaded, size - loaded);
        });
        ctx.log(`loaded ${fmtInt(size - loaded)} events in ${secs.toFixed(1)} s (${fmtInt((size - loaded) / secs)} rows/s), indexes rebuilt in ${indexSecs.toFixed(1)} s; ${fmtInt(size)} stored`);
        loaded = size;
        const [, analyzeSecs] = await (async () => {
          const t = process.hrtime.bigint();
          await loader.query("vacuum (analyze) warden.audit_events");
          return [null, Number(process.hrtime.bigint() - t) / 1e9];
        })();
        ctx.log(`vacuum analyze: ${analyzeSecs.toFixed(1)} s`);
        const tenantEvents = (await loader.query("select count(*)::int as n from warden.audit_events where tenant_id = $1", [tenants[0]])).rows[0].n;
        ctx.log(`the auditor's tenant holds ${fmtInt(tenantEvents)} events`);

        const filtered = (i: number) => ({ event_type: EVENT_TYPES[i % EVENT_TYPES.length], since: "7d", limit: "100" });
        const byResource = (i: number) => ({ resource_type: "order", resource_id: resourceOf(loaded, i), limit: "100" });
        const contained = (i: number) => ({ "data.plan": PLANS[i % PLANS.length], "data.http.status": i % 2 ? "500" : "404", limit: "100" });
        const qs = (q: Record<string, string>) => new URLSearchParams(q).toString();
        const expectOk = (r: { status: number; body: any; ms: number }) => {
          if (r.status !== 200) throw new Error(`API answered ${r.status}: ${JSON.stringify(r.body)}`);
          return r.ms;
        };

        // Deep pages: walk the cursor from page 1 to page DEEP_PAGE once, keeping the last cursor.
        const walkStarted = process.hrtime.bigint();
        let cursor: string | null = null;
        let position: { occurredAt: string; eventId: string } | undefined;
        for (let page = 1; page < DEEP_PAGE; page++) {
          const r = await api.get(`/api/v1/audit/events?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
          expectOk(r);
          cursor = r.body.next_cursor;
          const last = r.body.data[r.body.data.length - 1];
          position = { occurredAt: last.occurred_at, eventId: last.event_id };
          if (!cursor) throw new Error(`the tenant has fewer than ${DEEP_PAGE} pages of 100 events`);
        }
        ctx.log(`walked ${DEEP_PAGE - 1} pages in ${(Number(process.hrtime.bigint() - walkStarted) / 1e9).toFixed(1)} s`);
        const deepCursor = cursor!;
        const page1Sql = eventsSql({ limit: "100" });
        const deepSql = eventsSql({ limit: "100" }, position);

        const cases: Case[] = [
          {
            name: "timeline (correlation)",
            target: "p95 <= 10 ms",
            limitMs: 10,
            api: async (i) => expectOk(await api.get(`/api/v1/audit/correlations/${encodeURIComponent(correlationOf(loaded, i))}`)),
            sql: (i) => timeSql(direct, TIMELINE_SQL, [correlationOf(loaded, i)]),
          },
          {
            name: "filtered page (event_type, since 7d)",
            target: "p95 <= 25 ms",
            limitMs: 25,
            api: async (i) => expectOk(await api.get(`/api/v1/audit/events?${qs(filtered(i))}`)),
            sql: (i) => {
              const q = eventsSql(filtered(i));
              return timeSql(direct, q.sql, q.params);
            },
          },
          {
            name: "by resource (resource_type, resource_id)",
            target: "p95 <= 25 ms",
            limitMs: 25,
            api: async (i) => expectOk(await api.get(`/api/v1/audit/events?${qs(byResource(i))}`)),
            sql: (i) => {
              const q = eventsSql(byResource(i));
              return timeSql(direct, q.sql, q.params);
            },
          },
          {
            name: "jsonb containment (data.plan, data.http.status)",
            target: "p95 <= 100 ms",
            limitMs: 100,
            api: async (i) => expectOk(await api.get(`/api/v1/audit/events?${qs(contained(i))}`)),
            sql: (i) => {
              const q = eventsSql(contained(i));
              return timeSql(direct, q.sql, q.params);
            },
          },
          {
            name: "page 1 (limit 100)",
            target: "",
            api: async () => expectOk(await api.get("/api/v1/audit/events?limit=100")),
            sql: () => timeSql(direct, page1Sql.sql, page1Sql.params),
          },
          {
            name: `page ${fmtInt(DEEP_PAGE)} (cursor)`,
            target: "p95 <= 1.5x page 1",
            api: async () => expectOk(await api.get(`/api/v1/audit/events?limit=100&cursor=${encodeURIComponent(deepCursor)}`)),
            sql: () => timeSql(direct, deepSql.sql, deepSql.params),
          },
        ];
        let page1Api: Latency | undefined;
        for (const c of cases) {
          const viaApi = await measure(c.api, SAMPLES);
          const viaSql = await measure(c.sql, SAMPLES);
          ctx.log(`${label(size)} ${c.name}: API ${fmtLatency(viaApi)} | SQL ${fmtLatency(viaSql)} | API/SQL p95 ${fmtRatio(viaApi.p95 / viaSql.p95)}`);
          let met: boolean | undefined;
          if (c.limitMs !== undefined) met = viaApi.p95 <= c.limitMs;
          if (c.name.startsWith("page 1 ")) page1Api = viaApi;
          else if (c.name.startsWith("page ") && page1Api) {
            met = viaApi.p95 <= 1.5 * page1Api.p95;
            ctx.log(`${label(size)} page ${DEEP_PAGE} / page 1 (API p95): ${fmtRatio(viaApi.p95 / page1Api.p95)}`);
          }
          ctx.record({
            name: `${label(size)} ${c.name}`,
            value: `API ${fmtLatency(viaApi)}`,
            baseline: `SQL ${fmtLatency(viaSql)}`,
            ratio: viaApi.p95 / viaSql.p95,
            target: c.target || undefined,
            met,
          });
        }
      }
    } finally {
      api.close();
      await server.close();
      await loader.end().catch(() => undefined);
      await direct.end().catch(() => undefined);
    }
  },
};
