/**
 * warden session list|revoke and warden idp add|list|remove: sessions and
 * trusted identity providers from the shell, as the owner role (an
 * operator). The database writes the governance events (session revoked,
 * identity provider created/deleted) with the database role as actor, and
 * NOTIFYs every API process.
 */
import { isTenantRole } from "../../auth/types";
import { isAllowedProviderUrl } from "../../auth/oidc";
import { UsageError, parseArgs, requireFlag, requireUuid } from "../args";
import { withOwnerClient } from "../database";
import { emit } from "../output";

const SESSION_COLUMNS = "id, tenant_id, user_id, created_at, last_seen_at, host(ip) as ip, user_agent, expires_at, revoked_at, revoked_by";

function noPositionals(positionals: string[]): void {
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
}

export async function sessionList(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ["tenant", "user"], booleans: ["json", "active"] });
  noPositionals(args.positionals);
  const tenant = requireUuid(args, "tenant");
  const user = args.flags.user === undefined ? null : requireUuid(args, "user");
  const rows = await withOwnerClient(async (c) => {
    const r = await c.query(
      `select ${SESSION_COLUMNS} from warden.user_sessions
       where tenant_id = $1 and ($2::uuid is null or user_id = $2) and (not $3 or (revoked_at is null and expires_at > now()))
       order by created_at desc, id limit 1000`,
      [tenant, user, args.booleans.has("active")],
    );
    return r.rows;
  });
  emit(
    args.booleans.has("json"),
    { sessions: rows },
    rows
      .map((s) => `${s.id}  user ${s.user_id}  created ${s.created_at.toISOString()}  ${s.revoked_at ? `revoked ${s.revoked_at.toISOString()}` : `expires ${s.expires_at.toISOString()}`}`)
      .join("\n") || "no sessions",
  );
}

export async function sessionRevoke(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ["id", "tenant", "user"], booleans: ["json"] });
  noPositionals(args.positionals);
  let ids: string[];
  const revoked = await withOwnerClient(async (c) => {
    if (args.flags.id !== undefined) {
      if (args.flags.user !== undefined) throw new UsageError("give --id, or --tenant and --user, not both");
      ids = [requireUuid(args, "id")];
      const exists = await c.query("select 1 from warden.user_sessions where id = $1", [ids[0]]);
      if (!exists.rowCount) throw new Error(`no session ${ids[0]}`);
    } else {
      const tenant = requireUuid(args, "tenant");
      const user = requireUuid(args, "user");
      const r = await c.query("select id from warden.user_sessions where tenant_id = $1 and user_id = $2 and revoked_at is null and expires_at > now()", [
        tenant,
        user,
      ]);
      ids = r.rows.map((x) => x.id as string);
    }
    const r = await c.query(`select ${SESSION_COLUMNS} from warden_private.revoke_user_sessions($1::uuid[], warden.current_actor())`, [ids]);
    return r.rows;
  });
  emit(args.booleans.has("json"), { revoked: revoked.length, sessions: revoked }, `revoked ${revoked.length} session(s)`);
}

export async function idpAdd(argv: string[]): Promise<void> {
  const args = parseArgs(argv, {
    values: ["tenant", "name", "issuer", "audience", "jwks-url", "claim", "default-role"],
    booleans: ["json", "auto-provision"],
  });
  noPositionals(args.positionals);
  const tenant = requireUuid(args, "tenant");
  const name = requireFlag(args, "name").trim();
  const issuer = requireFlag(args, "issuer");
  const audience = requireFlag(args, "audience");
  const jwksUrl = args.flags["jwks-url"] ?? null;
  const claim = args.flags.claim ?? "email";
  const role = args.flags["default-role"] ?? "member";
  if (!isAllowedProviderUrl(issuer)) throw new UsageError("--issuer must be an https URL (http only for localhost)");
  if (jwksUrl !== null && !isAllowedProviderUrl(jwksUrl)) throw new UsageError("--jwks-url must be an https URL (http only for localhost)");
  if (claim !== "email" && claim !== "sub") throw new UsageError("--claim must be email or sub");
  if (!isTenantRole(role) || !["member", "support", "auditor"].includes(role)) throw new UsageError("--default-role must be member, support or auditor");
  const row = await withOwnerClient(async (c) => {
    const r = await c.query(
      `insert into warden.identity_providers (tenant_id, name, issuer, jwks_url, audience, user_claim, auto_provision, default_role)
       values ($1, $2, $3, $4, $5, $6, $7, $8::warden.tenant_role)
       returning id, tenant_id, name, issuer, jwks_url, audience, user_claim, auto_provision, default_role, enabled`,
      [tenant, name, issuer, jwksUrl, audience, claim, args.booleans.has("auto-provision"), role],
    );
    return r.rows[0];
  });
  emit(args.booleans.has("json"), row, row.id);
}

export async function idpList(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ["tenant"], booleans: ["json"] });
  noPositionals(args.positionals);
  const tenant = requireUuid(args, "tenant");
  const rows = await withOwnerClient(async (c) => {
    const r = await c.query(
      `select id, name, issuer, jwks_url, audience, user_claim, auto_provision, default_role, enabled, created_at
       from warden.identity_providers where tenant_id = $1 order by name`,
      [tenant],
    );
    return r.rows;
  });
  emit(
    args.booleans.has("json"),
    { identity_providers: rows },
    rows.map((p) => `${p.id}  ${p.name}  ${p.issuer}  aud=${p.audience}  by ${p.user_claim}${p.auto_provision ? `  auto-provision as ${p.default_role}` : ""}${p.enabled ? "" : "  (disabled)"}`).join("\n") ||
      "no identity providers",
  );
}

export async function idpRemove(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ["id"], booleans: ["json"] });
  noPositionals(args.positionals);
  const id = requireUuid(args, "id");
  const row = await withOwnerClient(async (c) => {
    const r = await c.query("delete from warden.identity_providers where id = $1 returning id, name, issuer", [id]);
    return r.rows[0];
  });
  if (!row) throw new Error(`no identity provider ${id}`);
  emit(args.booleans.has("json"), { id: row.id, name: row.name, issuer: row.issuer, removed: true }, `removed ${row.name} (${row.issuer})`);
}
