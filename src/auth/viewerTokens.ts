/**
 * Viewer tokens: short-lived, read-only credentials for the embedded audit
 * viewer (POST /api/v1/viewer-tokens). A token is `wdv_` + an HS256 JWT
 * with its own audience (warden-viewer), so it can never pass as a user
 * token, and carries the tenant, the minting actor and an optional scope:
 * fixed filters every read it makes is confined to (src/http/viewerScope.ts
 * enforces them on each read path).
 */
import { randomUUID } from "node:crypto";
import { SignJWT, jwtVerify, errors } from "jose";

export const VIEWER_TOKEN_PREFIX = "wdv_";
const ISSUER = "warden";
const AUDIENCE = "warden-viewer";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Longest life a viewer token may have (1 hour); default 15 minutes. */
export const VIEWER_TOKEN_MAX_TTL = 3600;
export const VIEWER_TOKEN_DEFAULT_TTL = 900;

/** The filters a viewer token is confined to (all optional; none = the whole tenant, read-only). */
export interface ViewerScope {
  actor_id?: string;
  actor_type?: string;
  resource_type?: string;
  resource_id?: string;
  /** an exact dotted type, or a prefix ending in .* */
  event_type?: string;
  service?: string;
  /** schema.table: trigger-captured changes of one table */
  table_name?: string;
}

export const SCOPE_KEYS = ["actor_id", "actor_type", "resource_type", "resource_id", "event_type", "service", "table_name"] as const;

export interface ViewerClaims {
  tokenId: string;
  tenantId: string;
  /** who minted it (a user id or an API key id) */
  actorId: string;
  actorType: "user" | "api_key";
  scope: ViewerScope;
  expiresAt: Date;
}

export type ViewerVerifyResult =
  | { ok: true; claims: ViewerClaims }
  | { ok: false; code: "token_expired" | "invalid_token"; detail: string };

/** Validates a requested scope; errors name each bad key (RFC 7807 pointers). */
export function parseViewerScope(raw: unknown): { ok: true; scope: ViewerScope } | { ok: false; errors: { pointer: string; reason: string }[] } {
  if (raw === undefined || raw === null) return { ok: true, scope: {} };
  if (typeof raw !== "object" || Array.isArray(raw)) return { ok: false, errors: [{ pointer: "/scope", reason: "an object of filters" }] };
  const errs: { pointer: string; reason: string }[] = [];
  const scope: ViewerScope = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(SCOPE_KEYS as readonly string[]).includes(key)) {
      errs.push({ pointer: `/scope/${key}`, reason: `unknown scope filter; one of ${SCOPE_KEYS.join(", ")}` });
      continue;
    }
    if (typeof value !== "string" || value.length === 0 || value.length > 200 || value.includes("\u0000")) {
      errs.push({ pointer: `/scope/${key}`, reason: "a string of 1 to 200 characters" });
      continue;
    }
    if (key === "event_type" && !/^[a-z0-9_-]+(\.[a-z0-9_-]+)*(\.\*|(\.[a-z0-9_-]+))$/.test(value)) {
      errs.push({ pointer: "/scope/event_type", reason: "a dotted lower-case type, or a prefix ending in .*" });
      continue;
    }
    if (key === "actor_type" && !["user", "api_key", "service", "system", "db_role"].includes(value)) {
      errs.push({ pointer: "/scope/actor_type", reason: "one of user, api_key, service, system, db_role" });
      continue;
    }
    if (key === "table_name" && !/^[^.]+\.[^.]+$/.test(value)) {
      errs.push({ pointer: "/scope/table_name", reason: "schema.table" });
      continue;
    }
    scope[key as keyof ViewerScope] = value;
  }
  return errs.length ? { ok: false, errors: errs } : { ok: true, scope };
}

export class ViewerTokenService {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error("the JWT secret must be at least 32 characters");
    this.key = new TextEncoder().encode(secret);
  }

  async sign(claims: Omit<ViewerClaims, "tokenId" | "expiresAt">, ttlSeconds: number): Promise<{ token: string; tokenId: string; expiresAt: Date }> {
    const tokenId = randomUUID();
    const exp = Math.floor(Date.now() / 1000) + Math.min(Math.max(1, ttlSeconds), VIEWER_TOKEN_MAX_TTL);
    const jwt = await new SignJWT({ tid: claims.tenantId, aty: claims.actorType, scope: claims.scope, ro: true })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.actorId)
      .setJti(tokenId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(this.key);
    return { token: VIEWER_TOKEN_PREFIX + jwt, tokenId, expiresAt: new Date(exp * 1000) };
  }

  async verify(token: string): Promise<ViewerVerifyResult> {
    if (!token.startsWith(VIEWER_TOKEN_PREFIX)) return { ok: false, code: "invalid_token", detail: "not a viewer token" };
    try {
      const { payload } = await jwtVerify(token.slice(VIEWER_TOKEN_PREFIX.length), this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ["HS256"],
        requiredClaims: ["exp", "sub", "jti"],
      });
      const { tid, aty, scope } = payload as Record<string, unknown>;
      if (typeof payload.sub !== "string" || typeof tid !== "string" || !UUID.test(tid) || !UUID.test(payload.jti!) || (aty !== "user" && aty !== "api_key")) {
        return { ok: false, code: "invalid_token", detail: "the viewer token lacks a valid tenant or actor" };
      }
      const parsed = parseViewerScope(scope ?? {});
      if (!parsed.ok) return { ok: false, code: "invalid_token", detail: "the viewer token's scope is invalid" };
      return {
        ok: true,
        claims: { tokenId: payload.jti!, tenantId: tid, actorId: payload.sub, actorType: aty, scope: parsed.scope, expiresAt: new Date(payload.exp! * 1000) },
      };
    } catch (err) {
      if (err instanceof errors.JWTExpired) return { ok: false, code: "token_expired", detail: "the viewer token has expired" };
      return { ok: false, code: "invalid_token", detail: "the viewer token is malformed or its signature is invalid" };
    }
  }
}
