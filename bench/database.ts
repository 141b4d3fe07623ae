/**
 * The bench's own database: `warden_bench` on the PostgreSQL at
 * 127.0.0.1:5432 when reachable (WARDEN_BENCH_PG=embedded forces an
 * embedded one), reset with every migration, as the tests do.
 */
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { canConnect, startEmbedded, type EmbeddedServer } from "../src/db/embedded";
import { ensureRolesAndDatabase } from "../src/db/roles";
import { resetDatabase } from "../src/db/migrate";
import { installSuperuserObjects } from "../src/db/superuser";
import { withDatabase, withUser } from "../src/db/urls";
import { ROLE_OWNER } from "../src/config";

export interface BenchDatabase {
  ownerUrl: string;
  rootUrl: string;
  serverVersion: string;
  close(): Promise<void>;
}

export async function prepareBenchDatabase(): Promise<BenchDatabase> {
  let rootUrl = process.env.WARDEN_BENCH_ROOT_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  let embedded: EmbeddedServer | undefined;
  let ownerPassword: string | undefined;
  if (process.env.WARDEN_BENCH_PG === "embedded" || !(await canConnect(rootUrl))) {
    embedded = await startEmbedded({
      dataDir: path.join(os.tmpdir(), `warden-bench-pg-${process.pid}`),
      port: Number(process.env.WARDEN_BENCH_EMBEDDED_PORT ?? 54349),
      password: randomBytes(16).toString("hex"),
      persistent: false,
    });
    rootUrl = embedded.rootUrl;
    ownerPassword = randomBytes(16).toString("hex");
  }
  await ensureRolesAndDatabase(rootUrl, { database: "warden_bench", ownerPassword });
  const ownerUrl = withUser(withDatabase(rootUrl, "warden_bench"), ROLE_OWNER, ownerPassword);
  await resetDatabase(ownerUrl, rootUrl);
  await installSuperuserObjects(rootUrl, ownerUrl);
  const c = new pg.Client({ connectionString: ownerUrl });
  await c.connect();
  const serverVersion = (await c.query("select current_setting('server_version') as v")).rows[0].v as string;
  await c.end();
  return { ownerUrl, rootUrl, serverVersion, close: async () => (embedded?.startedHere ? embedded.stop() : undefined) };
}
