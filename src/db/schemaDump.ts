/**
 * schema.sql: the whole database schema as the migrations (plus a non-empty
 * current.sql in development) leave it, in one file, so DBAs and reviewers
 * read every function's current definition in one place (as graphile/starter
 * does with its dump-db.js).
 *
 *   npm run schema:dump    regenerates schema.sql
 *   npm run schema:check   fails (exit 1) when schema.sql differs from what the migrations produce
 *   graphile-migrate       .gmrc's afterAllMigrations hook ("hook") dumps the shadow
 *                          database after `graphile-migrate commit` / `reset --shadow`
 *
 * dump and check migrate a scratch database (WARDEN_SCHEMA_DATABASE, default
 * warden_schema) on the server of ROOT_DATABASE_URL (default the local
 * PostgreSQL as postgres), dump it (the database stays, reset on each run). The dump is pg_dump
 * --schema-only without owners (the superuser's name differs between
 * machines) but with grants (Warden's role names are fixed), without
 * graphile-migrate's and graphile-worker's own schemas, without the monthly
 * partitions whose names depend on the date, and without pg_dump's version
 * and \restrict lines: the same migrations give the same file on any machine.
 *
 * It is generated with PostgreSQL 15: pg_dump refuses a server newer than
 * itself, and the embedded PostgreSQL 18 ships no client tools. Against a
 * newer server every mode says so and exits 0 (a hook must not fail
 * migrations); the PostgreSQL 15 run checks the file.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { PROJECT_ROOT, ROLE_OWNER } from "../config";
import { applyCurrentMigration, resetDatabase } from "./migrate";
import { ensureRolesAndDatabase } from "./roles";
import { withDatabase, withUser } from "./urls";

const run = promisify(execFile);

/** The committed file (WARDEN_SCHEMA_FILE overrides, for tests). */
export const SCHEMA_FILE = process.env.WARDEN_SCHEMA_FILE || path.join(PROJECT_ROOT, "schema.sql");

/** Objects left out of the dump: other tools' schemas, and tables named after a month. */
export const PG_DUMP_ARGS = [
  "--schema-only",
  "--no-owner",
  "--exclude-schema=graphile_migrate",
  "--exclude-schema=graphile_worker",
  // monthly partitions (warden_private.audit_events_p202612, ..._default stays)
  "--exclude-table=*.*_p[0-9][0-9][0-9][0-9][0-9][0-9]",
];

/** Lines that differ between machines or runs and say nothing about the schema. */
export function normalizeDump(text: string): string {
  const lines = text
    .split("\n")
    .filter((l) => !/^\\(un)?restrict /.test(l))
    .filter((l) => !/^-- Dumped (from database|by pg_dump) version /.test(l));
  const header = [
    "-- Warden's database schema, as the migrations leave it (generated: npm run schema:dump; do not edit).",
    "-- Checked by npm run schema:check in the test suite. See docs/operations.md.",
    "",
  ];
  return (header.join("\n") + lines.join("\n")).replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}

/** The major version of the pg_dump on PATH (WARDEN_PG_DUMP overrides). */
export async function pgDumpMajor(pgDump = process.env.WARDEN_PG_DUMP || "pg_dump"): Promise<number | null> {
  try {
    const { stdout } = await run(pgDump, ["--version"]);
    const m = /(\d+)(\.\d+)?/.exec(stdout);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export async function serverMajor(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query("select current_setting('server_version_num')::int / 10000 as major");
    return rows[0].major;
  } finally {
    await c.end();
  }
}

/** Null when pg_dump can dump this server; otherwise why not, in words. */
export async function cannotDump(url: string): Promise<string | null> {
  const client = await pgDumpMajor();
  if (client === null) return "pg_dump is not installed (Debian: apt-get install postgresql-client-15); schema.sql not written";
  const server = await serverMajor(url);
  if (server > client) {
    return `pg_dump ${client} cannot dump a PostgreSQL ${server} server (the embedded PostgreSQL ships no client tools): schema.sql is generated against PostgreSQL 15 (npm run schema:dump with the local PostgreSQL 15); skipped`;
  }
  return null;
}

/** pg_dump of one database, normalised. */
export async function dumpSchema(url: string): Promise<string> {
  const { stdout } = await run(process.env.WARDEN_PG_DUMP || "pg_dump", [...PG_DUMP_ARGS, url], { maxBuffer: 256 * 1024 * 1024 });
  return normalizeDump(stdout);
}

/**
 * Migrates a scratch database from nothing (committed migrations, then a
 * non-empty current.sql) and dumps it. The database stays (reset on the
 * next run): graphile-migrate keeps a pool open a moment after migrating,
 * and dropping the database under it would end this process.
 */
export async function dumpFromMigrations(rootUrl: string, database = process.env.WARDEN_SCHEMA_DATABASE || "warden_schema"): Promise<string> {
  await ensureRolesAndDatabase(rootUrl, { database });
  const ownerUrl = withUser(withDatabase(rootUrl, database), ROLE_OWNER);
  await resetDatabase(ownerUrl, rootUrl);
  await applyCurrentMigration(ownerUrl, rootUrl);
  return dumpSchema(ownerUrl);
}

/** The first lines where two dumps differ, for a readable failure. */
export function firstDifference(expected: string, actual: string, context = 3): string {
  const a = expected.split("\n");
  const b = actual.split("\n");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - context);
  return [
    `first difference at line ${i + 1}:`,
    "--- schema.sql (committed)",
    ...a.slice(from, i + context).map((l, k) => `${from + k === i ? "-" : " "} ${l}`),
    "+++ from the migrations",
    ...b.slice(from, i + context).map((l, k) => `${from + k === i ? "+" : " "} ${l}`),
  ].join("\n");
}

const DEFAULT_ROOT = "postgres://postgres@127.0.0.1:5432/postgres";

async function main(mode: string | undefined): Promise<number> {
  if (mode === "hook") {
    // graphile-migrate's afterAllMigrations: GM_DBURL is the database just migrated (the shadow one)
    const url = process.env.GM_DBURL;
    if (!url) {
      console.error("schema dump hook: GM_DBURL is unset (run by graphile-migrate)");
      return 1;
    }
    const why = await cannotDump(url);
    if (why) {
      console.error(`schema dump hook: ${why}`);
      return 0;
    }
    fs.writeFileSync(SCHEMA_FILE, await dumpSchema(url));
    console.error(`schema dump hook: wrote ${path.relative(process.cwd(), SCHEMA_FILE) || SCHEMA_FILE}`);
    return 0;
  }
  if (mode !== "dump" && mode !== "check") {
    console.error("usage: node dist/src/db/schemaDump.js dump|check|hook   (npm run schema:dump, npm run schema:check)");
    return 2;
  }
  const rootUrl = process.env.ROOT_DATABASE_URL || DEFAULT_ROOT;
  const why = await cannotDump(rootUrl);
  if (why) {
    console.error(`schema ${mode}: ${why}`);
    return 0;
  }
  const dumped = await dumpFromMigrations(rootUrl);
  if (mode === "dump") {
    fs.writeFileSync(SCHEMA_FILE, dumped);
    console.error(`schema dump: wrote ${SCHEMA_FILE}`);
    return 0;
  }
  const committed = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, "utf8") : "";
  if (committed === dumped) {
    console.error("schema check: schema.sql matches the migrations");
    return 0;
  }
  console.error(`schema check: schema.sql differs from what the migrations produce; run npm run schema:dump and commit it\n${firstDifference(committed, dumped)}`);
  return 1;
}

if (require.main === module) {
  main(process.argv[2]).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`schema ${process.argv[2] ?? ""}: ${(err as Error)?.message ?? err}`);
      process.exit(1);
    },
  );
}
