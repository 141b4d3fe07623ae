/**
 * Database access for one-shot CLI commands: uses DATABASE_URL or the
 * embedded server (started for the command and stopped after it, unless
 * `npm start` already runs it), migrated, as the owner role. It never
 * creates an embedded cluster (only `start` and `migrate` do): a missing
 * one means a wrong WARDEN_STATE_DIR, and the error says so.
 */
import pg from "pg";
import { loadConfig } from "../config";
import { prepareDatabase, type DatabaseUrls } from "../db/bootstrap";
import { note } from "./output";

/** The database for a one-shot command (announced on a terminal); stop urls.embedded when startedHere. */
export async function commandDatabase(opts: { migrate: boolean }): Promise<DatabaseUrls> {
  const urls = await prepareDatabase(loadConfig(), { migrate: opts.migrate, createCluster: false });
  note(`database: ${urls.description}`);
  return urls;
}

export async function withOwnerClient<T>(fn: (client: pg.Client, urls: DatabaseUrls) => Promise<T>): Promise<T> {
  const urls = await commandDatabase({ migrate: true });
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
