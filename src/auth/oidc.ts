/**
 * External identity providers (warden.identity_providers): a tenant trusts
 * an OIDC issuer for an audience. A token whose iss is not Warden's is
 * verified here against the provider's keys (jose's remote JWKS, cached;
 * RS256 and ES256 only, so `alg: none` and HS256 tokens made with a public
 * key as secret are refused), then mapped to a member of the provider's
 * tenant by the database (warden_private.resolve_external_identity).
 */
import { createRemoteJWKSet, jwtVerify, errors, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type pg from "pg";
import { TtlCache } from "./ttlCache";
import { type AuthResult, isTenantRole } from "./types";

/** The signature algorithms accepted from external providers. */
export const OIDC_ALGORITHMS = ["RS256", "ES256"];

const PROVIDER_CACHE_MS = 5_000;
const DISCOVERY_CACHE_MS = 3_600_000;
const FETCH_TIMEOUT_MS = 5_000;
const DISCOVERY_RETRY_MS = 30_000;

interface ProviderRow {
  id: string;
  tenant_id: string;
  issuer: string;
  jwks_url: string | null;
  audience: string;
  user_claim: "email" | "sub";
}

const FAILURE_DETAIL: Record<string, string> = {
  unknown_identity_provider: "the identity provider is unknown or disabled",
  missing_email_claim: "the token carries no email claim, which this tenant's provider maps users by",
  email_not_verified: "the token's email is not verified (email_verified is false)",
  missing_subject_claim: "the token carries no usable sub claim",
  not_a_member: "the token's user is not a member of the provider's tenant (and the provider does not auto-provision)",
};

/** http is allowed only to a loopback address (a provider on the same host); anything else needs https. */
export function isAllowedProviderUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
}

export class OidcVerifier {
  private readonly providers = new TtlCache<ProviderRow[]>(PROVIDER_CACHE_MS, 1_000);
  private readonly keySets = new Map<string, JWTVerifyGetKey>();
  private readonly discovered = new Map<string, { jwksUrl: string; at: number }>();
  /** Issuers whose discovery failed lately: not asked again for DISCOVERY_RETRY_MS (tokens must not make Warden hammer a provider). */
  private readonly discoveryFailed = new TtlCache<Error>(DISCOVERY_RETRY_MS, 1_000);

  constructor(private readonly pool: pg.Pool) {}

  /** Forget the providers (a provider changed: NOTIFY, src/auth/invalidation.ts). */
  flush(): void {
    this.providers.clear();
    this.discoveryFailed.clear();
  }

  /** Verifies a token whose (unverified) payload names a foreign issuer. */
  async authenticate(token: string, unverified: JWTPayload): Promise<AuthResult> {
    const iss = unverified.iss;
    if (typeof iss !== "string" || iss.length === 0 || iss.length > 2048) {
      return fail("invalid_token", "the token is malformed or its signature is invalid");
    }
    const providers = await this.providersOf(iss);
    const aud = typeof unverified.aud === "string" ? [unverified.aud] : Array.isArray(unverified.aud) ? unverified.aud : [];
    const matching = providers.filter((p) => aud.includes(p.audience));
    if (providers.length === 0 || matching.length === 0) {
      return fail("untrusted_issuer", "no tenant trusts this token's issuer for its audience");
    }
    if (matching.length > 1) {
      return fail("ambiguous_audience", "the token's audiences name more than one tenant's identity provider; use one audience");
    }
    const provider = matching[0];
    let payload: JWTPayload;
    try {
      const keys = await this.keySetOf(provider);
      ({ payload } = await jwtVerify(token, keys, {
        issuer: provider.issuer,
        audience: provider.audience,
        algorithms: OIDC_ALGORITHMS,
        requiredClaims: ["exp", "iss", "aud"],
        clockTolerance: 30,
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) return fail("token_expired", "the token has expired");
      return fail("invalid_token", "the token is malformed or its signature is invalid");
    }
    const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
    const { rows } = await this.pool.query(
      `select user_id, tenant_id, tenant_role, failure
       from warden_private.resolve_external_identity($1, $2, $3, $4, $5)`,
      [
        provider.id,
        str(payload.sub),
        str(payload.email),
        typeof payload.email_verified === "boolean" ? payload.email_verified : null,
        str(payload.name),
      ],
    );
    const row = rows[0];
    if (!row || row.failure || !isTenantRole(row.tenant_role)) {
      const code = row?.failure ?? "not_a_member";
      return fail(code, FAILURE_DETAIL[code] ?? "the token does not map to a member");
    }
    return { ok: true, context: { tenantId: row.tenant_id, actorId: row.user_id, actorType: "user", tenantRole: row.tenant_role } };
  }

  private async providersOf(issuer: string): Promise<ProviderRow[]> {
    const cached = this.providers.get(issuer);
    if (cached) return cached;
    const { rows } = await this.pool.query<ProviderRow>(
      "select id, tenant_id, issuer, jwks_url, audience, user_claim from warden_private.identity_providers_for_issuer($1)",
      [issuer],
    );
    this.providers.set(issuer, rows);
    return rows;
  }

  private async keySetOf(provider: ProviderRow): Promise<JWTVerifyGetKey> {
    const jwksUrl = provider.jwks_url ?? (await this.discover(provider.issuer));
    if (!isAllowedProviderUrl(jwksUrl)) throw new Error(`the JWKS URL ${jwksUrl} is not https`);
    let keys = this.keySets.get(jwksUrl);
    if (!keys) {
      // jose caches the keys (10 min) and refetches on an unknown kid at most every 30 s.
      keys = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: FETCH_TIMEOUT_MS, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
      if (this.keySets.size >= 1_000) this.keySets.delete(this.keySets.keys().next().value as string);
      this.keySets.set(jwksUrl, keys);
    }
    return keys;
  }

  /** The jwks_uri of the issuer's OpenID configuration (cached an hour). */
  private async discover(issuer: string): Promise<string> {
    const hit = this.discovered.get(issuer);
    if (hit && Date.now() - hit.at < DISCOVERY_CACHE_MS) return hit.jwksUrl;
    const failed = this.discoveryFailed.get(issuer);
    if (failed) throw failed;
    try {
      return await this.fetchDiscovery(issuer);
    } catch (err) {
      this.discoveryFailed.set(issuer, err as Error);
      throw err;
    }
  }

  private async fetchDiscovery(issuer: string): Promise<string> {
    const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    if (!isAllowedProviderUrl(url)) throw new Error(`the issuer ${issuer} is not https`);
    const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: "error" });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (doc.issuer !== issuer || typeof doc.jwks_uri !== "string") {
      throw new Error(`${url} is not the OpenID configuration of ${issuer}`);
    }
    if (this.discovered.size >= 1_000) this.discovered.clear();
    this.discovered.set(issuer, { jwksUrl: doc.jwks_uri, at: Date.now() });
    return doc.jwks_uri;
  }
}

function fail(code: string, detail: string): AuthResult {
  return { ok: false, failure: { status: 401, code, detail } };
}
