/**
 * Decides which PostgreSQL Warden uses and prepares it:
 * - DATABASE_URL set: that server (ROOT_DATABASE_URL, when given, creates roles);
 * - otherwise: the embedded server with data under the state directory.
 * Returns the connection strings of each role.
 */
import path from "node:path";
import { ROLE_AUTHENTICATOR, ROLE_OWNER, type WardenConfig } from "../config";
import { loadSecrets } from "../state";
import { startEmbedded, type EmbeddedServer } from "./embedded";
import { ensureRolesAndDatabase } from "./roles";
import { migrateDatabase } from "./migrate";
import { installSuperuserObjects } from "./superuser";
import { databaseName, withDatabase, withUser } from "./urls";

export interface DatabaseUrls {
  /** warden_owner: migrations, worker, CLI. */
  ownerUrl: string;
  /** warden_authenticator: the API. */
  authUrl: string;
  /** A superuser, when known (setup and reset). */
  rootUrl?: string;
  /** The embedded server, when Warden runs one. */
  embedded?: EmbeddedServer;
}

export interface PrepareOptions {
  migrate: boolean;
  log?: (line: string) => void;
}

export async function prepareDatabase(config: WardenConfig, opts: PrepareOptions): Promise<DatabaseUrls> {
  const log = opts.log ?? (() => undefined);
  let urls: DatabaseUrls;
  if (config.databaseUrl) {
    const authPassword = process.env.AUTHENTICATOR_PASSWORD || undefined;
    urls = {
      ownerUrl: config.databaseUrl,
      authUrl: config.authDatabaseUrl ?? withUser(config.databaseUrl, ROLE_AUTHENTICATOR, authPassword),
      rootUrl: config.rootDatabaseUrl,
    };
    if (config.rootDatabaseUrl) {
      await ensureRolesAndDatabase(config.rootDatabaseUrl, {
        database: databaseName(config.databaseUrl),
        ownerPassword: process.env.OWNER_PASSWORD || undefined,
        authenticatorPassword: authPassword,
      });
    }
  } else {
    const secrets = loadSecrets(config.stateDir);
    const dataDir = path.join(config.stateDir, "pgdata");
    log(`starting embedded PostgreSQL (data in ${dataDir}, port ${config.embeddedPort})`);
    const embedded = await startEmbedded({
      dataDir,
      port: config.embeddedPort,
      password: secrets.embeddedSuperuserPassword,
      persistent: true,
    });
    await ensureRolesAndDatabase(embedded.rootUrl, {
      database: "warden",
      ownerPassword: secrets.ownerPassword,
      authenticatorPassword: secrets.authenticatorPassword,
    });
    const dbUrl = withDatabase(embedded.rootUrl, "warden");
    urls = {
      ownerUrl: withUser(dbUrl, ROLE_OWNER, secrets.ownerPassword),
      authUrl: withUser(dbUrl, ROLE_AUTHENTICATOR, secrets.authenticatorPassword),
      rootUrl: embedded.rootUrl,
      embedded,
    };
  }
  if (opts.migrate) {
    await migrateDatabase(urls.ownerUrl);
    if (urls.rootUrl) {
      await installSuperuserObjects(urls.rootUrl, urls.ownerUrl);
    } else {
      log("no superuser connection (ROOT_DATABASE_URL): DDL auditing event triggers not installed");
    }
    log("migrations applied");
  }
  return urls;
}
