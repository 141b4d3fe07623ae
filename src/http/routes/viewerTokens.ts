/**
 * POST /api/v1/viewer-tokens (tenant owners and admins): mints a
 * short-lived, read-only viewer token for the caller's tenant, optionally
 * confined to a scope (src/auth/viewerTokens.ts). Body:
 *   {"scope": {"actor_id": "...", "resource_type": "...", ...}, "ttl": "15m"}
 * 201 {token, token_id, tenant_id, scope, expires_at, viewer_url}.
 * Every token is registered in warden.viewer_tokens when it is minted
 * (governance.viewer_token.created); a token the registry does not hold, or
 * holds as revoked, is refused.
 *   GET    /api/v1/viewer-tokens        the tenant's tokens, newest first (owners, admins)
 *   DELETE /api/v1/viewer-tokens/{id}   revokes one (governance.viewer_token.revoked)
 * A viewer token reaches none of these: viewerGate (../viewerScope.ts)
 * answers 403 viewer_token_read_only before any route but its reads.
 */
import { Router } from "express";
import type pg from "pg";
import { withRequestContext } from "../../db/requestContext";
import { parseTtl } from "../../auth/tokens";
import { VIEWER_TOKEN_DEFAULT_TTL, VIEWER_TOKEN_MAX_TTL, parseViewerScope, type ViewerTokenService } from "../../auth/viewerTokens";
import { requireRole } from "../auth";
import { problem, sendProblem } from "../problem";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMNS = "id, tenant_id, minted_by, scope, created_at, expires_at, revoked_at, revoked_by";

interface ViewerTokenRow {
  id: string;
  tenant_id: string;
  minted_by: unknown;
  scope: Record<string, string>;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_by: unknown;
}

function present(row: ViewerTokenRow): Record<string, unknown> {
  return { ...row, active: row.revoked_at === null && row.expires_at.getTime() > Date.now() };
}

export function viewerTokenRoutes(service: ViewerTokenService | undefined, authPool: pg.Pool): Router {
  const router = Router();

  router.get("/viewer-tokens", requireRole("owner", "admin"), async (req, res, next) => {
    try {
      const rows = await withRequestContext(authPool, req.warden!, res.locals.traceId, async (client) => {
        const r = await client.query<ViewerTokenRow>(`select ${COLUMNS} from warden.viewer_tokens order by created_at desc, id limit 500`);
        return r.rows;
      });
      res.setHeader("Cache-Control", "no-store");
      res.json({ viewer_tokens: rows.map(present) });
    } catch (err) {
      next(err);
    }
  });

  router.delete("/viewer-tokens/:tokenId", requireRole("owner", "admin"), async (req, res, next) => {
    const id = String(req.params.tokenId);
    if (!UUID.test(id)) {
      sendProblem(res, problem(400, "invalid_token_id", "viewer token ids are uuids"));
      return;
    }
    try {
      const row = await withRequestContext(
        authPool,
        req.warden!,
        res.locals.traceId,
        async (client) => (await client.query<ViewerTokenRow>(`select ${COLUMNS} from warden.revoke_viewer_token($1)`, [id])).rows[0],
        { ip: req.ip, userAgent: req.get("user-agent") },
      );
      res.json(present(row));
    } catch (err) {
      next(err);
    }
  });

  router.post("/viewer-tokens", requireRole("owner", "admin"), async (req, res, next) => {
    const ctx = req.warden!;
    if (!service) {
      sendProblem(res, problem(503, "viewer_tokens_disabled", "this server was started without a viewer token key"));
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== "object" || Array.isArray(body)) {
      sendProblem(res, problem(400, "invalid_body", "expected a JSON object {scope?, ttl?}"));
      return;
    }
    const errors = Object.keys(body)
      .filter((k) => k !== "scope" && k !== "ttl")
      .map((k) => ({ pointer: `/${k}`, reason: "unknown field" }));
    const scope = parseViewerScope(body.scope);
    if (!scope.ok) errors.push(...scope.errors);
    let ttl = VIEWER_TOKEN_DEFAULT_TTL;
    if (body.ttl !== undefined) {
      const parsed = typeof body.ttl === "string" ? parseTtl(body.ttl) : null;
      if (parsed === null || parsed > VIEWER_TOKEN_MAX_TTL) errors.push({ pointer: "/ttl", reason: `a duration such as 15m, at most ${VIEWER_TOKEN_MAX_TTL / 60}m` });
      else ttl = parsed;
    }
    if (errors.length || !scope.ok) {
      sendProblem(res, problem(400, "validation_failed", "the request body is invalid", { errors }));
      return;
    }
    try {
      const minted = await service.sign({ tenantId: ctx.tenantId, actorId: ctx.actorId, actorType: ctx.actorType, scope: scope.scope }, ttl);
      // Registered (and audited) before it is handed out: a token whose
      // registration failed is never returned, and would be refused anyway.
      await withRequestContext(
        authPool,
        ctx,
        res.locals.traceId,
        (client) => client.query("select warden.record_viewer_token($1, $2::jsonb, $3)", [minted.tokenId, JSON.stringify(scope.scope), minted.expiresAt]),
        { ip: req.ip, userAgent: req.get("user-agent") },
      );
      res.setHeader("Cache-Control", "no-store");
      res.status(201).json({
        token: minted.token,
        token_id: minted.tokenId,
        tenant_id: ctx.tenantId,
        scope: scope.scope,
        expires_at: minted.expiresAt.toISOString(),
        viewer_url: `/viewer/#token=${minted.token}`,
      });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
