/**
 * Resolves an Authorization header into an AuthContext, or a failure value.
 * Bearer credentials are either an API key (wdn_...) or a user JWT. The
 * tenant role is read from the database on each request (cached for a few
 * seconds), so revoking a key or a membership takes effect at once.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import { TokenService } from "./tokens";
import { TtlCache } from "./ttlCache";
import { VIEWER_TOKEN_PREFIX, type ViewerTokenService } from "./viewerTokens";
import { type AuthResult, isTenantRole } from "./types";

const CACHE_MS = 5_000;

export class Authenticator {
  private readonly cache = new TtlCache<AuthResult>(CACHE_MS);
  private readonly inFlight = new Map<string, Promise<AuthResult>>();
  /** Bumped by flush(): a lookup that started before it is not cached after it. */
  private generation = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly tokens: TokenService,
    /** Mints and checks viewer tokens (wdv_...); without it they are refused. */
    readonly viewerTokens?: ViewerTokenService,
  ) {}

  /** Forget cached resolutions (tests, after revocations). */
  flush(): void {
    this.cache.clear();
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
    if (cached) return cached;
    // One lookup per credential at a time: a burst of requests with a key
    // not yet cached (a service reconnecting its pool) waits for the same
    // query instead of sending one each.
    const flightKey = `${this.generation}:${cacheKey}`;
    let pending = this.inFlight.get(flightKey);
    if (!pending) {
      const generation = this.generation;
      pending = (
        credential.startsWith("wdn_")
          ? this.apiKey(credential)
          : credential.startsWith(VIEWER_TOKEN_PREFIX)
            ? this.viewerToken(credential)
            : this.userToken(credential)
      )
        .then((result) => {
          if (generation === this.generation) this.cache.set(cacheKey, result);
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

  private async userToken(token: string): Promise<AuthResult> {
    const verified = await this.tokens.verify(token);
    if (!verified.ok) return fail(401, verified.code, verified.detail);
    const { userId, tenantId } = verified.claims;
    const { rows } = await this.pool.query("select warden_private.resolve_membership($1, $2) as role", [tenantId, userId]);
    const role = rows[0]?.role;
    if (!isTenantRole(role)) {
      return fail(401, "not_a_member", "the token's user is no longer a member of its tenant");
    }
    return { ok: true, context: { tenantId, actorId: userId, actorType: "user", tenantRole: role } };
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

function fail(status: 401 | 403, code: string, detail: string): AuthResult {
  return { ok: false, failure: { status, code, detail } };
}
