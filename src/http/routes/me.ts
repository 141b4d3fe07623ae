/** GET /api/v1/me: who the credential resolves to (handy for clients and scripts). */
import { Router } from "express";
import type pg from "pg";
import { withRequestContext } from "../../db/requestContext";

export function meRoutes(authPool: pg.Pool): Router {
  const router = Router();
  router.get("/me", async (req, res, next) => {
    try {
      const ctx = req.warden!;
      const actor = await withRequestContext(authPool, ctx, res.locals.traceId, async (client) => {
        const { rows } = await client.query("select warden.current_actor() as actor");
        return rows[0].actor;
      });
      res.json({
        tenant_id: ctx.tenantId,
        actor_id: ctx.actorId,
        actor_type: ctx.actorType,
        tenant_role: ctx.tenantRole,
        trace_id: res.locals.traceId,
        actor,
        ...(ctx.viewer ? { viewer_token: { token_id: ctx.viewer.tokenId, scope: ctx.viewer.scope, expires_at: ctx.viewer.expiresAt.toISOString() } } : {}),
      });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
