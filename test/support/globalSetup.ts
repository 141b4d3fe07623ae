/** Jest global setup: a freshly reset Warden database for the whole run. */
import pg from "pg";
import { prepareTestDatabase } from "./testDatabase";
import { generateSealingKey } from "../../src/audit/sealingKey";

export default async function globalSetup(): Promise<void> {
  const db = await prepareTestDatabase();
  process.env.WARDEN_TEST_OWNER_URL = db.ownerUrl;
  process.env.WARDEN_TEST_AUTH_URL = db.authUrl;
  process.env.WARDEN_TEST_ROOT_URL_RESOLVED = db.rootUrl;
  process.env.WARDEN_TEST_KIND = db.kind;
  // One seal key for the whole run (the CLI and the test files share the database's chains).
  process.env.WARDEN_SEAL_KEY = generateSealingKey().privateKey!.export({ type: "pkcs8", format: "der" }).toString("base64");
  (globalThis as { __wardenEmbedded?: unknown }).__wardenEmbedded = db.embedded;
  const c = new pg.Client({ connectionString: db.ownerUrl });
  await c.connect();
  try {
    const { rows } = await c.query("select current_setting('server_version') as v");
    console.log(`\n[warden tests] PostgreSQL ${rows[0].v} (${db.kind})`);
  } finally {
    await c.end();
  }
}
