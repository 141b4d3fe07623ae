/**
 * Applies Warden's committed migrations (graphile-migrate) and installs the
 * graphile-worker schema. Runs as the owner role.
 */
import path from "node:path";
import fs from "node:fs";
import { Logger, migrate, reset, watch } from "graphile-migrate";
import JSON5 from "json5";
import { runMigrations } from "graphile-worker";
import type { Settings } from "graphile-migrate";
import pg from "pg";
import { PROJECT_ROOT } from "../config";
import { grantDatabaseAccess } from "./roles";
import { databaseName } from "./urls";
import { logger } from "../observability/logger";

async function grantConnect(rootUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: rootUrl });
  await client.connect();
  try {
    await grantDatabaseAccess(client, database);
  } finally {
    await client.end();
  }
}

/** graphile-migrate logs every applied migration; keep warnings and errors. */
const quietLogger = new Logger(() => (level: unknown, message: string) => {
  if (String(level) === "error") logger("migrate").error(message);
  else if (String(level) === "warning") logger("migrate").warn(message);
});

async function settingsFor(ownerUrl: string, rootUrl?: string, verbose = false): Promise<Settings> {
  const base = JSON5.parse(fs.readFileSync(path.join(PROJECT_ROOT, ".gmrc"), "utf8")) as Settings;
  const settings: Settings = {
    ...base,
    connectionString: ownerUrl,
    rootConnectionString: rootUrl ?? base.rootConnectionString,
    shadowConnectionString: undefined,
    migrationsFolder: path.join(PROJECT_ROOT, "migrations"),
  };
  if (!verbose) settings.logger = quietLogger;
  return settings;
}

async function installWorkerSchema(ownerUrl: string): Promise<void> {
  await runMigrations({ connectionString: ownerUrl });
}

/**
 * Runs fn while holding Warden's migration lock (a session advisory lock on
 * its own connection). graphile-migrate only tries its lock and fails with
 * "Failed to get exclusive lock" when another process migrates at the same
 * moment: Warden processes starting together (several API replicas, an API
 * and a worker) wait for each other here instead, and the later ones find
 * nothing left to apply.
 */
async function withMigrationLock<T>(ownerUrl: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock(hashtext('warden.migrate'))");
    return await fn();
  } finally {
    await client.end(); // ending the session releases the lock
  }
}

/** Applies committed migrations, then the worker schema. */
export async function migrateDatabase(ownerUrl: string, opts: { verbose?: boolean } = {}): Promise<void> {
  await withMigrationLock(ownerUrl, async () => {
    await installWorkerSchema(ownerUrl);
    await migrate(await settingsFor(ownerUrl, undefined, opts.verbose));
  });
}

/** Drops and recreates the database, then migrates (tests, `warden reset`). */
export async function resetDatabase(ownerUrl: string, rootUrl: string): Promise<void> {
  await reset(await settingsFor(ownerUrl, rootUrl));
  // reset recreates the database with CONNECT revoked from PUBLIC: let the API in again.
  await grantConnect(rootUrl, databaseName(ownerUrl));
  await installWorkerSchema(ownerUrl);
}

/**
 * Development only: applies the work-in-progress migration (top-level
 * current.sql) once, when it is not empty. Tests and the bench call it after
 * a reset so a schema change can be tried before it is committed; CI refuses
 * a non-empty current.sql, so on main this does nothing. Returns whether it ran.
 */
export async function applyCurrentMigration(ownerUrl: string, rootUrl: string): Promise<boolean> {
  const file = path.join(PROJECT_ROOT, "current.sql");
  if (!fs.existsSync(file)) return false;
  const sql = fs.readFileSync(file, "utf8").replace(/--[^\n]*/g, "").trim();
  if (sql === "") return false;
  await watch(await settingsFor(ownerUrl, rootUrl), true, false);
  return true;
}

/** Names of the committed migrations shipped with this build. */
export function committedMigrations(): string[] {
  const dir = path.join(PROJECT_ROOT, "migrations", "committed");
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".sql")).sort() : [];
}
