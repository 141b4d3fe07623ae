/**
 * The bench's own database: `warden_bench` on the PostgreSQL at
 * 127.0.0.1:5432 when reachable (WARDEN_BENCH_ROOT_URL overrides it,
 * WARDEN_BENCH_PG=embedded forces an embedded one), else on an embedded
 * server started for the run, as test/support/testDatabase.ts does. The
 * database is dropped, recreated and migrated, then gets the superuser
 * objects (DDL event triggers). close() stops the embedded server, if any.
 */
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { canConnect, startEmbedded, type EmbeddedServer } from "../src/db/embedded";
import { ensureRolesAndDatabase } from "../src/db/roles";
import { applyCurrentMigration, resetDatabase } from "../src/db/migrate";
import { installSuperuserObjects } from "../src/db/superuser";
import { withDatabase, withUser } from "../src/db/urls";
import { ROLE_OWNER } from "../src/config";
import { withClient } from "./util";

/** WARDEN_BENCH_DATABASE lets parallel worktrees bench on one server. */
export const BENCH_DATABASE = process.env.WARDEN_BENCH_DATABASE ?? "warden_bench";
const SYSTEM_ROOT = process.env.WARDEN_BENCH_ROOT_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface BenchDatabase {
  ownerUrl: string;
  rootUrl: string;
  serverVersion: string;
  /** "system" (the server at the root URL) or "embedded" (started for this run). */
  kind: "system" | "embedded";
  close(): Promise<void>;
}

interface Server {
  rootUrl: string;
  /** Password for warden_owner; undefined on a trust-auth server. */
  ownerPassword?: string;
  embedded?: EmbeddedServer;
}

async function pickServer(): Promise<Server> {
  if (process.env.WARDEN_BENCH_PG !== "embedded" && (await canConnect(SYSTEM_ROOT))) return { rootUrl: SYSTEM_ROOT };
  const embedded = await startEmbedded({
    dataDir: path.join(os.tmpdir(), `warden-bench-pg-${process.pid}`),
    port: Number(process.env.WARDEN_BENCH_EMBEDDED_PORT ?? 54349),
    password: randomBytes(16).toString("hex"),
    persistent: false,
  });
  return { rootUrl: embedded.rootUrl, ownerPassword: randomBytes(16).toString("hex"), embedded };
}

async function stopServer(server: Server): Promise<void> {
  if (server.embedded?.startedHere) await server.embedded.stop();
}

/** Roles, a fresh warden_bench with every migration, and the superuser objects. */
async function resetBenchDatabase(server: Server): Promise<string> {
  await ensureRolesAndDatabase(server.rootUrl, { database: BENCH_DATABASE, ownerPassword: server.ownerPassword });
  const ownerUrl = withUser(withDatabase(server.rootUrl, BENCH_DATABASE), ROLE_OWNER, server.ownerPassword);
  await resetDatabase(ownerUrl, server.rootUrl);
  await applyCurrentMigration(ownerUrl, server.rootUrl);
  await installSuperuserObjects(server.rootUrl, ownerUrl);
  return ownerUrl;
}

export async function prepareBenchDatabase(): Promise<BenchDatabase> {
  const server = await pickServer();
  try {
    const ownerUrl = await resetBenchDatabase(server);
    const serverVersion = await withClient(ownerUrl, async (c) => {
      const { rows } = await c.query<{ v: string }>("select current_setting('server_version') as v");
      return rows[0].v;
    });
    return {
      ownerUrl,
      rootUrl: server.rootUrl,
      serverVersion,
      kind: server.embedded ? "embedded" : "system",
      close: () => stopServer(server),
    };
  } catch (err) {
    await stopServer(server).catch(() => undefined);
    throw err;
  }
}
