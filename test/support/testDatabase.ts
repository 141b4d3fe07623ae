/**
 * Which PostgreSQL the tests use: the one on 127.0.0.1:5432 when reachable
 * (unless WARDEN_TEST_PG=embedded), otherwise an embedded one started for
 * the run. Either way the test database is reset by graphile-migrate.
 */
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { canConnect, startEmbedded, type EmbeddedServer } from "../../src/db/embedded";
import { ensureRolesAndDatabase } from "../../src/db/roles";
import { applyCurrentMigration, resetDatabase } from "../../src/db/migrate";
import { installSuperuserObjects } from "../../src/db/superuser";
import { withDatabase, withUser } from "../../src/db/urls";
import { ROLE_AUTHENTICATOR, ROLE_OWNER } from "../../src/config";

/** The test database (WARDEN_TEST_DATABASE lets parallel worktrees share one server). */
export const TEST_DATABASE = process.env.WARDEN_TEST_DATABASE ?? "warden_test";
const SYSTEM_ROOT = process.env.WARDEN_TEST_ROOT_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  kind: "system" | "embedded";
  rootUrl: string;
  ownerUrl: string;
  authUrl: string;
  embedded?: EmbeddedServer;
}

export async function prepareTestDatabase(): Promise<TestDatabase> {
  const wantEmbedded = process.env.WARDEN_TEST_PG === "embedded";
  let rootUrl = SYSTEM_ROOT;
  let embedded: EmbeddedServer | undefined;
  let passwords: { owner?: string; auth?: string } = {};
  if (wantEmbedded || !(await canConnect(SYSTEM_ROOT))) {
    const password = randomBytes(16).toString("hex");
    embedded = await startEmbedded({
      dataDir: path.join(os.tmpdir(), `warden-test-pg-${process.pid}`),
      port: Number(process.env.WARDEN_TEST_EMBEDDED_PORT ?? 54339),
      password,
      persistent: false,
    });
    rootUrl = embedded.rootUrl;
    passwords = { owner: randomBytes(16).toString("hex"), auth: randomBytes(16).toString("hex") };
  }
  await ensureRolesAndDatabase(rootUrl, {
    database: TEST_DATABASE,
    ownerPassword: passwords.owner,
    authenticatorPassword: passwords.auth,
  });
  const dbUrl = withDatabase(rootUrl, TEST_DATABASE);
  const ownerUrl = withUser(dbUrl, ROLE_OWNER, passwords.owner);
  const authUrl = withUser(dbUrl, ROLE_AUTHENTICATOR, passwords.auth);
  await resetDatabase(ownerUrl, rootUrl);
  // Work in progress (never on main: CI refuses a non-empty current.sql).
  if (await applyCurrentMigration(ownerUrl, rootUrl)) console.log("[warden tests] applied the uncommitted current.sql");
  await installSuperuserObjects(rootUrl, ownerUrl);
  return { kind: embedded ? "embedded" : "system", rootUrl, ownerUrl, authUrl, embedded };
}
