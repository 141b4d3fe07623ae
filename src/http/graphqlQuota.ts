/**
 * The monthly event quota on GraphQL ingest (recordAuditEvents), as REST
 * ingest applies it (src/http/quota.ts): past the hard limit the request gets
 * 429 quota_exceeded before GraphQL runs; past the soft limit it carries the
 * Warning and Warden-Quota-* headers. A request that mentions
 * recordAuditEvents in a mutation is treated as ingest (conservative: an
 * aliased or fragment-spread mutation is caught too).
 */
import type { NextFunction, Request, Response } from "express";
import type { UsageMeter } from "../usage/meter";
import { quotaProblem, quotaWarningHeaders } from "./quota";
import { sendProblem } from "./problem";

const MUTATION = /\bmutation\b/;
const RECORD = /\brecordAuditEvents\b/;

/** Whether a parsed GraphQL body would run recordAuditEvents. */
export function recordsEvents(body: unknown): boolean {
  const query = (body as { query?: unknown } | null)?.query;
  return typeof query === "string" && MUTATION.test(query) && RECORD.test(query);
}

export function graphqlQuota(meter: UsageMeter) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const ctx = req.warden;
      if (!ctx || req.method !== "POST" || !recordsEvents(req.body)) {
        next();
        return;
      }
      const verdict = await meter.checkQuota(ctx.tenantId, 1);
      if (verdict.state === "hard") {
        const refused = quotaProblem(verdict);
        res.set(refused.headers);
        sendProblem(res, refused.problem);
        return;
      }
      res.set(quotaWarningHeaders(verdict, 1));
      next();
    } catch (err) {
      next(err);
    }
  };
}
