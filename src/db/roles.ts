/**
 * Setup: creates Warden's roles and database, idempotently. Needs a
 * connection that may create roles (a superuser, or CREATEROLE + CREATEDB).
 * Works on the embedded cluster and on an existing server.
 */
import pg from "pg";
import { ROLE_AUTHENTICATOR, ROLE_DQ_SANDBOX, ROLE_OWNER, ROLE_VISITOR } from "../config";

export interface RoleSetupOptions {
  /** Database to create (owned by the owner role) when missing. */
  database: string;
  /** Passwords to set; omitted on servers that trust local connections. */
  ownerPassword?: string;
  authenticatorPassword?: string;
}

async function ensureRole(client: pg.Client, name: string, attributes: string, password?: string): Promise<void> {
  const exists = await client.query("select 1 from pg_roles where rolname = $1", [name]);
  const verb = exists.rowCount ? "alter" : "create";
  const pw = password ? ` password ${client.escapeLiteral(password)}` : "";
  await client.query(`${verb} role ${client.escapeIdentifier(name)} ${attributes}${pw}`);
}

/** Only Warden's login roles may connect to its database. */
export async function grantDatabaseAccess(client: pg.ClientBase, database: string): Promise<void> {
  await client.query(`revoke all on database ${client.escapeIdentifier(database)} from public`);
  await client.query(`grant connect on database ${client.escapeIdentifier(database)} to ${ROLE_AUTHENTICATOR}, ${ROLE_OWNER}`);
}

export async function ensureRolesAndDatabase(rootUrl: string, opts: RoleSetupOptions): Promise<void> {
  const client = new pg.Client({ connectionString: rootUrl });
  await client.connect();
  try {
    // Serialise concurrent setups (CREATE ROLE is not idempotent under races).
    await client.query("select pg_advisory_lock(hashtext('warden.setup'))");
    await ensureRole(client, ROLE_OWNER, "login inherit", opts.ownerPassword);
    await ensureRole(client, ROLE_AUTHENTICATOR, "login noinherit nocreatedb nocreaterole", opts.authenticatorPassword);
    await ensureRole(client, ROLE_VISITOR, "nologin", undefined);
    // Data-quality checks read application tables as this role (row-level
    // security applies; it can write nothing and never reads warden_private).
    // The owner is a member only to own the few functions that run as it.
    await ensureRole(client, ROLE_DQ_SANDBOX, "nologin noinherit nocreatedb nocreaterole", undefined);
    await client.query(`grant ${ROLE_DQ_SANDBOX} to ${ROLE_OWNER}`);
    // The API logs in as the authenticator and switches to the visitor;
    // the owner may switch too (tests, DBAs checking policies).
    await client.query(`grant ${ROLE_VISITOR} to ${ROLE_AUTHENTICATOR}`);
    await client.query(`grant ${ROLE_VISITOR} to ${ROLE_OWNER}`);
    // The sealer reads other sessions' transaction ids (this database only),
    // so long transactions elsewhere on the server do not hold it back.
    await client.query(`grant pg_read_all_stats to ${ROLE_OWNER}`);
    const db = await client.query("select 1 from pg_database where datname = $1", [opts.database]);
    if (!db.rowCount) {
      await client.query(`create database ${client.escapeIdentifier(opts.database)} owner ${ROLE_OWNER} encoding 'UTF8' template template0`);
    }
    await grantDatabaseAccess(client, opts.database);
    await client.query("select pg_advisory_unlock(hashtext('warden.setup'))");
  } finally {
    await client.end();
  }
}
