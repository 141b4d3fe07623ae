/**
 * warden tenant|user|token|apikey create, user role, apikey revoke:
 * administration from the shell, as the owner role (an operator, trusted
 * with every tenant). Governance events come from the database (the
 * membership and API key triggers), with the database role as actor.
 */
import type pg from "pg";
import { loadConfig } from "../../config";
import { TokenService, parseTtl } from "../../auth/tokens";
import { mintSessionToken } from "../../auth/sessions";
import { jwtSecret } from "../../auth/secret";
import { isTenantRole } from "../../auth/types";
import { UsageError, requireFlag, requireUuid } from "../args";
import { JSON_OPTION, type CommandSpec } from "../registry";
import { withOwnerClient } from "../database";
import { emit } from "../output";

const ROLE_USAGE = "--role must be one of owner, admin, auditor, support, member";

/** Runs fn in a transaction on c: committed when it returns, rolled back when it throws. */
async function inTransaction<T>(c: pg.ClientBase, fn: () => Promise<T>): Promise<T> {
  await c.query("begin");
  try {
    const out = await fn();
    await c.query("commit");
    return out;
  } catch (err) {
    await c.query("rollback").catch(() => undefined);
    throw err;
  }
}

export const tenantCreate: CommandSpec = {
  name: "tenant create",
  summary: "create a tenant; prints its id",
  args: "NAME",
  positionals: [0, 1],
  options: { json: JSON_OPTION },
  examples: ["TENANT=$(npx warden tenant create \"Acme\")"],
  run: async (args) => {
    if (args.positionals.length !== 1) throw new UsageError("usage: warden tenant create NAME [--json]");
    const name = args.positionals[0].trim();
    if (name.length < 1 || name.length > 200) throw new UsageError("NAME must be 1 to 200 characters");
    const id = await withOwnerClient(async (c) => {
      const { rows } = await c.query("select warden_private.create_tenant($1) as id", [name]);
      return rows[0].id as string;
    });
    emit(args.booleans.has("json"), { id, name }, id);
  },
};

export const userCreate: CommandSpec = {
  name: "user create",
  summary: "add a member to a tenant (an existing membership is never changed); prints the user id",
  options: {
    tenant: { type: "string", value: "ID", help: "the tenant", required: true },
    email: { type: "string", value: "EMAIL", help: "the user's email (created when new)", required: true },
    role: { type: "string", value: "ROLE", help: "owner, admin, auditor, support or member", default: "member" },
    name: { type: "string", value: "NAME", help: "display name" },
    json: JSON_OPTION,
  },
  examples: ["USER_ID=$(npx warden user create --tenant \"$TENANT\" --email alice@acme.test --role owner)"],
  run: async (args) => {
    const tenant = requireUuid(args, "tenant");
    const email = requireFlag(args, "email");
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new UsageError(`--email is not an email address: ${JSON.stringify(email)}`);
    const asked = args.flags.role;
    if (asked !== undefined && !isTenantRole(asked)) throw new UsageError(ROLE_USAGE);
    // An existing membership is never changed (re-running this must not
    // demote an owner); `warden user role` changes roles, audited.
    const out = await withOwnerClient(async (c) =>
      inTransaction(c, async () => {
        const before = await c.query<{ role: string }>(
          `select m.role from warden.tenant_memberships m join warden.users u on u.id = m.user_id
           where m.tenant_id = $1 and lower(u.email) = lower(btrim($2))`,
          [tenant, email],
        );
        const { rows } = await c.query("select warden_private.create_user($1, $2, $3::warden.tenant_role, $4) as id", [
          tenant,
          email,
          asked ?? "member",
          args.flags.name ?? null,
        ]);
        const id = rows[0].id as string;
        const existing = before.rows[0]?.role;
        if (existing !== undefined && asked !== undefined && existing !== asked) {
          throw new Error(
            `${email} is already a member of tenant ${tenant} with role ${existing}; nothing changed (to change it: warden user role --tenant ${tenant} --user ${id} --role ${asked})`,
          );
        }
        return { id, tenant_id: tenant, email, role: existing ?? asked ?? "member", membership: existing === undefined ? "created" : "existing" };
      }),
    );
    emit(args.booleans.has("json"), out, out.id);
  },
};

export const userRole: CommandSpec = {
  name: "user role",
  summary: "change a member's role (audited; a tenant keeps an owner)",
  options: {
    tenant: { type: "string", value: "ID", help: "the tenant", required: true },
    user: { type: "string", value: "ID", help: "the member's user id", required: true },
    role: { type: "string", value: "ROLE", help: "owner, admin, auditor, support or member", required: true },
    json: JSON_OPTION,
  },
  examples: ["npx warden user role --tenant \"$TENANT\" --user \"$USER_ID\" --role admin"],
  run: async (args) => {
    const tenant = requireUuid(args, "tenant");
    const user = requireUuid(args, "user");
    const role = requireFlag(args, "role");
    if (!isTenantRole(role)) throw new UsageError(ROLE_USAGE);
    // The membership trigger writes governance.membership.role_changed and
    // keeps at least one owner.
    const r = await withOwnerClient(async (c) => {
      const { rows } = await c.query("select previous_role, new_role from warden_private.set_member_role($1, $2, $3::warden.tenant_role)", [
        tenant,
        user,
        role,
      ]);
      return rows[0] as { previous_role: string; new_role: string };
    });
    const changed = r.previous_role !== r.new_role;
    emit(
      args.booleans.has("json"),
      { tenant_id: tenant, user_id: user, role: r.new_role, previous_role: r.previous_role, changed },
      changed ? `role of ${user} in ${tenant}: ${r.previous_role} -> ${r.new_role}` : `role of ${user} in ${tenant} is already ${r.new_role}`,
    );
  },
};

export const tokenCreate: CommandSpec = {
  name: "token create",
  summary: "mint a user token (HS256 JWT) for a member, in a new revocable session; prints it",
  options: {
    tenant: { type: "string", value: "ID", help: "the tenant", required: true },
    user: { type: "string", value: "ID", help: "the member's user id", required: true },
    ttl: { type: "string", value: "TTL", help: "lifetime: 30s, 15m, 1h or 7d (at most 366d)", default: "1h" },
    json: JSON_OPTION,
  },
  examples: ["TOKEN=$(npx warden token create --tenant \"$TENANT\" --user \"$USER_ID\" --ttl 1h)"],
  run: async (args) => {
    const tenant = requireUuid(args, "tenant");
    const user = requireUuid(args, "user");
    const ttl = parseTtl(args.flags.ttl ?? "1h");
    if (ttl === null) throw new UsageError("--ttl must look like 30s, 15m, 1h or 7d (at most 366d)");
    // Every token belongs to a session (warden.user_sessions; revocable:
    // `warden session revoke`); opening it writes governance.session.created.
    const tokens = new TokenService(jwtSecret(loadConfig()));
    const out = await withOwnerClient(async (c) => {
      const { rows } = await c.query("select warden_private.resolve_membership($1, $2) as role", [tenant, user]);
      const role = rows[0].role as string | null;
      if (!role) throw new UsageError(`user ${user} is not a member of tenant ${tenant}`);
      const minted = await mintSessionToken(c, tokens, { tenantId: tenant, userId: user, ttlSeconds: ttl });
      return { token: minted.token, session_id: minted.sessionId, expires_at: minted.expiresAt.toISOString(), role };
    });
    emit(args.booleans.has("json"), out, out.token);
  },
};

export const apikeyCreate: CommandSpec = {
  name: "apikey create",
  summary: "create an API key for a service; prints the key (shown once)",
  options: {
    tenant: { type: "string", value: "ID", help: "the tenant", required: true },
    name: { type: "string", value: "NAME", help: "what the key is for", required: true },
    role: { type: "string", value: "ROLE", help: "owner, admin, auditor, support or member", default: "member" },
    "rate-limit": { type: "string", value: "N", help: "events per second this key may ingest" },
    json: JSON_OPTION,
  },
  examples: ["KEY=$(npx warden apikey create --tenant \"$TENANT\" --name gateway --rate-limit 500)"],
  run: async (args) => {
    const tenant = requireUuid(args, "tenant");
    const name = requireFlag(args, "name").trim();
    if (!name) throw new UsageError("--name must not be empty");
    const role = args.flags.role ?? "member";
    if (!isTenantRole(role)) throw new UsageError(ROLE_USAGE);
    let rate: number | null = null;
    if (args.flags["rate-limit"] !== undefined) {
      rate = Number(args.flags["rate-limit"]);
      if (!Number.isInteger(rate) || rate < 1) throw new UsageError("--rate-limit must be a positive integer (events/s)");
    }
    const created = await withOwnerClient(async (c) => {
      const { rows } = await c.query(
        "select id, key from warden_private.create_api_key($1, $2, $3::warden.tenant_role, $4)",
        [tenant, name, role, rate],
      );
      return rows[0] as { id: string; key: string };
    });
    emit(
      args.booleans.has("json"),
      { id: created.id, key: created.key, name, role },
      created.key,
    );
  },
};

export const apikeyRevoke: CommandSpec = {
  name: "apikey revoke",
  summary: "revoke an API key (audited; it stays revoked)",
  options: {
    id: { type: "string", value: "ID", help: "the key's id (apikey create --json prints it)", required: true },
    json: JSON_OPTION,
  },
  examples: ["npx warden apikey revoke --id \"$KEY_ID\""],
  run: async (args) => {
    const id = requireUuid(args, "id");
    // The API key trigger writes governance.api_key.revoked; a revoked key stays revoked.
    const row = await withOwnerClient(async (c) => {
      const { rows } = await c.query(
        `with revoked as (update warden.api_keys set revoked_at = now() where id = $1 and revoked_at is null returning id, prefix, revoked_at)
         select r.id, r.prefix, r.revoked_at, false as already from revoked r
         union all
         select k.id, k.prefix, k.revoked_at, true from warden.api_keys k where k.id = $1 and not exists (select 1 from revoked)`,
        [id],
      );
      return rows[0] as { id: string; prefix: string; revoked_at: Date; already: boolean } | undefined;
    });
    if (!row) throw new Error(`no API key ${id}`);
    emit(
      args.booleans.has("json"),
      { id: row.id, prefix: row.prefix, revoked_at: row.revoked_at, already_revoked: row.already },
      row.already ? `${row.prefix} was already revoked at ${row.revoked_at.toISOString()}` : `revoked ${row.prefix}`,
    );
  },
};
