/**
 * GDPR data-subject requests (tenant owners and admins; the tenant always
 * comes from the credential, and SQL checks the role again):
 *   GET  /api/v1/subjects/{subject_id}/export    every record Warden holds about the subject
 *   POST /api/v1/subjects/{subject_id}/erasure   {reason}: pseudonymise them in the trail; returns the receipt
 * The rules live in SQL (warden.export_subject, warden.erase_subject); the
 * erasure runs batch by batch here, one commit per batch, and the sealing
 * key signs its erasure records right after.
 */
import { Router, type Request, type Response } from "express";
import type pg from "pg";
import { withRequestContext } from "../../db/requestContext";
import { requireRole } from "../auth";
import { problem, sendProblem } from "../problem";
import { signPendingErasureRecords } from "../../audit/erasureRecords";
import type { SealingKey } from "../../audit/sealingKey";

const BATCH_SIZE = 5000;

interface StepResult {
  scanned: number;
  rewritten: number;
  actor_matches: number;
  resource_matches: number;
  last_occurred_at: string | null;
  last_event_id: string | null;
}

function subjectIdOr400(req: Request, res: Response): string | null {
  const id = String(req.params.subjectId);
  if (id.length < 1 || id.length > 1024 || id.includes("\u0000")) {
    sendProblem(res, problem(400, "invalid_subject_id", "subject ids are 1 to 1024 characters without NUL"));
    return null;
  }
  return id;
}

export function subjectRoutes(authPool: pg.Pool, ownerPool: pg.Pool, key: SealingKey): Router {
  const router = Router();
  const admins = requireRole("owner", "admin");

  router.get("/subjects/:subjectId/export", admins, async (req, res, next) => {
    const subjectId = subjectIdOr400(req, res);
    if (subjectId === null) return;
    try {
      const doc = await withRequestContext(authPool, req.warden!, res.locals.traceId, async (c) => {
        const { rows } = await c.query("select warden.export_subject($1::uuid, $2) as doc", [req.warden!.tenantId, subjectId]);
        return rows[0].doc;
      });
      res.setHeader("Content-Disposition", 'attachment; filename="subject-export.json"');
      res.json(doc);
    } catch (err) {
      next(err);
    }
  });

  router.post("/subjects/:subjectId/erasure", admins, async (req, res, next) => {
    const subjectId = subjectIdOr400(req, res);
    if (subjectId === null) return;
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      sendProblem(res, problem(400, "invalid_body", "expected a JSON object {reason}"));
      return;
    }
    const errors = Object.keys(body)
      .filter((k) => k !== "reason")
      .map((k) => ({ pointer: `/${k}`, reason: "unknown field" }));
    if (typeof body.reason !== "string" || body.reason.trim() === "" || body.reason.length > 1000) {
      errors.push({ pointer: "/reason", reason: "required, 1 to 1000 characters" });
    }
    if (errors.length) {
      sendProblem(res, problem(400, "validation_failed", "the request body is invalid", { errors }));
      return;
    }
    const ctx = req.warden!;
    const inContext = <T>(fn: (c: pg.PoolClient) => Promise<T>) => withRequestContext(authPool, ctx, res.locals.traceId, fn);
    try {
      const erasureId: string = await inContext(
        async (c) => (await c.query("select warden.erase_subject_start($1::uuid, $2, $3) as id", [ctx.tenantId, subjectId, body.reason])).rows[0].id,
      );
      const totals = { scanned: 0, rewritten: 0, actor: 0, resource: 0, batches: 0 };
      let after: { at: string | null; id: string | null } = { at: null, id: null };
      for (;;) {
        const step: StepResult = await inContext(
          async (c) =>
            (await c.query("select warden.erase_subject_step($1, $2, $3::timestamptz, $4::uuid, $5) as r", [erasureId, subjectId, after.at, after.id, BATCH_SIZE]))
              .rows[0].r,
        );
        if (step.scanned === 0) break;
        totals.batches++;
        totals.scanned += step.scanned;
        totals.rewritten += step.rewritten;
        totals.actor += step.actor_matches;
        totals.resource += step.resource_matches;
        after = { at: step.last_occurred_at, id: step.last_event_id };
      }
      const receipt = await inContext(
        async (c) => (await c.query("select warden.erase_subject_finish($1, $2, $3::jsonb) as r", [erasureId, subjectId, JSON.stringify(totals)])).rows[0].r,
      );
      // Sign the erasure records now, so verification never depends on the next sealing pass.
      const client = await ownerPool.connect();
      let signed = 0;
      try {
        await client.query("begin");
        signed = await signPendingErasureRecords(client, key, { erasureId });
        await client.query("commit");
      } catch (err) {
        await client.query("rollback").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
      res.status(200).json({ ...receipt, records_signed: signed });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
