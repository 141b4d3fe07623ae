/**
 * Sessions (docs/sessions.md):
 *   GET    /api/v1/sessions[?user_id=]  a user's sessions (one's own; anyone's in the tenant for owners and admins)
 *   POST   /api/v1/sessions             a new session token for the caller (e.g. in exchange for an identity provider's token)
 *   DELETE /api/v1/sessions/current     revokes the session of the token used (sign out)
 *   DELETE /api/v1/sessions/{id}        revokes a session (one's own; any in the tenant for owners and admins)
 *   DELETE /api/v1/sessions?user_id=    revokes every live session of a user
 * Row-level security limits reads to the tenant; the SQL functions check who
 * may revoke what and write the governance events.
 */
import { Router, type Request, type Response } from "express";
import type pg from "pg";
import { withRequestContext } from "../../db/requestContext";
import { parseTtl, type TokenService } from "../../auth/tokens";
import { problem, sendProblem } from "../problem";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMNS = "id, tenant_id, user_id, created_at, last_seen_at, host(ip) as ip, user_agent, expires_at, revoked_at, revoked_by";

interface SessionRow {
  id: string;
  tenant_id: string;
  user_id: string;
  created_at: Date;
  last_seen_at: Date | null;
  ip: string | null;
  user_agent: string | null;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_by: unknown;
}

function present(row: SessionRow, current: string | undefined): Record<string, unknown> {
  const now = Date.now();
  return {
    ...row,
    active: row.revoked_at === null && row.expires_at.getTime() > now,
    current: row.id === current,
  };
}

function userIdParam(req: Request, res: Response): string | null | undefined {
  const raw = req.query.user_id;
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || !UUID.test(raw)) {
    sendProblem(res, problem(400, "invalid_user_id", "user_id must be a uuid"));
    return null;
  }
  return raw;
}

export function sessionRoutes(authPool: pg.Pool, tokens: TokenService | undefined): Router {
  const router = Router();

  router.get("/sessions", async (req, res, next) => {
    const ctx = req.warden!;
    const asked = userIdParam(req, res);
    if (asked === null) return;
    if (ctx.actorType !== "user" && asked === undefined) {
      sendProblem(res, problem(400, "user_id_required", "API keys have no sessions of their own: pass ?user_id="));
      return;
    }
    const userId = asked ?? ctx.actorId;
    try {
      const rows = await withRequestContext(authPool, ctx, res.locals.traceId, async (client) => {
        const r = await client.query<SessionRow>(
          `select ${COLUMNS} from warden.user_sessions where user_id = $1 order by created_at desc, id limit 500`,
          [userId],
        );
        return r.rows;
      });
      if (userId !== ctx.actorId && rows.length === 0 && !["owner", "admin"].includes(ctx.tenantRole)) {
        sendProblem(
          res,
          problem(403, "missing_role", "listing another user's sessions needs tenant role owner or admin", { missing_role: "admin" }),
        );
        return;
      }
      res.json({ sessions: rows.map((r) => present(r, ctx.sessionId)) });
    } catch (err) {
      next(err);
    }
  });

  router.post("/sessions", async (req, res, next) => {
    const ctx = req.warden!;
    if (!tokens) {
      sendProblem(res, problem(503, "sessions_unavailable", "this server mints no tokens"));
      return;
    }
    if (ctx.actorType !== "user") {
      sendProblem(res, problem(403, "user_required", "only a user opens a session (API keys are credentials of their own)"));
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== "object" || Array.isArray(body) || Object.keys(body).some((k) => k !== "ttl")) {
      sendProblem(res, problem(400, "invalid_body", "expected a JSON object {ttl?} (ttl like 15m, 8h, 7d)"));
      return;
    }
    const ttl = parseTtl(typeof body.ttl === "string" ? body.ttl : "8h");
    if (ttl === null) {
      sendProblem(res, problem(400, "validation_failed", "the request body is invalid", { errors: [{ pointer: "/ttl", reason: "like 30s, 15m, 8h or 7d (at most 366d)" }] }));
      return;
    }
    try {
      // Whole seconds: the token's exp and the session's expires_at agree.
      const expiresAt = new Date((Math.floor(Date.now() / 1000) + ttl) * 1000);
      const sessionId = await withRequestContext(
        authPool,
        ctx,
        res.locals.traceId,
        async (client) => (await client.query("select warden.create_user_session($1) as id", [expiresAt])).rows[0].id as string,
        { ip: req.ip, userAgent: req.get("user-agent") },
      );
      const token = await tokens.sign({ tenantId: ctx.tenantId, userId: ctx.actorId, sessionId }, ttl);
      const minted = { token, sessionId, expiresAt };
      res.status(201).json({ token: minted.token, session_id: minted.sessionId, expires_at: minted.expiresAt.toISOString() });
    } catch (err) {
      next(err);
    }
  });

  const revokeOne = async (req: Request, res: Response, id: string): Promise<void> => {
    const row = await withRequestContext(authPool, req.warden!, res.locals.traceId, async (client) => {
      const r = await client.query<SessionRow>(`select ${COLUMNS} from warden.revoke_user_session($1)`, [id]);
      return r.rows[0];
    }, { ip: req.ip, userAgent: req.get("user-agent") });
    res.json(present(row, req.warden!.sessionId));
  };

  router.delete("/sessions/current", async (req, res, next) => {
    const id = req.warden!.sessionId;
    if (!id) {
      sendProblem(res, problem(400, "no_session", "this credential is not a session token"));
      return;
    }
    await revokeOne(req, res, id).catch(next);
  });

  router.delete("/sessions/:sessionId", async (req, res, next) => {
    const id = String(req.params.sessionId);
    if (!UUID.test(id)) {
      sendProblem(res, problem(400, "invalid_session_id", "session ids are uuids"));
      return;
    }
    await revokeOne(req, res, id).catch(next);
  });

  router.delete("/sessions", async (req, res, next) => {
    const userId = userIdParam(req, res);
    if (userId === null) return;
    if (userId === undefined) {
      sendProblem(res, problem(400, "user_id_required", "pass ?user_id= (the user whose sessions to revoke)"));
      return;
    }
    try {
      const rows = await withRequestContext(authPool, req.warden!, res.locals.traceId, async (client) => {
        const r = await client.query<SessionRow>(`select ${COLUMNS} from warden.revoke_user_sessions($1)`, [userId]);
        return r.rows;
      }, { ip: req.ip, userAgent: req.get("user-agent") });
      res.json({ revoked: rows.length, sessions: rows.map((r) => present(r, req.warden!.sessionId)) });
    } catch (err) {
      next(err);
    }
  });

  return router;
}
