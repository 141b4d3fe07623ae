/** warden tenant|user|token|apikey create: administration from the shell. */
import { loadConfig } from "../../config";
import { TokenService, parseTtl } from "../../auth/tokens";
import { jwtSecret } from "../../auth/secret";
import { isTenantRole } from "../../auth/types";
import { UsageError, parseArgs, requireFlag, requireUuid } from "../args";
import { withOwnerClient } from "../database";
import { emit } from "../output";

export async function tenantCreate(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: [], booleans: ["json"] });
  if (args.positionals.length !== 1) throw new UsageError("usage: warden tenant create NAME [--json]");
  const name = args.positionals[0].trim();
  if (name.length < 1 || name.length > 200) throw new UsageError("NAME must be 1 to 200 characters");
  const id = await withOwnerClient(async (c) => {
    const { rows } = await c.query("select warden_private.create_tenant($1) as id", [name]);
    return rows[0].id as string;
  });
  emit(args.booleans.has("json"), { id, name }, id);
}

export async function userCreate(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ["tenant", "email", "role", "name"], booleans: ["json"] });
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const tenant = requireUuid(args, "tenant");
  const email = requireFlag(args, "email");
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new UsageError(`--email is not an email address: ${JSON.stringify(email)}`);
  const role = args.flags.role ?? "member";
  if (!isTenantRole(role)) throw new UsageError("--role must be one of owner, admin, auditor, support, member");
  const id = await withOwnerClient(async (c) => {
    const { rows } = await c.query("select warden_private.create_user($1, $2, $3::warden.tenant_role, $4) as id", [
      tenant,
      email,
      role,
      args.flags.name ?? null,
    ]);
    return rows[0].id as string;
  });
  emit(args.booleans.has("json"), { id, tenant_id: tenant, email, role }, id);
}

export async function tokenCreate(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ["tenant", "user", "ttl"], booleans: ["json"] });
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const tenant = requireUuid(args, "tenant");
  const user = requireUuid(args, "user");
  const ttl = parseTtl(args.flags.ttl ?? "1h");
  if (ttl === null) throw new UsageError("--ttl must look like 30s, 15m, 1h or 7d (at most 366d)");
  const role = await withOwnerClient(async (c) => {
    const { rows } = await c.query("select warden_private.resolve_membership($1, $2) as role", [tenant, user]);
    return rows[0].role as string | null;
  });
  if (!role) throw new UsageError(`user ${user} is not a member of tenant ${tenant}`);
  const token = await new TokenService(jwtSecret(loadConfig())).sign({ tenantId: tenant, userId: user }, ttl);
  const expiresAt = new Date(Date.now() + ttl * 1000).toISOString();
  emit(args.booleans.has("json"), { token, expires_at: expiresAt, role }, token);
}

export async function apikeyCreate(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ["tenant", "name", "role", "rate-limit"], booleans: ["json"] });
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const tenant = requireUuid(args, "tenant");
  const name = requireFlag(args, "name").trim();
  if (!name) throw new UsageError("--name must not be empty");
  const role = args.flags.role ?? "member";
  if (!isTenantRole(role)) throw new UsageError("--role must be one of owner, admin, auditor, support, member");
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
}
