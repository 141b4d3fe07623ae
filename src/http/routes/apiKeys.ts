/**
 * POST /api/v1/api-keys: creates an API key in the caller's tenant (tenant
 * owners and admins). The key is in the response only this once.
 */
import { Router } from "express";
import type pg from "pg";
import { withRequestContext } from "../../db/requestContext";
import { isTenantRole } from "../../auth/types";
import { requireRole } from "../auth";
import { problem, sendProblem } from "../problem";

export function apiKeyRoutes(authPool: pg.Pool): Router {
  const router = Router();
  router.post("/api-keys", requireRole("owner", "admin"), async (req, res, next) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      sendProblem(res, problem(400, "invalid_body", "expected a JSON object {name, role?, rate_limit_per_second?}"));
      return;
    }
    const { name, role = "member", rate_limit_per_second: rate = null } = body;
    const unknown = Object.keys(body).filter((k) => !["name", "role", "rate_limit_per_second"].includes(k));
    const errors: { pointer: string; reason: string }[] = unknown.map((k) => ({ pointer: `/${k}`, reason: "unknown field" }));
    if (typeof name !== "string" || name.trim() === "") errors.push({ pointer: "/name", reason: "required, a non-empty string" });
    if (!isTenantRole(role)) errors.push({ pointer: "/role", reason: "one of member, support, auditor, admin, owner" });
    if (rate !== null && (!Number.isInteger(rate) || (rate as number) < 1)) {
      errors.push({ pointer: "/rate_limit_per_second", reason: "a positive integer" });
    }
    if (errors.length) {
      sendProblem(res, problem(400, "validation_failed", "the request body is invalid", { errors }));
      return;
    }
    try {
      const created = await withRequestContext(authPool, req.warden!, res.locals.traceId, async (client) => {
        const { rows } = await client.query("select id, key from warden.create_api_key($1, $2::warden.tenant_role, $3)", [
          name,
          role,
          rate,
        ]);
        return rows[0];
      });
      res.status(201).json({ id: created.id, key: created.key, name, role });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
