/**
 * The API's usage meter: what only the API sees (requests answered, by API
 * key; audit exports; events accepted, for the monthly quota) is counted in
 * memory and added to warden_private.usage_counters every few seconds, so
 * the request path pays a Map update and no round trip. The worker's
 * usage_rollup task turns the counters into warden.usage_daily.
 *
 * Quotas (docs/usage.md): each flush also refreshes the quota state of the
 * tenants this process has seen (their quota and the events every API
 * process accepted this month); checkQuota adds this process's unflushed
 * count. A tenant's first request in a process loads its quota once.
 */
import type pg from "pg";
import type { AuthContext } from "../auth/types";
import { usageFlushes, usageQuotaRefusals } from "./metrics";

export type QuotaVerdict =
  | { state: "none" }
  | { state: "ok" | "soft" | "hard"; used: number; limit: number; softLimit: number; resetsAt: Date };

interface QuotaState {
  limit: number;
  softLimit: number;
  /** Events accepted this month by every process, as of the last refresh. */
  sharedUsed: number;
  resetsAt: Date;
  /** The month (yyyy-mm) the state belongs to. */
  month: string;
}

export interface UsageMeterOptions {
  /** How often counts are flushed and quotas refreshed (ms); default 5000. */
  flushIntervalMs?: number;
}

const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

export class UsageMeter {
  private counts = new Map<string, number>();
  /** Events accepted per tenant and not yet flushed (for the quota). */
  private unflushedAccepted = new Map<string, number>();
  private quotas = new Map<string, QuotaState | null>();
  private loading = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: UsageMeterOptions = {},
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.flush().catch(() => undefined);
    }, this.options.flushIntervalMs ?? 5000);
    this.timer.unref();
  }

  private add(tenantId: string, metric: string, dimension: string, n: number): void {
    const key = `${tenantId}|${utcDay(new Date())}|${metric}|${dimension}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  /** A request the API answered below 400 (rejected requests are free). */
  countRequest(ctx: AuthContext | undefined, status: number): void {
    if (!ctx || status >= 400) return;
    this.add(ctx.tenantId, "api_requests", ctx.actorType === "api_key" ? ctx.actorId : "user_tokens", 1);
  }

  /** An export the API served (status below 400). */
  countExport(ctx: AuthContext | undefined, kind: string, status: number): void {
    if (!ctx || status >= 400) return;
    this.add(ctx.tenantId, "exports", kind, 1);
  }

  /** Events newly accepted by ingest (never a replay): what the monthly quota counts. */
  countAccepted(tenantId: string, n: number): void {
    if (n <= 0) return;
    this.add(tenantId, "events_accepted", "", n);
    this.unflushedAccepted.set(tenantId, (this.unflushedAccepted.get(tenantId) ?? 0) + n);
  }

  /** Where the tenant stands against its monthly quota, counting `incoming` more events. */
  async checkQuota(tenantId: string, incoming: number): Promise<QuotaVerdict> {
    if (!this.quotas.has(tenantId)) await this.loadQuota(tenantId);
    const q = this.quotas.get(tenantId);
    if (!q) return { state: "none" };
    if (q.month !== new Date().toISOString().slice(0, 7)) {
      // a new month: the counts start again
      await this.loadQuota(tenantId);
      return this.checkQuota(tenantId, incoming);
    }
    const used = q.sharedUsed + (this.unflushedAccepted.get(tenantId) ?? 0);
    const base = { used, limit: q.limit, softLimit: q.softLimit, resetsAt: q.resetsAt };
    if (used + incoming > q.limit) {
      usageQuotaRefusals.inc();
      return { state: "hard", ...base };
    }
    return { state: used + incoming > q.softLimit ? "soft" : "ok", ...base };
  }

  private loadQuota(tenantId: string): Promise<void> {
    let p = this.loading.get(tenantId);
    if (!p) {
      p = this.refreshQuotas([tenantId]).finally(() => this.loading.delete(tenantId));
      this.loading.set(tenantId, p);
    }
    return p;
  }

  private async refreshQuotas(tenantIds: string[]): Promise<void> {
    if (tenantIds.length === 0) return;
    const { rows } = await this.pool.query<{
      tenant_id: string;
      monthly_events: string;
      soft_limit: string;
      used: string;
      month_ends_at: Date;
    }>("select * from warden_private.usage_quota_status($1::uuid[])", [tenantIds]);
    const month = new Date().toISOString().slice(0, 7);
    const found = new Set<string>();
    for (const r of rows) {
      found.add(r.tenant_id);
      this.quotas.set(r.tenant_id, {
        limit: Number(r.monthly_events),
        softLimit: Number(r.soft_limit),
        sharedUsed: Number(r.used),
        resetsAt: r.month_ends_at,
        month,
      });
    }
    for (const t of tenantIds) if (!found.has(t)) this.quotas.set(t, null);
  }

  /** Adds the counts to the database, refreshes quotas and sends crossing notifications. */
  flush(): Promise<void> {
    // one flush at a time; a caller during one waits for it and runs another
    const run = (this.flushing ?? Promise.resolve()).then(() => this.flushOnce());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async flushOnce(): Promise<void> {
    const batch = this.counts;
    const accepted = this.unflushedAccepted;
    this.counts = new Map();
    this.unflushedAccepted = new Map();
    if (batch.size) {
      const cols: [string[], string[], string[], string[], string[]] = [[], [], [], [], []];
      for (const [key, n] of batch) {
        const [tenant, day, metric, dimension] = key.split("|");
        cols[0].push(tenant);
        cols[1].push(day);
        cols[2].push(metric);
        cols[3].push(dimension);
        cols[4].push(String(n));
      }
      try {
        await this.pool.query("select warden_private.usage_add_counters($1::uuid[], $2::date[], $3::text[], $4::text[], $5::bigint[])", cols);
        usageFlushes.inc({ outcome: "ok" });
      } catch (err) {
        // keep the counts for the next flush
        usageFlushes.inc({ outcome: "error" });
        for (const [k, n] of batch) this.counts.set(k, (this.counts.get(k) ?? 0) + n);
        for (const [t, n] of accepted) this.unflushedAccepted.set(t, (this.unflushedAccepted.get(t) ?? 0) + n);
        throw err;
      }
    }
    const tenants = [...this.quotas.keys()];
    await this.refreshQuotas(tenants);
    for (const t of tenants) {
      const q = this.quotas.get(t);
      if (!q) continue;
      const level = q.sharedUsed >= q.limit ? "hard" : q.sharedUsed > q.softLimit ? "soft" : undefined;
      if (level === "hard") {
        // the soft notification first, when the tenant jumped straight past both
        await this.pool.query("select warden_private.usage_quota_crossed($1, 'soft', $2)", [t, q.sharedUsed]);
      }
      if (level) await this.pool.query("select warden_private.usage_quota_crossed($1, $2, $3)", [t, level, q.sharedUsed]);
    }
  }

  /** Stops the timer and flushes what is left. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush().catch(() => undefined);
  }
}
