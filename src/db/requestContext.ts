/**
 * The request context as PostgreSQL settings. GraphQL passes these as
 * pgSettings; REST handlers run their queries through withRequestContext().
 * The names match what warden.set_context() sets for direct connections.
 */
import { isIP } from "node:net";
import type pg from "pg";
import { ROLE_VISITOR } from "../config";
import type { AuthContext } from "../auth/types";

/** What the HTTP layer knows about the client, recorded on audit events. */
export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

/**
 * The address as PostgreSQL's inet reads it, or "" when it is not one: a
 * trusted proxy may pass on whatever X-Forwarded-For held, and an address
 * the database refuses must not fail the request (or the group commit it
 * joins). An IPv6 zone (fe80::1%eth0) is dropped: inet has none.
 */
export function storableIp(ip: string | undefined): string {
  if (!ip) return "";
  const address = ip.includes("%") ? ip.slice(0, ip.indexOf("%")) : ip;
  return isIP(address) ? address : "";
}

export function pgSettingsFor(ctx: AuthContext | undefined, traceId: string | undefined, client: ClientInfo = {}): Record<string, string> {
  return {
    role: ROLE_VISITOR,
    "jwt.claims.tenant_id": ctx?.tenantId ?? "",
    "jwt.claims.actor_id": ctx?.actorId ?? "",
    "jwt.claims.actor_type": ctx?.actorType ?? "",
    "jwt.claims.tenant_role": ctx?.tenantRole ?? "",
    "warden.trace_id": traceId ?? "",
    "warden.actor_ip": storableIp(client.ip),
    "warden.user_agent": (client.userAgent ?? "").slice(0, 1024),
  };
}

/** Sets the request's context settings, transaction-locally (all but the role). */
export async function applyRequestSettings(
  client: pg.ClientBase,
  ctx: AuthContext,
  traceId: string | undefined,
  clientInfo: ClientInfo = {},
): Promise<void> {
  const { role: _role, ...settings } = pgSettingsFor(ctx, traceId, clientInfo);
  const names = Object.keys(settings);
  await client.query(
    `select ${names.map((_, i) => `set_config($${i * 2 + 1}, $${i * 2 + 2}, true)`).join(", ")}`,
    names.flatMap((n) => [n, settings[n]]),
  );
}

/** Runs fn in a transaction as the visitor role with the request's context. */
export async function withRequestContext<T>(
  pool: pg.Pool,
  ctx: AuthContext,
  traceId: string | undefined,
  fn: (client: pg.PoolClient) => Promise<T>,
  clientInfo: ClientInfo = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    await applyRequestSettings(client, ctx, traceId, clientInfo);
    await client.query(`set local role ${client.escapeIdentifier(ROLE_VISITOR)}`);
    const result = await fn(client);
    await client.query("commit");
    return result;
  } catch (err) {
    await client.query("rollback").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
