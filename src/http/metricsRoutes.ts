/**
 * GET /metrics (Prometheus text format), and the middleware that counts
 * every HTTP request by route pattern (never by raw path, so ids do not
 * explode the label set) and status.
 */
import { Router, type NextFunction, type Request, type Response } from "express";
import type pg from "pg";
import { auditCoverage, captureBacklog, captureGaps, captureLag, httpRequests, registry, sealingLag, setCapturePromoted, setWriteRedactions } from "../metrics";
import { problem, sendProblem } from "./problem";
import { refreshRetentionMetrics } from "../retention/metrics";
import { refreshVerifyMetrics } from "../audit/verifyMetrics";
import { refreshCapturedIngested } from "../observability/capturedIngest";

/** The route pattern a request matched (never its raw path), once it is answered. */
export function routeLabel(req: Request): string {
  return req.route?.path ? `${req.baseUrl}${req.route.path}` : req.path.startsWith("/graphql") ? "/graphql" : "unmatched";
}

export function countRequests(req: Request, res: Response, next: NextFunction): void {
  res.on("finish", () => {
    httpRequests.inc({ route: routeLabel(req), method: req.method, status: String(res.statusCode) });
  });
  next();
}

/**
 * With WARDEN_METRICS_TOKEN set, scrapers must send it as a bearer token;
 * without it /metrics is open (bind HOST to a private address).
 */
export function metricsRoutes(ownerPool: pg.Pool, token: string | undefined = process.env.WARDEN_METRICS_TOKEN || undefined): Router {
  const router = Router();
  router.get("/metrics", async (req, res) => {
    if (token && req.get("authorization") !== `Bearer ${token}`) {
      sendProblem(res, problem(401, "invalid_credentials", "send Authorization: Bearer <WARDEN_METRICS_TOKEN>"));
      return;
    }
    try {
      const { rows } = await ownerPool.query("select warden_private.sealing_lag_seconds() as lag");
      sealingLag.set(rows[0].lag);
      await refreshRetentionMetrics(ownerPool);
      await refreshVerifyMetrics(ownerPool);
      const counts = await ownerPool.query(
        "select mode, method, sum(n)::float8 as n from warden_private.redaction_counts group by mode, method order by mode, method",
      );
      setWriteRedactions(counts.rows);
      const capture = await ownerPool.query(
        "select backlog_events::float8 as backlog, lag_seconds::float8 as lag, promoted_total::float8 as promoted from warden_private.capture_status()",
      );
      captureBacklog.set(capture.rows[0].backlog);
      captureLag.set(capture.rows[0].lag);
      // captured changes not yet promoted are not sealed either
      sealingLag.set(Math.max(rows[0].lag, capture.rows[0].lag));
      setCapturePromoted(capture.rows[0].promoted);
      const coverage = await ownerPool.query("select schema_name, coverage_ratio, gaps from warden_private.capture_coverage_metrics()");
      auditCoverage.reset();
      for (const r of coverage.rows) auditCoverage.set({ schema: r.schema_name }, r.coverage_ratio);
      captureGaps.set(coverage.rows[0]?.gaps ?? Number((await ownerPool.query("select count(*) as n from warden.capture_gaps()")).rows[0].n));
    } catch {
      /* the database is away: serve the rest */
    }
    await refreshCapturedIngested(ownerPool);
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
