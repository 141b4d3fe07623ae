/**
 * GET /metrics (Prometheus text format), and the middleware that counts
 * every HTTP request by route pattern (never by raw path, so ids do not
 * explode the label set) and status.
 */
import { Router, type NextFunction, type Request, type Response } from "express";
import type pg from "pg";
import { httpRequests, registry, sealingLag, setWriteRedactions } from "../metrics";
import { problem, sendProblem } from "./problem";
import { refreshRetentionMetrics } from "../retention/metrics";

export function countRequests(req: Request, res: Response, next: NextFunction): void {
  res.on("finish", () => {
    const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : req.path.startsWith("/graphql") ? "/graphql" : "unmatched";
    httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
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
      const { rows } = await ownerPool.query(
        `select coalesce(extract(epoch from now() - min(e.recorded_at)), 0)::float8 as lag
         from warden.audit_events e where e.txid >= (select watermark from warden_private.seal_state)`,
      );
      sealingLag.set(rows[0].lag);
      await refreshRetentionMetrics(ownerPool);
      const counts = await ownerPool.query(
        "select mode, method, sum(n)::float8 as n from warden_private.redaction_counts group by mode, method order by mode, method",
      );
      setWriteRedactions(counts.rows);
    } catch {
      /* the database is away: serve the rest */
    }
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
