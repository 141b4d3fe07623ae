/**
 * Installs what needs a superuser (the DDL event triggers, see
 * src/db/sql/superuser.sql) into the Warden database. Called after
 * migrations whenever a superuser connection is known.
 */
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { PROJECT_ROOT } from "../config";
import { databaseName, withDatabase } from "./urls";

const SQL_FILE = path.join(PROJECT_ROOT, "src", "db", "sql", "superuser.sql");

export async function installSuperuserObjects(rootUrl: string, ownerUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(rootUrl, databaseName(ownerUrl)) });
  await client.connect();
  try {
    await client.query("begin");
    await client.query(fs.readFileSync(SQL_FILE, "utf8"));
    await client.query("commit");
  } catch (err) {
    await client.query("rollback").catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}
