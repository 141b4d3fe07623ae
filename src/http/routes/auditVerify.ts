/**
 * GET /api/v1/audit/verify: verifies the caller's tenant's sealed trail
 * (tenant owners, admins and auditors). 200 with {ok: true, ...} or
 * {ok: false, first_bad: {seq, reason, ...}}; the tenant always comes from
 * the credential.
 */
import { Router } from "express";
import type pg from "pg";
import { verifyTrail } from "../../audit/verifier";
import type { SealingKey } from "../../audit/sealingKey";
import { requireRole } from "../auth";

export function auditVerifyRoutes(ownerPool: pg.Pool, key: SealingKey): Router {
  const router = Router();
  router.get("/audit/verify", requireRole("owner", "admin", "auditor"), async (req, res, next) => {
    const client = await ownerPool.connect().catch((err) => {
      next(err);
      return null;
    });
    if (!client) return;
    try {
      const report = await verifyTrail(client, key, { tenantId: req.warden!.tenantId });
      res.json({ tenant_id: req.warden!.tenantId, ...report });
    } catch (err) {
      next(err);
    } finally {
      client.release();
    }
  });
  return router;
}
