/**
 * POST /api/v1/viewer-tokens (tenant owners and admins): mints a
 * short-lived, read-only viewer token for the caller's tenant, optionally
 * confined to a scope (src/auth/viewerTokens.ts). Body:
 *   {"scope": {"actor_id": "...", "resource_type": "...", ...}, "ttl": "15m"}
 * 201 {token, token_id, tenant_id, scope, expires_at, viewer_url}.
 */
import { Router } from "express";
import { parseTtl } from "../../auth/tokens";
import { VIEWER_TOKEN_DEFAULT_TTL, VIEWER_TOKEN_MAX_TTL, parseViewerScope, type ViewerTokenService } from "../../auth/viewerTokens";
import { requireRole } from "../auth";
import { problem, sendProblem } from "../problem";

export function viewerTokenRoutes(service: ViewerTokenService | undefined): Router {
  const router = Router();
  router.post("/viewer-tokens", requireRole("owner", "admin"), async (req, res, next) => {
    const ctx = req.warden!;
    if (!service) {
      sendProblem(res, problem(503, "viewer_tokens_disabled", "this server was started without a viewer token key"));
      return;
    }
    if (ctx.viewer) {
      sendProblem(res, problem(403, "viewer_token_read_only", "a viewer token can not mint viewer tokens"));
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
