/** Who is making a request, as resolved from its credential. */

export const TENANT_ROLES = ["member", "support", "auditor", "admin", "owner"] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

export interface AuthContext {
  tenantId: string;
  actorId: string;
  actorType: "user" | "api_key";
  tenantRole: TenantRole;
  /** The session (warden.user_sessions) of a token Warden minted; undefined otherwise. */
  sessionId?: string;
  /** Per-key write limit (events/s); undefined for users. */
  rateLimitPerSecond?: number;
  /** Set when the credential is a viewer token (read-only, maybe scoped): src/auth/viewerTokens.ts. */
  viewer?: ViewerGrant;
}

/** What a viewer token grants: reads of its tenant's trail, confined to `scope`. */
export interface ViewerGrant {
  tokenId: string;
  scope: import("./viewerTokens").ViewerScope;
  expiresAt: Date;
}

/** An authentication or authorisation failure, as a value. */
export interface AuthFailure {
  status: 401 | 403;
  code: string;
  detail: string;
  missingRole?: TenantRole;
}

export type AuthResult = { ok: true; context: AuthContext } | { ok: false; failure: AuthFailure };

export function isTenantRole(value: unknown): value is TenantRole {
  return typeof value === "string" && (TENANT_ROLES as readonly string[]).includes(value);
}
