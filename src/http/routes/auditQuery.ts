/**
 * Reading the audit trail (tenant owners, admins and auditors; the tenant
 * always comes from the credential, row-level security enforces it):
 *   GET /api/v1/audit/events                        filters, keyset pagination
 *   GET /api/v1/audit/events/{event_id}
 *   GET /api/v1/audit/correlations/{correlation_id} the timeline of one request
 */
import { Router, type Request, type Response } from "express";
import type pg from "pg";
import { CursorCodec } from "../../audit/cursor";
import { filterToSql, keysetCondition, parseAuditQuery } from "../../audit/query";
import { withRequestContext } from "../../db/requestContext";
import { requireRole } from "../auth";
import { problem, sendProblem } from "../problem";
import { AUDIT_COLUMNS, AUDIT_SOURCE } from "./auditColumns";
import { INCLUDE_REDACTED_PARAM, applyIncludeRedacted, countReadRedactions, includeRedactedFrom } from "../../audit/redaction";
import { queryDuration, timed } from "../../metrics";
import { exactJsonTypes } from "../../audit/exactJson";
import { scopeConditions } from "../viewerScope";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function auditQueryRoutes(authPool: pg.Pool, cursors: CursorCodec): Router {
  const router = Router();
  const readers = requireRole("owner", "admin", "auditor");
  // Reads go through the redacting view; include_redacted=true (or the
  // X-Include-Redacted header) asks for raw values, which SQL grants to
  // tenant owners and admins only.
  const run = <T extends Record<string, unknown>[]>(req: Request, res: Response, include: boolean, fn: (c: pg.PoolClient) => Promise<T>) =>
    timed(queryDuration, () =>
      withRequestContext(
        authPool,
        req.warden!,
        res.locals.traceId,
        async (c) => {
          await applyIncludeRedacted(c, include);
          const rows = await fn(c);
          countReadRedactions(rows);
          return rows;
        },
        { ip: req.ip, userAgent: req.get("user-agent") },
      ),
    );
  const includeOr400 = (req: Request, res: Response): boolean | null => {
    const inc = includeRedactedFrom(req);
    if (inc.ok) return inc.value;
    sendProblem(res, problem(400, "invalid_query", "include_redacted must be true or false", { errors: [{ pointer: `/${INCLUDE_REDACTED_PARAM}`, reason: inc.reason }] }));
    return null;
  };

  router.get("/audit/events", readers, async (req, res, next) => {
    const parsed = parseAuditQuery(req.query as Record<string, unknown>, new Date(), [INCLUDE_REDACTED_PARAM]);
    if (!parsed.ok) {
      sendProblem(res, problem(400, "invalid_query", "the query parameters are invalid", { errors: parsed.errors }));
      return;
    }
    const include = includeOr400(req, res);
    if (include === null) return;
    const { filter, limit, order, cursor } = parsed.value;
    const queryHash = CursorCodec.queryHash(filter, order);
    const { conditions, params } = filterToSql(filter);
    conditions.push(...scopeConditions(req.warden, params));
    if (cursor !== undefined) {
      const decoded = cursors.decode(cursor, queryHash);
      if (!decoded.ok) {
        const detail = decoded.code === "stale_cursor" ? "the cursor belongs to another query; start again without it" : "the cursor is not one Warden issued";
        sendProblem(res, problem(400, decoded.code, detail));
        return;
      }
      params.push(decoded.position.occurredAt, decoded.position.eventId);
      conditions.push(keysetCondition(order, `$${params.length - 1}`, `$${params.length}`));
    }
    params.push(limit + 1);
    const sql = `select ${AUDIT_COLUMNS} from ${AUDIT_SOURCE} e
      ${conditions.length ? `where ${conditions.join(" and ")}` : ""}
      order by e.occurred_at ${order}, e.event_id ${order}
      limit $${params.length}`;
    try {
      const rows = await run(req, res, include, async (c) => (await c.query({ text: sql, values: params, types: exactJsonTypes })).rows);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const next_cursor =
        rows.length > limit && last ? cursors.encode({ occurredAt: last.occurred_at, eventId: last.event_id }, queryHash) : null;
      res.json({ data: page, next_cursor, limit, order });
    } catch (err) {
      next(err);
    }
  });

  router.get("/audit/events/:eventId", readers, async (req, res, next) => {
    const eventId = String(req.params.eventId);
    if (!UUID.test(eventId)) {
      sendProblem(res, problem(400, "invalid_event_id", "event ids are uuids"));
      return;
    }
    const include = includeOr400(req, res);
    if (include === null) return;
    try {
      const values: unknown[] = [eventId];
      const where = ["e.event_id = $1", ...scopeConditions(req.warden, values)].join(" and ");
      const rows = await run(req, res, include, async (c) => (await c.query({ text: `select ${AUDIT_COLUMNS} from ${AUDIT_SOURCE} e where ${where}`, values, types: exactJsonTypes })).rows);
      if (!rows.length) {
        sendProblem(res, problem(404, "event_not_found", `no audit event ${eventId} in your tenant`));
        return;
      }
      res.json(rows[0]);
    } catch (err) {
      next(err);
    }
  });

  router.get("/audit/correlations/:correlationId", readers, async (req, res, next) => {
    const correlationId = String(req.params.correlationId);
    if (correlationId.length > 200 || correlationId.includes("\u0000")) {
      sendProblem(res, problem(400, "invalid_correlation_id", "correlation ids are at most 200 characters"));
      return;
    }
    const include = includeOr400(req, res);
    if (include === null) return;
    try {
      const values: unknown[] = [correlationId];
      const where = ["e.correlation_id = $1", ...scopeConditions(req.warden, values)].join(" and ");
      const rows = await run(req, res, include, async (c) =>
        (
          await c.query({
            text: `select ${AUDIT_COLUMNS} from ${AUDIT_SOURCE} e where ${where}
             order by e.occurred_at, e.recorded_at, e.event_id limit 10001`,
            values,
            types: exactJsonTypes,
          })
        ).rows,
      );
      res.json({ correlation_id: correlationId, count: Math.min(rows.length, 10000), truncated: rows.length > 10000, events: rows.slice(0, 10000) });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
