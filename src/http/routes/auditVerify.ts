/**
 * GET /api/v1/audit/verify: verifies the caller's tenant's sealed trail
 * (tenant owners, admins and auditors). 200 with {ok: true, ...} or
 * {ok: false, first_bad: {seq, reason, ...}}, with a status (ok, tampered,
 * truncated, pending_signature, suspect, capture_gap) and a message; the
 * tenant always comes from the credential. The tenant's head is compared
 * with its newest checkpoint anchored outside the database. last_verified_at
 * is when the worker's scheduled verification last passed for the tenant.
 */
import { Router } from "express";
import type pg from "pg";
import { verifyTrail } from "../../audit/verifier";
import type { SealingKey } from "../../audit/sealingKey";
import { requireRole } from "../auth";
import { anchorsFromEnv } from "../../audit/anchors";
import { loadConfig } from "../../config";

export function auditVerifyRoutes(ownerPool: pg.Pool, key: SealingKey): Router {
  const router = Router();
  router.get("/audit/verify", requireRole("owner", "admin", "auditor"), async (req, res, next) => {
    const client = await ownerPool.connect().catch((err) => {
      next(err);
      return null;
    });
    if (!client) return;
    try {
      const anchors = await anchorsFromEnv(client, loadConfig(), key);
      const report = await verifyTrail(client, key, { tenantId: req.warden!.tenantId, anchors: anchors.latest });
      // The worker's scheduled verification of this tenant (task verify_audit_trail).
      const { rows } = await client.query(
        "select last_success_at, last_failure_at from warden_private.verify_positions where tenant_key = $1",
        [req.warden!.tenantId],
      );
      res.json({
        tenant_id: req.warden!.tenantId,
        ...report,
        last_verified_at: rows[0]?.last_success_at?.toISOString() ?? null,
        last_verify_failure_at: rows[0]?.last_failure_at?.toISOString() ?? null,
      });
    } catch (err) {
      next(err);
    } finally {
      client.release();
    }
  });
  return router;
}
