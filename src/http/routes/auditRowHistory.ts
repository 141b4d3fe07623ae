/**
 * GET /api/v1/audit/row-history?table=schema.table&pk={"id":42}: every
 * version of one row of an audited table, oldest first, each with its diff
 * (changed_fields, old_values, new_values), the row as it stood after it
 * (row_data) and redacted_fields: warden.audit_row_history (GraphQL
 * rowHistory) over REST, for tenant owners, admins, auditors and viewer
 * tokens. A scoped viewer token sees only the versions its scope allows,
 * and no row_data (which folds in versions it may not see).
 */
import { Router } from "express";
import type pg from "pg";
import { withRequestContext } from "../../db/requestContext";
import { requireRole } from "../auth";
import { problem, sendProblem } from "../problem";
import { exactJsonTypes, parseJson } from "../../audit/exactJson";
import { INCLUDE_REDACTED_PARAM, applyIncludeRedacted, countReadRedactions, includeRedactedFrom } from "../../audit/redaction";
import { isScoped, scopeConditions } from "../viewerScope";
import { queryDuration, timed } from "../../metrics";

const TS = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function auditRowHistoryRoutes(authPool: pg.Pool): Router {
  const router = Router();
  router.get("/audit/row-history", requireRole("owner", "admin", "auditor"), async (req, res, next) => {
    const errors: { pointer: string; reason: string }[] = [];
    for (const name of Object.keys(req.query)) {
      if (!["table", "pk", INCLUDE_REDACTED_PARAM].includes(name)) errors.push({ pointer: `/${name}`, reason: "unknown parameter" });
    }
    const table = req.query.table;
    if (typeof table !== "string" || table.length === 0 || table.length > 300 || table.includes("\u0000")) {
      errors.push({ pointer: "/table", reason: "schema.table, given once" });
    }
    let pk: unknown;
    if (typeof req.query.pk !== "string") errors.push({ pointer: "/pk", reason: 'a JSON object of the primary key columns, e.g. {"id": 42}' });
    else {
      try {
        pk = parseJson(req.query.pk);
      } catch {
        /* reported below */
      }
      if (pk === null || typeof pk !== "object" || Array.isArray(pk)) errors.push({ pointer: "/pk", reason: 'a JSON object of the primary key columns, e.g. {"id": 42}' });
    }
    const include = includeRedactedFrom(req);
    if (!include.ok) errors.push({ pointer: `/${INCLUDE_REDACTED_PARAM}`, reason: include.reason });
    if (errors.length || !include.ok) {
      sendProblem(res, problem(400, "invalid_query", "the query parameters are invalid", { errors }));
      return;
    }
    const scoped = isScoped(req.warden);
    const values: unknown[] = [table, req.query.pk];
    const scope = scopeConditions(req.warden, values);
    const sql = `select h.event_id, ${TS("h.occurred_at")} as occurred_at, h.action, h.actor_type, h.actor_id, h.trace_id,
        h.txid::text as txid, h.changed_fields, h.old_values, h.new_values,
        ${scoped ? "null::jsonb" : "h.row_data"} as row_data, h.redacted_fields
      from warden.audit_row_history($1, $2::jsonb) h
      ${scope.length ? `where exists (select 1 from warden.audit_events_redacted e where e.event_id = h.event_id and ${scope.join(" and ")})` : ""}`;
    try {
      const rows = await timed(queryDuration, () =>
        withRequestContext(
          authPool,
          req.warden!,
          res.locals.traceId,
          async (c) => {
            await applyIncludeRedacted(c, include.value);
            return (await c.query({ text: sql, values, types: exactJsonTypes })).rows;
          },
          { ip: req.ip, userAgent: req.get("user-agent") },
        ),
      );
      countReadRedactions(rows);
      res.json({ table_name: table, pk: req.query.pk, scoped, versions: rows });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
