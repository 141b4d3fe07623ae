/**
 * POST /api/v1/api-keys: creates an API key in the caller's tenant (tenant
 * owners and admins). The key is in the response only this once. Scopes
 * (backfill) are given by tenant owners only (warden.set_api_key_scopes,
 * in the same transaction, records a governance event).
 * DELETE /api/v1/api-keys/{id}: revokes one (owner keys only by an owner; a
 * revoked key stays revoked). The database writes the governance events.
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
      sendProblem(res, problem(400, "invalid_body", "expected a JSON object {name, role?, rate_limit_per_second?, scopes?}"));
      return;
    }
    const { name, role = "member", rate_limit_per_second: rate = null, scopes = [] } = body;
    const unknown = Object.keys(body).filter((k) => !["name", "role", "rate_limit_per_second", "scopes"].includes(k));
    const errors: { pointer: string; reason: string }[] = unknown.map((k) => ({ pointer: `/${k}`, reason: "unknown field" }));
    if (typeof name !== "string" || name.trim() === "") errors.push({ pointer: "/name", reason: "required, a non-empty string" });
    if (!isTenantRole(role)) errors.push({ pointer: "/role", reason: "one of member, support, auditor, admin, owner" });
    if (rate !== null && (!Number.isInteger(rate) || (rate as number) < 1)) {
      errors.push({ pointer: "/rate_limit_per_second", reason: "a positive integer" });
    }
    if (!Array.isArray(scopes) || !scopes.every((x) => x === "backfill")) errors.push({ pointer: "/scopes", reason: "a list of scopes: backfill" });
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
        if ((scopes as string[]).length) await client.query("select warden.set_api_key_scopes($1, $2::text[])", [rows[0].id, scopes]);
        return rows[0];
      });
      res.status(201).json({ id: created.id, key: created.key, name, role, scopes: [...new Set(scopes as string[])].sort() });
    } catch (err) {
      next(err);
    }
  });
  router.delete("/api-keys/:apiKeyId", requireRole("owner", "admin"), async (req, res, next) => {
    const id = String(req.params.apiKeyId);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
      sendProblem(res, problem(400, "invalid_api_key_id", "API key ids are uuids"));
      return;
    }
    try {
      // Row-level security limits this to the caller's tenant; revoking twice answers with the first revocation.
      const key = await withRequestContext(authPool, req.warden!, res.locals.traceId, async (client) => {
        const { rows } = await client.query(
          `with revoked as (update warden.api_keys set revoked_at = now() where id = $1 and revoked_at is null returning id, prefix, name, role, revoked_at)
           select * from revoked
           union all
           select k.id, k.prefix, k.name, k.role, k.revoked_at from warden.api_keys k where k.id = $1 and not exists (select 1 from revoked)`,
          [id],
        );
        return rows[0];
      });
      if (!key) {
        sendProblem(res, problem(404, "not_found", `no API key ${id} in your tenant`));
        return;
      }
      res.status(200).json({ id: key.id, prefix: key.prefix, name: key.name, role: key.role, revoked_at: key.revoked_at });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
