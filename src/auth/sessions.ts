/**
 * Minting user tokens: each one opens a session (warden.user_sessions), whose
 * id is the token's jti. Revoking the session refuses the token.
 */
import type pg from "pg";
import type { TokenService } from "./tokens";

export interface SessionRequest {
  tenantId: string;
  userId: string;
  ttlSeconds: number;
  /** Client address and user agent, when minted for an HTTP client. */
  ip?: string | null;
  userAgent?: string | null;
}

export interface MintedSession {
  token: string;
  sessionId: string;
  expiresAt: Date;
}

/** Opens a session (a governance.session.created event) and signs its token. */
export async function mintSessionToken(
  db: pg.Pool | pg.ClientBase,
  tokens: TokenService,
  req: SessionRequest,
): Promise<MintedSession> {
  // Whole seconds: the token's exp and the session's expires_at agree.
  const expiresAt = new Date((Math.floor(Date.now() / 1000) + req.ttlSeconds) * 1000);
  const { rows } = await db.query<{ id: string }>(
    "select warden_private.create_user_session($1, $2, $3, $4::inet, $5) as id",
    [req.tenantId, req.userId, expiresAt, req.ip || null, req.userAgent ?? null],
  );
  const sessionId = rows[0].id;
  const token = await tokens.sign({ tenantId: req.tenantId, userId: req.userId, sessionId }, req.ttlSeconds);
  return { token, sessionId, expiresAt };
}
