/**
 * Resolves an Authorization header into an AuthContext, or a failure value.
 * Bearer credentials are an API key (wdn_...), a user token Warden minted
 * for a session (warden.user_sessions), or a token of a tenant's trusted
 * identity provider (src/auth/oidc.ts). Resolutions are cached for a few
 * seconds; a revocation (session, API key, membership, role) NOTIFYs every
 * API process, whose listener (src/auth/invalidation.ts) calls flush(), so
 * it takes effect on the next request. Without the listener the cache
 * times out after CACHE_MS.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import { decodeJwt, type JWTPayload } from "jose";
import { TokenService, WARDEN_ISSUER } from "./tokens";
import { OidcVerifier } from "./oidc";
import { TtlCache } from "./ttlCache";
import { VIEWER_TOKEN_PREFIX, type ViewerTokenService } from "./viewerTokens";
import { type AuthResult, isTenantRole } from "./types";

const CACHE_MS = 5_000;

export class Authenticator {
  private readonly cache = new TtlCache<AuthResult>(CACHE_MS);
  private readonly inFlight = new Map<string, Promise<AuthResult>>();
  private readonly oidc: OidcVerifier;
  /** Bumped by flush(): a lookup that started before it is not cached after it. */
  private generation = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly tokens: TokenService,
    /** Mints and checks viewer tokens (wdv_...); without it they are refused. */
    readonly viewerTokens?: ViewerTokenService,
  ) {
    this.oidc = new OidcVerifier(pool);
  }

  /** Forget cached resolutions (a revocation was NOTIFYed; tests). */
  flush(): void {
    this.cache.clear();
    this.oidc.flush();
    this.generation++;
  }

  async authenticate(header: string | undefined): Promise<AuthResult> {
    if (!header) {
      return fail(401, "missing_credentials", "send Authorization: Bearer <token or API key>");
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return fail(401, "invalid_credentials", "the Authorization header must be 'Bearer <token or API key>'");
    const credential = m[1];
    const cacheKey = createHash("sha256").update(credential).digest("base64url");
    const cached = this.cache.get(cacheKey);
    if (cached) {
      // Let I/O that is already here run first: an invalidation NOTIFY that
      // arrived with this request must win over the cached answer.
      const generation = this.generation;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (generation === this.generation) return cached;
    }
    // One lookup per credential at a time: a burst of requests with a key
    // not yet cached (a service reconnecting its pool) waits for the same
    // query instead of sending one each.
    const flightKey = `${this.generation}:${cacheKey}`;
    let pending = this.inFlight.get(flightKey);
    if (!pending) {
      const generation = this.generation;
      const unverified = credential.startsWith("wdn_") || credential.startsWith(VIEWER_TOKEN_PREFIX) ? undefined : peek(credential);
      pending = (
        credential.startsWith("wdn_")
          ? this.apiKey(credential)
          : credential.startsWith(VIEWER_TOKEN_PREFIX)
            ? this.viewerToken(credential)
            : this.userToken(credential, unverified)
      )
        .then((result) => {
          // Never cached past the token's expiry.
          const ttl = typeof unverified?.exp === "number" ? Math.min(CACHE_MS, unverified.exp * 1000 - Date.now()) : CACHE_MS;
          if (generation === this.generation && ttl > 0) this.cache.set(cacheKey, result, ttl);
          return result;
        })
        .finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, pending);
    }
    return pending;
  }

  private async apiKey(key: string): Promise<AuthResult> {
    if (!/^wdn_[0-9a-f]{12}_[0-9a-f]{64}$/.test(key)) {
      return fail(401, "invalid_api_key", "the API key is malformed");
    }
    const { rows } = await this.pool.query(
      "select api_key_id, tenant_id, role, rate_limit_per_second from warden_private.authenticate_api_key($1)",
      [key],
    );
    const row = rows[0];
    if (!row || !row.api_key_id || !isTenantRole(row.role)) {
      return fail(401, "invalid_api_key", "the API key is unknown, revoked or expired");
    }
    return {
      ok: true,
      context: {
        tenantId: row.tenant_id,
        actorId: row.api_key_id,
        actorType: "api_key",
        tenantRole: row.role,
        rateLimitPerSecond: row.rate_limit_per_second,
      },
    };
  }

  private viewerToken(token: string): Promise<AuthResult> {
    return resolveViewerToken(this.pool, this.viewerTokens, token);
  }

  private async userToken(token: string, unverified: JWTPayload | undefined): Promise<AuthResult> {
    if (unverified && typeof unverified.iss === "string" && unverified.iss !== WARDEN_ISSUER) {
      return this.oidc.authenticate(token, unverified);
    }
    const verified = await this.tokens.verify(token);
    if (!verified.ok) return fail(401, verified.code, verified.detail);
    const { userId, tenantId, sessionId } = verified.claims;
    const { rows } = await this.pool.query("select tenant_role, failure from warden_private.authenticate_session($1, $2, $3)", [
      sessionId,
      tenantId,
      userId,
    ]);
    const row = rows[0];
    if (!row || row.failure || !isTenantRole(row.tenant_role)) {
      const code: string = row?.failure ?? "session_not_found";
      return fail(401, code, SESSION_FAILURES[code] ?? "the token's session is not valid");
    }
    return { ok: true, context: { tenantId, actorId: userId, actorType: "user", tenantRole: row.tenant_role, sessionId } };
  }
}

const SESSION_FAILURES: Record<string, string> = {
  session_not_found: "the token's session does not exist (it ended long ago, or the token was not minted by this Warden)",
  session_revoked: "the token's session was revoked",
  session_expired: "the token's session has expired",
  not_a_member: "the token's user is no longer a member of its tenant",
};

/** The claims of a JWT, unverified (to route it to its verifier), or undefined when it is not one. */
function peek(token: string): JWTPayload | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

/**
 * A viewer token acts as its minter, read-only: tenant role auditor, and
 * only while the minter may still mint (a user still owner or admin of the
 * tenant; an API key is checked by the token's short life alone).
 */
async function resolveViewerToken(pool: pg.Pool, service: ViewerTokenService | undefined, token: string): Promise<AuthResult> {
  if (!service) return fail(401, "invalid_token", "viewer tokens are not enabled on this server");
  const verified = await service.verify(token);
  if (!verified.ok) return fail(401, verified.code, verified.detail);
  const c = verified.claims;
  // The registry (warden.viewer_tokens): revoked and unknown tokens are refused.
  const registered = await pool.query<{ failure: string | null }>("select warden_private.authenticate_viewer_token($1, $2) as failure", [c.tokenId, c.tenantId]);
  const failure = registered.rows[0]?.failure;
  if (failure) return fail(401, failure, VIEWER_FAILURES[failure] ?? "the viewer token is not valid");
  if (c.actorType === "user") {
    const { rows } = await pool.query("select warden_private.resolve_membership($1, $2) as role", [c.tenantId, c.actorId]);
    if (rows[0]?.role !== "owner" && rows[0]?.role !== "admin") {
      return fail(401, "not_a_member", "the viewer token's issuer is no longer an owner or admin of its tenant");
    }
  }
  return {
    ok: true,
    context: {
      tenantId: c.tenantId,
      actorId: c.actorId,
      actorType: c.actorType,
      tenantRole: "auditor",
      viewer: { tokenId: c.tokenId, scope: c.scope, expiresAt: c.expiresAt },
    },
  };
}

const VIEWER_FAILURES: Record<string, string> = {
  viewer_token_unknown: "the viewer token is not registered on this Warden (minted elsewhere, or its record was compacted)",
  viewer_token_revoked: "the viewer token was revoked",
  token_expired: "the viewer token has expired",
};

function fail(status: 401 | 403, code: string, detail: string): AuthResult {
  return { ok: false, failure: { status, code, detail } };
}
