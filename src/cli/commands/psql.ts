/**
 * warden db-url | psql: the database Warden uses (DATABASE_URL, or the
 * embedded cluster under the state directory), for people and other tools.
 * The embedded package ships no client tools, so psql is the system's (or
 * $PSQL); an older psql still talks to a newer server (libpq's protocol is
 * stable), some backslash commands aside, and the command says so.
 */
import fs from "node:fs";
import path from "node:path";
import { spawn, execFileSync } from "node:child_process";
import pg from "pg";
import { redactUrl } from "../../db/urls";
import { UsageError } from "../args";
import { commandDatabase } from "../database";
import { emit, note } from "../output";
import { CommandExit, JSON_OPTION, type CommandSpec } from "../registry";
import type { DatabaseUrls } from "../../db/bootstrap";

function pickUrl(urls: DatabaseUrls, root: boolean): string {
  if (!root) return urls.ownerUrl;
  if (!urls.rootUrl) throw new UsageError("--root needs a superuser connection: set ROOT_DATABASE_URL (the embedded server has one)");
  return urls.rootUrl;
}

/** The Warden database with the superuser of the root URL (which points at another database). */
function rootOnWardenDb(urls: DatabaseUrls): string {
  const root = new URL(pickUrl(urls, true));
  root.pathname = new URL(urls.ownerUrl).pathname;
  return root.toString();
}

export const dbUrl: CommandSpec = {
  name: "db-url",
  summary: "print the connection URL of the database Warden uses (with its password)",
  description:
    "Prints the owner role's URL (warden_owner, which owns every Warden object and bypasses no tenant policy but its own maintenance one), " +
    "for psql, pg_dump or any client. With the embedded PostgreSQL the URL works while `npm start` (or another warden command) runs it.",
  options: {
    root: { type: "boolean", help: "the superuser's URL on the Warden database instead (embedded, or ROOT_DATABASE_URL)" },
    redacted: { type: "boolean", help: "hide the password (for logs)" },
    json: JSON_OPTION,
  },
  examples: ['psql "$(npx warden db-url)"', "npx warden db-url --redacted"],
  run: async (args) => {
    const urls = await commandDatabase({ migrate: false });
    try {
      const url = args.booleans.has("root") ? rootOnWardenDb(urls) : urls.ownerUrl;
      const shown = args.booleans.has("redacted") ? redactUrl(url) : url;
      emit(args.json, { url: shown, database: urls.description, embedded: Boolean(urls.embedded) }, shown);
      if (urls.embedded?.startedHere) note("the embedded PostgreSQL is not running: the URL works once `npm start` runs it");
    } finally {
      if (urls.embedded?.startedHere) await urls.embedded.stop();
    }
  },
};

/** psql to run: $PSQL, else the first psql on PATH. */
function findPsql(): string | null {
  if (process.env.PSQL) return process.env.PSQL;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "psql");
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return null;
}

function psqlMajor(psql: string): number | null {
  try {
    const out = execFileSync(psql, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const m = /(\d+)(?:\.\d+)?/.exec(out);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

async function serverMajor(url: string): Promise<number | null> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    const { rows } = await c.query("select current_setting('server_version_num')::int / 10000 as major");
    return rows[0].major as number;
  } catch {
    return null;
  } finally {
    await c.end().catch(() => undefined);
  }
}

export const psql: CommandSpec = {
  name: "psql",
  summary: "open psql on the database Warden uses (as the owner role)",
  description:
    "Runs the system's psql (or $PSQL) on DATABASE_URL or the embedded PostgreSQL, starting the embedded server for the session when `npm start` is not running. " +
    "The password travels in PGPASSWORD, never on the command line. Every other argument goes to psql unchanged (-c, -f, -v, -At ...); " +
    "scripts (-c, -f, or SQL on stdin) stop at the first error (ON_ERROR_STOP) and exit non-zero. " +
    "The embedded PostgreSQL 18 package ships no client: install one (Debian: apt-get install postgresql-client), any psql 9.x or later connects.",
  options: {
    root: { type: "boolean", help: "connect as the superuser (embedded, or ROOT_DATABASE_URL) instead of the owner role" },
  },
  passthrough: "PSQL_OPTIONS...",
  passUnknown: true,
  examples: [
    "npx warden psql",
    'npx warden psql -c "select count(*) from warden.audit_events"',
    'npx warden psql -v tenant="$TENANT" -f setup.sql',
  ],
  run: async (args) => {
    const bin = findPsql();
    if (!bin) {
      throw new Error(
        "psql not found on PATH (the embedded PostgreSQL ships no client tools): install the PostgreSQL client " +
          "(Debian/Ubuntu: apt-get install postgresql-client; macOS: brew install libpq) or set PSQL=/path/to/psql; " +
          "any other client connects with the URL `warden db-url` prints",
      );
    }
    const urls = await commandDatabase({ migrate: false });
    try {
      const url = new URL(args.booleans.has("root") ? rootOnWardenDb(urls) : urls.ownerUrl);
      const password = decodeURIComponent(url.password);
      url.password = "";
      const [client, server] = [psqlMajor(bin), await serverMajor(urls.ownerUrl)];
      if (client !== null && server !== null && client < server) {
        note(`psql ${client} on a PostgreSQL ${server} server: SQL works, a few backslash commands may not`);
      }
      // Scripts (-c, -f, or SQL on stdin) stop at the first error and exit
      // non-zero; a later -v ON_ERROR_STOP=0 of the caller still wins.
      const scripted = !process.stdin.isTTY || args.rest.some((a) => /^(-c|-f|--command|--file)(=|$)/.test(a));
      const psqlArgs = [`--dbname=${url.toString()}`, ...(scripted ? ["-v", "ON_ERROR_STOP=1"] : []), ...args.rest];
      const env: NodeJS.ProcessEnv = { ...process.env, PGAPPNAME: "warden-psql" };
      if (password) env.PGPASSWORD = password;
      // Ctrl-C belongs to psql (it cancels the query); this process waits.
      const ignore = () => undefined;
      process.on("SIGINT", ignore);
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(bin, psqlArgs, { stdio: "inherit", env });
        child.once("error", reject);
        child.once("exit", (c, signal) => resolve(c ?? (signal ? 128 + 2 : 1)));
      }).finally(() => process.off("SIGINT", ignore));
      if (code !== 0) throw new CommandExit(code);
    } finally {
      if (urls.embedded?.startedHere) await urls.embedded.stop();
    }
  },
};
