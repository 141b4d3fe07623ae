/**
 * GET /api/v1/audit/export?format=jsonl|csv&<filters>: the whole matching
 * trail, oldest first, streamed from a server-side cursor in constant
 * memory (writes wait for the client to drain). JSONL ends with a manifest
 * line: {"manifest": {"count", "sha256"}} over every line before it.
 */
import { createHash } from "node:crypto";
import { Router } from "express";
import type pg from "pg";
import { filterToSql, parseAuditQuery } from "../../audit/query";
import { withRequestContext } from "../../db/requestContext";
import { requireRole } from "../auth";
import { problem, sendProblem } from "../problem";
import { exactJsonTypes } from "../../audit/exactJson";
import { scopeConditions } from "../viewerScope";
import { AUDIT_COLUMNS, AUDIT_SOURCE } from "./auditColumns";
import { INCLUDE_REDACTED_PARAM, applyIncludeRedacted, countReadRedactions, includeRedactedFrom } from "../../audit/redaction";

const CSV_FIELDS = [
  "event_id", "occurred_at", "recorded_at", "tenant_id", "event_type", "category", "action", "outcome", "severity", "actor_type",
  "actor_id", "actor_ip", "user_agent", "resource_type", "resource_id", "correlation_id", "trace_id", "parent_event_id", "service",
  "txid", "table_name", "row_pk", "changed_fields", "old_values", "new_values", "event_data", "redacted_fields",
] as const;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function auditExportRoutes(authPool: pg.Pool): Router {
  const router = Router();
  router.get("/audit/export", requireRole("owner", "admin", "auditor"), async (req, res, next) => {
    const format = req.query.format ?? "jsonl";
    if (format !== "jsonl" && format !== "csv") {
      sendProblem(res, problem(400, "invalid_query", "format must be jsonl or csv", { errors: [{ pointer: "/format", reason: "jsonl or csv" }] }));
      return;
    }
    const parsed = parseAuditQuery(req.query as Record<string, unknown>, new Date(), ["format", INCLUDE_REDACTED_PARAM]);
    if (!parsed.ok) {
      sendProblem(res, problem(400, "invalid_query", "the query parameters are invalid", { errors: parsed.errors }));
      return;
    }
    if (parsed.value.cursor !== undefined || req.query.limit !== undefined) {
      sendProblem(res, problem(400, "invalid_query", "an export has no limit or cursor: it streams everything that matches"));
      return;
    }
    const include = includeRedactedFrom(req);
    if (!include.ok) {
      sendProblem(res, problem(400, "invalid_query", "include_redacted must be true or false", { errors: [{ pointer: `/${INCLUDE_REDACTED_PARAM}`, reason: include.reason }] }));
      return;
    }
    const { conditions, params } = filterToSql(parsed.value.filter);
    conditions.push(...scopeConditions(req.warden, params));
    const sql = `declare warden_export no scroll cursor for
      select ${AUDIT_COLUMNS} from ${AUDIT_SOURCE} e
      ${conditions.length ? `where ${conditions.join(" and ")}` : ""}
      order by e.occurred_at, e.event_id`;
    const write = (chunk: string) =>
      new Promise<void>((resolve, reject) => {
        if (res.destroyed) return reject(new Error("client went away"));
        if (res.write(chunk)) resolve();
        else res.once("drain", resolve);
      });
    try {
      await withRequestContext(authPool, req.warden!, res.locals.traceId, async (c) => {
        await applyIncludeRedacted(c, include.value);
        await c.query(sql, params);
        res.status(200);
        res.type(format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8");
        res.setHeader("Content-Disposition", `attachment; filename="audit-export.${format}"`);
        const hash = createHash("sha256");
        let count = 0;
        if (format === "csv") await write(CSV_FIELDS.join(",") + "\r\n");
        for (;;) {
          const { rows } = await c.query({ text: "fetch 1000 from warden_export", types: exactJsonTypes });
          if (!rows.length) break;
          let chunk = "";
          for (const row of rows) {
            const line = format === "csv" ? CSV_FIELDS.map((f) => csvCell(row[f])).join(",") + "\r\n" : JSON.stringify(row) + "\n";
            if (format === "jsonl") hash.update(line);
            chunk += line;
          }
          count += rows.length;
          countReadRedactions(rows);
          await write(chunk);
        }
        if (format === "jsonl") await write(JSON.stringify({ manifest: { count, sha256: hash.digest("hex") } }) + "\n");
      });
      res.end();
    } catch (err) {
      if (res.headersSent) {
        res.destroy(err as Error); // the client sees a truncated stream (and, for JSONL, no manifest)
        return;
      }
      next(err);
    }
  });
  return router;
}
