/**
 * Decides which PostgreSQL Warden uses and prepares it:
 * - DATABASE_URL set: that server (ROOT_DATABASE_URL, when given, creates roles);
 * - otherwise: the embedded server with data under the state directory.
 * Returns the connection strings of each role.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { ROLE_AUTHENTICATOR, ROLE_OWNER, type WardenConfig } from "../config";
import { loadSecrets } from "../state";
import { startEmbedded, type EmbeddedServer } from "./embedded";
import { ensureRolesAndDatabase } from "./roles";
import { migrateDatabase } from "./migrate";
import { installSuperuserObjects } from "./superuser";
import { databaseName, redactUrl, withDatabase, withUser } from "./urls";

export interface DatabaseUrls {
  /** warden_owner: migrations, worker, CLI. */
  ownerUrl: string;
  /** warden_authenticator: the API. */
  authUrl: string;
  /** A superuser, when known (setup and reset). */
  rootUrl?: string;
  /** The embedded server, when Warden runs one. */
  embedded?: EmbeddedServer;
  /** Which database this is, for people: "DATABASE_URL postgres://...", "embedded PostgreSQL in DIR, port N". */
  description: string;
}

/** No Warden database where the configuration points, and this command may not create one. */
export class NoDatabaseError extends Error {}

/** True when something accepts TCP connections on 127.0.0.1:port within 1 s. */
function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function noClusterMessage(config: WardenConfig, dataDir: string): Promise<string> {
  const fromEnv = process.env.WARDEN_STATE_DIR ? "WARDEN_STATE_DIR" : "the default state directory";
  const busy = await portOpen(config.embeddedPort);
  return (
    `no Warden database: no DATABASE_URL is set, and ${fromEnv} ${config.stateDir} holds no embedded PostgreSQL cluster (${dataDir} does not exist)` +
    (busy ? `; something already listens on port ${config.embeddedPort} (WARDEN_EMBEDDED_PG_PORT): is \`npm start\` running with another WARDEN_STATE_DIR?` : "") +
    `. Point WARDEN_STATE_DIR at the state directory \`npm start\` uses, set DATABASE_URL, or create a new database with \`warden migrate\` (or \`npm start\`)`
  );
}

export interface PrepareOptions {
  migrate: boolean;
  /**
   * false: with no DATABASE_URL, refuse (NoDatabaseError) when the state
   * directory holds no embedded cluster instead of creating one. Only
   * `start` and `migrate` create a cluster: any other command finding none
   * is pointed at the wrong state directory, not at a new empty database.
   */
  createCluster?: boolean;
  log?: (line: string) => void;
}

export async function prepareDatabase(config: WardenConfig, opts: PrepareOptions): Promise<DatabaseUrls> {
  const log = opts.log ?? (() => undefined);
  let urls: DatabaseUrls;
  if (config.databaseUrl) {
    const authPassword = process.env.AUTHENTICATOR_PASSWORD || undefined;
    urls = {
      description: `DATABASE_URL ${redactUrl(config.databaseUrl)}`,
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
    const dataDir = path.join(config.stateDir, "pgdata");
    if (opts.createCluster === false && !fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
      throw new NoDatabaseError(await noClusterMessage(config, dataDir));
    }
    const secrets = loadSecrets(config.stateDir);
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
      description: `embedded PostgreSQL, data in ${dataDir}, port ${config.embeddedPort}` + (embedded.startedHere ? " (started for this command)" : ""),
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
