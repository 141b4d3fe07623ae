/**
 * User tokens: HS256 JWTs signed by Warden with jose.
 * Claims: sub (user id), tid (tenant id), jti (session id: every token
 * belongs to a row of warden.user_sessions, src/auth/sessions.ts), iss
 * "warden", aud "warden-api".
 */
import { SignJWT, jwtVerify, errors } from "jose";

const ISSUER = "warden";
const AUDIENCE = "warden-api";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TokenClaims {
  userId: string;
  tenantId: string;
  /** The session (warden.user_sessions.id) the token belongs to: its jti. */
  sessionId: string;
}

/** The issuer Warden writes into its own tokens (others are external, src/auth/oidc.ts). */
export const WARDEN_ISSUER = ISSUER;

export type VerifyResult =
  | { ok: true; claims: TokenClaims }
  | { ok: false; code: "token_expired" | "invalid_token"; detail: string };

/** Parses a TTL such as 30s, 15m, 1h, 7d. */
export function parseTtl(ttl: string): number | null {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(ttl.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const seconds = n * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
  return seconds > 0 && seconds <= 366 * 86400 ? seconds : null;
}

export class TokenService {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error("the JWT secret must be at least 32 characters");
    this.key = new TextEncoder().encode(secret);
  }

  async sign(claims: TokenClaims, ttlSeconds: number): Promise<string> {
    return new SignJWT({ tid: claims.tenantId })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.userId)
      .setJti(claims.sessionId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.key);
  }

  async verify(token: string): Promise<VerifyResult> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ["HS256"],
        requiredClaims: ["exp", "sub", "jti"],
      });
      const tid = payload.tid;
      if (typeof payload.sub !== "string" || !UUID.test(payload.sub) || typeof tid !== "string" || !UUID.test(tid)) {
        return { ok: false, code: "invalid_token", detail: "the token lacks a valid user or tenant" };
      }
      if (typeof payload.jti !== "string" || !UUID.test(payload.jti)) {
        return { ok: false, code: "invalid_token", detail: "the token belongs to no session" };
      }
      return { ok: true, claims: { userId: payload.sub, tenantId: tid, sessionId: payload.jti } };
    } catch (err) {
      if (err instanceof errors.JWTExpired) {
        return { ok: false, code: "token_expired", detail: "the token has expired" };
      }
      return { ok: false, code: "invalid_token", detail: "the token is malformed or its signature is invalid" };
    }
  }
}
