/**
 * GET /api/v1/usage?from=YYYY-MM-DD&to=YYYY-MM-DD: the tenant's daily usage
 * (warden.usage, tenant owners and admins), with per-metric totals and the
 * monthly quota when one is set. Defaults: the current UTC month so far.
 */
import { Router } from "express";
import type pg from "pg";
import { withRequestContext } from "../../db/requestContext";
import { requireRole } from "../auth";
import { problem, sendProblem } from "../problem";
import type { UsageMeter } from "../../usage/meter";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function validDay(v: string): boolean {
  return DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
}

export function usageRoutes(authPool: pg.Pool, meter: UsageMeter): Router {
  const router = Router();
  router.get("/usage", requireRole("owner", "admin"), async (req, res, next) => {
    const today = new Date().toISOString().slice(0, 10);
    const from = typeof req.query.from === "string" ? req.query.from : `${today.slice(0, 7)}-01`;
    const to = typeof req.query.to === "string" ? req.query.to : today;
    const errors: { pointer: string; reason: string }[] = [];
    if (!validDay(from)) errors.push({ pointer: "/from", reason: "a UTC day, YYYY-MM-DD" });
    if (!validDay(to)) errors.push({ pointer: "/to", reason: "a UTC day, YYYY-MM-DD" });
    if (!errors.length && from > to) errors.push({ pointer: "/from", reason: "not after to" });
    if (!errors.length && (Date.parse(to) - Date.parse(from)) / 86_400_000 > 366) errors.push({ pointer: "/to", reason: "at most 366 days after from" });
    if (errors.length) {
      sendProblem(res, problem(400, "invalid_query", "from and to must be UTC days (YYYY-MM-DD), from <= to, at most 366 days apart", { errors }));
      return;
    }
    try {
      const ctx = req.warden!;
      const out = await withRequestContext(authPool, ctx, res.locals.traceId, async (client) => {
        const { rows } = await client.query<{ day: string; metric: string; dimension: string; value: string }>(
          "select day::text as day, metric, dimension, value::text as value from warden.usage($1::date, $2::date)",
          [from, to],
        );
        const quota = await client.query<{ monthly_events: string; soft_limit_percent: number }>(
          "select monthly_events::text as monthly_events, soft_limit_percent from warden.usage_quotas where tenant_id = $1",
          [ctx.tenantId],
        );
        return { rows, quota: quota.rows[0] };
      });
      const totals: Record<string, number> = {};
      for (const r of out.rows) if (r.metric !== "storage_bytes") totals[r.metric] = (totals[r.metric] ?? 0) + Number(r.value);
      const lastStorage = out.rows.filter((r) => r.metric === "storage_bytes").pop();
      if (lastStorage) totals.storage_bytes = Number(lastStorage.value);
      const verdict = out.quota ? await meter.checkQuota(ctx.tenantId, 0) : { state: "none" as const };
      res.json({
        tenant_id: ctx.tenantId,
        from,
        to,
        rows: out.rows.map((r) => ({ day: r.day, metric: r.metric, dimension: r.dimension, value: Number(r.value) })),
        totals,
        quota:
          out.quota && verdict.state !== "none"
            ? {
                monthly_events: Number(out.quota.monthly_events),
                soft_limit_percent: out.quota.soft_limit_percent,
                used_this_month: verdict.used,
                state: verdict.state === "hard" || verdict.used >= verdict.limit ? "hard" : verdict.used > verdict.softLimit ? "soft" : "ok",
                resets_at: verdict.resetsAt.toISOString(),
              }
            : null,
      });
    } catch (err) {
      next(err);
    }
  });
  return router;
}

/**
 * Counts every authenticated API request the meter should know about once
 * it is answered: requests below 400 by credential, and audit exports.
 */
export function countUsage(meter: UsageMeter) {
  return (req: import("express").Request, res: import("express").Response, next: import("express").NextFunction): void => {
    res.on("finish", () => {
      const ctx = req.warden;
      meter.countRequest(ctx, res.statusCode);
      if (req.method === "GET" && req.path === "/audit/export") meter.countExport(ctx, "audit_export", res.statusCode);
    });
    next();
  };
}
