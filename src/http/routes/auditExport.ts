/**
 * GET /api/v1/audit/export?format=jsonl|csv[&proofs=true]&<filters>: the
 * whole matching trail, oldest first, streamed from a server-side cursor in
 * constant memory (writes wait for the client to drain). JSONL ends with a
 * manifest line: {"manifest": {"count", "sha256"}} over every line before it.
 *
 * proofs=true (JSONL only) makes the file verifiable without the database
 * (`warden verify-export`, docs/export.md): a header line, the events, the
 * signed checkpoints, blocks, prune and erasure records that prove them,
 * and a manifest signed with the sealing key (src/audit/exportFormat.ts).
 *
 * Every export is a governance.audit.exported event (filter, format, count):
 * written in the export's transaction when it completes, or afterwards with
 * the partial count (complete=false, outcome failure) when the stream broke.
 * CSV cells are neutralised against formula injection (src/audit/csv.ts).
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
import { csvRow } from "../../audit/csv";
import type { SealingKey } from "../../audit/sealingKey";
import { EXPORT_FORMAT_VERSION, publicKeySha256, signExportManifest, type ExportHeader } from "../../audit/exportFormat";
import { writeExportProofs, type ExportSpan } from "../../audit/exportProofs";

const CSV_FIELDS = [
  "event_id", "occurred_at", "recorded_at", "tenant_id", "event_type", "category", "action", "outcome", "severity", "actor_type",
  "actor_id", "actor_ip", "user_agent", "resource_type", "resource_id", "correlation_id", "trace_id", "parent_event_id", "service",
  "txid", "table_name", "row_pk", "changed_fields", "old_values", "new_values", "event_data", "redacted_fields",
] as const;

const PROOFS_PARAM = "proofs";

export function auditExportRoutes(authPool: pg.Pool, ownerPool: pg.Pool, key: SealingKey): Router {
  const router = Router();
  router.get("/audit/export", requireRole("owner", "admin", "auditor"), async (req, res, next) => {
    const format = req.query.format ?? "jsonl";
    if (format !== "jsonl" && format !== "csv") {
      sendProblem(res, problem(400, "invalid_query", "format must be jsonl or csv", { errors: [{ pointer: "/format", reason: "jsonl or csv" }] }));
      return;
    }
    const proofsRaw = req.query[PROOFS_PARAM];
    if (proofsRaw !== undefined && proofsRaw !== "true" && proofsRaw !== "false") {
      sendProblem(res, problem(400, "invalid_query", "proofs must be true or false", { errors: [{ pointer: `/${PROOFS_PARAM}`, reason: "true or false" }] }));
      return;
    }
    const proofs = proofsRaw === "true";
    if (proofs && format !== "jsonl") {
      sendProblem(res, problem(400, "invalid_query", "proofs=true needs format=jsonl", { errors: [{ pointer: `/${PROOFS_PARAM}`, reason: "only with format=jsonl" }] }));
      return;
    }
    if (proofs && !key.privateKey) {
      sendProblem(res, problem(503, "seal_key_unavailable", "this server holds no private sealing key, so it cannot sign a verifiable export"));
      return;
    }
    const parsed = parseAuditQuery(req.query as Record<string, unknown>, new Date(), ["format", INCLUDE_REDACTED_PARAM, PROOFS_PARAM]);
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
    const ctx = req.warden!;
    const traceId = res.locals.traceId;
    const clientInfo = { ip: req.ip, userAgent: req.get("user-agent") };
    // The filter as asked (every parameter but format/proofs, which the event names apart).
    const filter: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(req.query)) if (k !== "format" && k !== PROOFS_PARAM) filter[k] = v;
    const details = { proofs, include_redacted: include.value };
    const { conditions, params } = filterToSql(parsed.value.filter);
    conditions.push(...scopeConditions(req.warden, params));
    const sql = `declare warden_export no scroll cursor for
      select ${AUDIT_COLUMNS} from ${AUDIT_SOURCE} e
      ${conditions.length ? `where ${conditions.join(" and ")}` : ""}
      order by e.occurred_at, e.event_id`;
    const write = (chunk: string) =>
      new Promise<void>((resolve, reject) => {
        if (res.destroyed) return reject(new Error("client went away"));
        if (res.write(chunk)) return resolve();
        const onDrain = () => {
          res.off("close", onClose);
          resolve();
        };
        const onClose = () => {
          res.off("drain", onDrain);
          reject(new Error("client went away"));
        };
        res.once("drain", onDrain);
        res.once("close", onClose);
      });
    let count = 0;
    let started = false;
    let recorded = false;
    try {
      await withRequestContext(
        authPool,
        ctx,
        traceId,
        async (c) => {
          await applyIncludeRedacted(c, include.value);
          await c.query(sql, params);
          res.status(200);
          res.type(format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8");
          res.setHeader("Content-Disposition", `attachment; filename="audit-export.${format}"`);
          started = true;
          const hash = createHash("sha256");
          const line = async (obj: unknown) => {
            const text = JSON.stringify(obj) + "\n";
            hash.update(text);
            await write(text);
          };
          if (proofs) {
            const header: ExportHeader = {
              version: EXPORT_FORMAT_VERSION,
              proofs: true,
              tenant_id: ctx.tenantId,
              key_id: key.keyId,
              public_key_sha256: publicKeySha256(key.publicKey),
              exported_at: new Date().toISOString(),
              filter,
            };
            await line({ warden_export: header });
          }
          if (format === "csv") await write(csvRow(CSV_FIELDS));
          let span: ExportSpan | null = null;
          for (;;) {
            const { rows } = await c.query({ text: "fetch 1000 from warden_export", types: exactJsonTypes });
            if (!rows.length) break;
            let chunk = "";
            for (const row of rows) {
              const text = format === "csv" ? csvRow(CSV_FIELDS.map((f) => row[f])) : JSON.stringify(row) + "\n";
              if (format === "jsonl") hash.update(text);
              chunk += text;
            }
            // Rows come oldest first: the span is the first and the last.
            if (!span) span = { from: rows[0].occurred_at, to: rows[0].occurred_at };
            span.to = rows[rows.length - 1].occurred_at;
            countReadRedactions(rows);
            await write(chunk);
            count += rows.length;
          }
          if (proofs) await writeExportProofs(ownerPool, key, ctx.tenantId, span, line);
          if (format === "jsonl") {
            const sha256 = hash.digest("hex");
            const manifest = proofs
              ? { count, sha256, key_id: key.keyId, signature: signExportManifest(key, ctx.tenantId, count, sha256) }
              : { count, sha256 };
            await write(JSON.stringify({ manifest }) + "\n");
          }
          // Complete: recorded in the export's own transaction, committed with it.
          await c.query("select warden.record_audit_export($1::jsonb, $2, $3, true, $4::jsonb)", [JSON.stringify(filter), format, count, JSON.stringify(details)]);
          recorded = true;
        },
        clientInfo,
      );
      res.end();
    } catch (err) {
      if (started && !recorded) {
        // The stream broke: the export still happened, as far as it went.
        await withRequestContext(
          authPool,
          ctx,
          traceId,
          (c) =>
            c.query("select warden.record_audit_export($1::jsonb, $2, $3, false, $4::jsonb)", [
              JSON.stringify(filter),
              format,
              count,
              JSON.stringify({ ...details, error: err instanceof Error ? err.message.slice(0, 200) : "unknown" }),
            ]),
          clientInfo,
        ).catch(() => undefined);
      }
      if (res.headersSent) {
        res.destroy(err as Error); // the client sees a truncated stream (and, for JSONL, no manifest)
        return;
      }
      next(err);
    }
  });
  return router;
}
