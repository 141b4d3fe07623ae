/**
 * Database access for one-shot CLI commands: uses DATABASE_URL or the
 * embedded server (started for the command and stopped after it, unless
 * `npm start` already runs it), migrated, as the owner role.
 */
import pg from "pg";
import { loadConfig } from "../config";
import { prepareDatabase, type DatabaseUrls } from "../db/bootstrap";

export async function withOwnerClient<T>(fn: (client: pg.Client, urls: DatabaseUrls) => Promise<T>): Promise<T> {
  const urls = await prepareDatabase(loadConfig(), { migrate: true });
  try {
    const client = new pg.Client({ connectionString: urls.ownerUrl, application_name: "warden-cli" });
    await client.connect();
    try {
      return await fn(client, urls);
    } finally {
      await client.end();
    }
  } finally {
    if (urls.embedded?.startedHere) await urls.embedded.stop();
  }
}
