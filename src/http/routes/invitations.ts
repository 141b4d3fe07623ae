/**
 * Invitations: how a user joins a tenant with consent.
 *   POST   /api/v1/invitations          {email, role?, valid_days?}  tenant owner/admin; the token is in the response only this once
 *   POST   /api/v1/invitations/accept   {token}                      the invited user, with their own user token (of any tenant)
 *   DELETE /api/v1/invitations/{id}                                  tenant owner/admin: revoke an open invitation
 * The rules live in SQL (warden.invite_to_tenant, accept_tenant_invitation,
 * revoke_tenant_invitation), which also write the governance events.
 */
import { Router, type Request, type Response } from "express";
import type pg from "pg";
import { withRequestContext } from "../../db/requestContext";
import { TENANT_ROLES, isTenantRole } from "../../auth/types";
import { requireRole } from "../auth";
import { problem, sendProblem } from "../problem";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface FieldError {
  pointer: string;
  reason: string;
}

/** The body as an object with only `allowed` keys, or a 400 already sent. */
function objectBody(req: Request, res: Response, allowed: string[], shape: string): { body: Record<string, unknown>; errors: FieldError[] } | null {
  const body = req.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    sendProblem(res, problem(400, "invalid_body", `expected a JSON object ${shape}`));
    return null;
  }
  const errors = Object.keys(body)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({ pointer: `/${k}`, reason: "unknown field" }));
  return { body, errors };
}

function invalid(res: Response, errors: FieldError[]): boolean {
  if (!errors.length) return false;
  sendProblem(res, problem(400, "validation_failed", "the request body is invalid", { errors }));
  return true;
}

export function invitationRoutes(authPool: pg.Pool): Router {
  const router = Router();
  const admins = requireRole("owner", "admin");

  router.post("/invitations", admins, async (req, res, next) => {
    const parsed = objectBody(req, res, ["email", "role", "valid_days"], "{email, role?, valid_days?}");
    if (!parsed) return;
    const { body, errors } = parsed;
    const { email, role = "member", valid_days: validDays = 7 } = body;
    if (typeof email !== "string" || !/^[^@\s]+@[^@\s]+$/.test(email.trim()) || email.length > 320) {
      errors.push({ pointer: "/email", reason: "required, an email address" });
    }
    if (!isTenantRole(role)) errors.push({ pointer: "/role", reason: `one of ${TENANT_ROLES.join(", ")}` });
    if (!Number.isInteger(validDays) || (validDays as number) < 1 || (validDays as number) > 30) {
      errors.push({ pointer: "/valid_days", reason: "an integer from 1 to 30" });
    }
    if (invalid(res, errors)) return;
    try {
      const created = await withRequestContext(authPool, req.warden!, res.locals.traceId, async (c) => {
        const { rows } = await c.query("select id, token, expires_at from warden.invite_to_tenant($1, $2::warden.tenant_role, $3)", [
          email,
          role,
          validDays,
        ]);
        return rows[0];
      });
      res.status(201).json({ id: created.id, token: created.token, email: (email as string).trim(), role, expires_at: created.expires_at });
    } catch (err) {
      next(err);
    }
  });

  router.post("/invitations/accept", async (req, res, next) => {
    const ctx = req.warden!;
    if (ctx.actorType !== "user") {
      sendProblem(res, problem(403, "user_token_required", "the invited user accepts an invitation with their own user token, not an API key"));
      return;
    }
    const parsed = objectBody(req, res, ["token"], "{token}");
    if (!parsed) return;
    const { body, errors } = parsed;
    if (typeof body.token !== "string" || body.token === "") errors.push({ pointer: "/token", reason: "required, the invitation token" });
    if (invalid(res, errors)) return;
    try {
      const m = await withRequestContext(authPool, ctx, res.locals.traceId, async (c) => {
        const { rows } = await c.query("select * from warden.accept_tenant_invitation($1)", [body.token]);
        return rows[0];
      });
      res.status(200).json({ membership_id: m.id, tenant_id: m.tenant_id, user_id: m.user_id, role: m.role, joined_via: m.joined_via });
    } catch (err) {
      next(err);
    }
  });

  router.delete("/invitations/:invitationId", admins, async (req, res, next) => {
    const id = String(req.params.invitationId);
    if (!UUID.test(id)) {
      sendProblem(res, problem(400, "invalid_invitation_id", "invitation ids are uuids"));
      return;
    }
    try {
      const inv = await withRequestContext(authPool, req.warden!, res.locals.traceId, async (c) => {
        const { rows } = await c.query("select * from warden.revoke_tenant_invitation($1)", [id]);
        return rows[0];
      });
      res.status(200).json({ id: inv.id, email: inv.email, role: inv.role, revoked_at: inv.revoked_at });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
