/**
 * Database helpers for tests: the owner pool, a transaction rolled back at
 * the end of each test, acting as the visitor with a request context, and
 * fixtures created through Warden's own functions.
 */
import pg from "pg";
import { randomUUID } from "node:crypto";
import { parseSealingKey, type SealingKey } from "../../src/audit/sealingKey";
import { databaseName, withDatabase } from "../../src/db/urls";

/** The run's seal key (made by globalSetup, shared with the CLI through WARDEN_SEAL_KEY). */
export function testSealingKey(): SealingKey {
  return parseSealingKey(process.env.WARDEN_SEAL_KEY!);
}

export function ownerUrl(): string {
  const url = process.env.WARDEN_TEST_OWNER_URL;
  if (!url) throw new Error("WARDEN_TEST_OWNER_URL is unset: run the tests with jest (globalSetup)");
  return url;
}

export function authUrl(): string {
  return process.env.WARDEN_TEST_AUTH_URL!;
}

/**
 * The strongest database-side attacker: a superuser on the test database
 * with triggers off (session_replication_role = replica). Its changes are
 * rolled back afterwards unless `commit` is set.
 */
export async function asTriggerlessSuperuser<T>(fn: (c: pg.Client) => Promise<T>, commit = false): Promise<T> {
  const c = new pg.Client({ connectionString: rootOnTestDatabase() });
  await c.connect();
  let done = false;
  try {
    await c.query("begin");
    await c.query("set local session_replication_role = replica");
    const out = await fn(c);
    await c.query(commit ? "commit" : "rollback");
    done = true;
    return out;
  } finally {
    if (!done) await c.query("rollback").catch(() => undefined);
    await c.end();
  }
}

/** Superuser URL on the test database. */
export function rootOnTestDatabase(): string {
  return withDatabase(rootUrl(), databaseName(ownerUrl()));
}

/**
 * Runs fn on a superuser session of the test database where auto_explain
 * logs the plan of every statement, nested ones too (a function's), as a
 * notice; plans collects them (fn may empty it to keep only what follows).
 */
export async function withPlansLogged<T>(fn: (c: pg.Client, plans: string[]) => Promise<T>): Promise<{ result: T; plans: string[] }> {
  const c = new pg.Client({ connectionString: rootOnTestDatabase() });
  await c.connect();
  const plans: string[] = [];
  c.on("notice", (n) => plans.push(n.message ?? ""));
  try {
    await c.query("load 'auto_explain'");
    await c.query("set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on; set auto_explain.log_level = notice");
    return { result: await fn(c, plans), plans };
  } finally {
    await c.end();
  }
}

export function rootUrl(): string {
  return process.env.WARDEN_TEST_ROOT_URL_RESOLVED!;
}

let pool: pg.Pool | undefined;
export function ownerPool(): pg.Pool {
  pool ??= new pg.Pool({ connectionString: ownerUrl(), max: 5 });
  return pool;
}

export async function closePools(): Promise<void> {
  await pool?.end();
  pool = undefined;
}

/** Runs fn inside a transaction that is always rolled back. */
export async function rolledBack<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await ownerPool().connect();
  try {
    await client.query("begin");
    return await fn(client);
  } finally {
    await client.query("rollback").catch(() => undefined);
    client.release();
  }
}

export interface VisitorContext {
  tenantId: string;
  actorId: string;
  actorType?: string;
  tenantRole?: string;
  traceId?: string;
}

/** Switches the transaction to the visitor role with the given context. */
export async function actAs(client: pg.ClientBase, ctx: VisitorContext): Promise<void> {
  await client.query(
    `select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.actor_id', $2, true),
            set_config('jwt.claims.actor_type', $3, true), set_config('jwt.claims.tenant_role', $4, true),
            set_config('warden.trace_id', $5, true)`,
    [ctx.tenantId, ctx.actorId, ctx.actorType ?? "user", ctx.tenantRole ?? "", ctx.traceId ?? ""],
  );
  await client.query("set local role warden_visitor");
}

/** Back to the owner within the same transaction. */
export async function actAsOwner(client: pg.ClientBase): Promise<void> {
  await client.query("reset role");
}

/**
 * Runs a statement that is expected to fail, inside a savepoint so the
 * surrounding transaction survives; returns the error.
 */
export async function expectFailure(client: pg.ClientBase, sql: string, params: unknown[] = []): Promise<pg.DatabaseError> {
  const sp = `sp_${randomUUID().replace(/-/g, "")}`;
  await client.query(`savepoint ${sp}`);
  try {
    await client.query(sql, params);
  } catch (err) {
    await client.query(`rollback to savepoint ${sp}`);
    return err as pg.DatabaseError;
  }
  await client.query(`release savepoint ${sp}`);
  throw new Error(`expected failure, but it succeeded: ${sql}`);
}

export async function createTenant(client: pg.ClientBase, name = `tenant-${randomUUID().slice(0, 8)}`): Promise<string> {
  const { rows } = await client.query("select warden_private.create_tenant($1) as id", [name]);
  return rows[0].id;
}

export async function createUser(client: pg.ClientBase, tenantId: string, role = "member", email?: string): Promise<string> {
  const { rows } = await client.query("select warden_private.create_user($1, $2, $3::warden.tenant_role) as id", [
    tenantId,
    email ?? `${randomUUID().slice(0, 12)}@example.test`,
    role,
  ]);
  return rows[0].id;
}

export async function createApiKey(
  client: pg.ClientBase,
  tenantId: string,
  role = "member",
): Promise<{ id: string; key: string }> {
  const { rows } = await client.query("select id, key from warden_private.create_api_key($1, 'svc', $2::warden.tenant_role)", [
    tenantId,
    role,
  ]);
  return rows[0];
}

/**
 * Makes trigger-captured row events readable in warden.audit_events now:
 * calls warden.flush_capture() where the schema has it (capture through a
 * log that the worker promotes), and does nothing where the triggers write
 * the store directly. Tests that read db.* events call it after writing.
 */
export async function flushCapture(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ n: string | null }>(
    "select case when to_regprocedure('warden.flush_capture()') is null then null else 0 end as n",
  );
  if (rows[0].n === null) return 0;
  const flushed = await client.query<{ n: string }>("select warden.flush_capture()::text as n");
  return Number(flushed.rows[0].n);
}
