/**
 * Crashes in the middle of a promotion lose and duplicate nothing:
 *  - kill -9 of PostgreSQL itself (the postmaster and every backend, as a
 *    power cut would) while a pass promotes a large backlog, on a server of
 *    this test's own (PostgreSQL 15's binaries when the suite runs on the
 *    system PostgreSQL, the embedded 18 otherwise), restarted on the same
 *    data directory;
 *  - kill -9 of `warden worker` while its sealing pass promotes, on the test
 *    database, then a new worker.
 * Either way every committed change becomes exactly one event.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { startEmbedded, type EmbeddedServer } from "../../src/db/embedded";
import { ensureRolesAndDatabase } from "../../src/db/roles";
import { applyCurrentMigration, resetDatabase } from "../../src/db/migrate";
import { installSuperuserObjects } from "../../src/db/superuser";
import { withDatabase, withUser } from "../../src/db/urls";
import { ROLE_OWNER } from "../../src/config";
import { closePools, ownerPool, ownerUrl } from "../support/db";
import { WARDEN_BIN } from "../support/cli";
import { freePort } from "../support/freePort";
import { spawn } from "node:child_process";

jest.setTimeout(240_000);

afterAll(closePools);

const PG15_BIN = "/usr/lib/postgresql/15/bin";

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** Writes a backlog into a fresh audited table: one big statement and many small transactions. */
async function backlog(url: string, table: string, bulk: number, small: number): Promise<void> {
  const [schema] = table.split(".");
  await query(url, `create schema ${schema}; create table ${table} (id int primary key, v text, n int)`);
  await query(url, `select warden.enable_auditing('${table}')`);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`insert into ${table} select g, 'bulk', g from generate_series(1, ${bulk}) g`);
    await c.query(`update ${table} set v = 'changed', n = n + 1 where id <= ${Math.floor(bulk / 2)}`);
    for (let i = 0; i < small; i++) await c.query(`insert into ${table} values ($1, 'small', $1)`, [bulk + 1 + i]);
  } finally {
    await c.end();
  }
}

const expected = (bulk: number, small: number) => bulk + Math.floor(bulk / 2) + small;

/**
 * SIGKILL to the postmaster and every process it started, at once (its
 * children run in sessions of their own, so a process-group kill would
 * reach the postmaster alone).
 */
function killServer(postmaster: number): void {
  const children = fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  for (const pid of [postmaster, ...children]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}

test("kill -9 of PostgreSQL in the middle of a promotion: after recovery every change is promoted exactly once", async () => {
  const binDir = process.env.WARDEN_TEST_KIND === "system" && fs.existsSync(path.join(PG15_BIN, "postgres")) ? PG15_BIN : undefined;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "warden-crash-"));
  fs.chmodSync(base, 0o755);
  const dataDir = path.join(base, "pgdata");
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const ownerPassword = randomBytes(12).toString("hex");
  let server: EmbeddedServer = await startEmbedded({ dataDir, port, password, persistent: true, binDir });
  try {
    await ensureRolesAndDatabase(server.rootUrl, { database: "warden_crash", ownerPassword });
    const owner = withUser(withDatabase(server.rootUrl, "warden_crash"), ROLE_OWNER, ownerPassword);
    await resetDatabase(owner, server.rootUrl);
    await applyCurrentMigration(owner, server.rootUrl);
    await installSuperuserObjects(server.rootUrl, owner);
    const version = (await query<{ v: string }>(owner, "select current_setting('server_version') as v"))[0].v;
    expect(version).toMatch(binDir ? /^15\./ : /^1[5-9]\./);

    const table = "crash.items";
    await backlog(owner, table, 150_000, 200);
    // the promotion, in its own session, then the crash while it runs
    const promoter = new pg.Client({ connectionString: owner });
    await promoter.connect();
    promoter.on("error", () => undefined);
    const pid = (await promoter.query("select pg_backend_pid() as p")).rows[0].p;
    const running = promoter.query("select * from warden_private.capture_promote()").then(
      () => "committed",
      () => "killed",
    );
    await waitFor("the promotion to be inserting", 30_000, async () => {
      const rows = await query<{ n: number }>(server.rootUrl.replace(/\/postgres$/, "/warden_crash"),
        "select count(*)::int as n from pg_stat_activity where pid = $1 and state = 'active' and query like '%capture_promote%'", [pid]);
      return rows[0].n === 1;
    });
    await new Promise((r) => setTimeout(r, 300));
    killServer(server.pid!);
    expect(await running).toBe("killed");
    await waitFor("the old server's processes to be gone", 30_000, async () => {
      try {
        process.kill(server.pid!, 0);
        return false;
      } catch {
        return true;
      }
    });
    server = await startEmbedded({ dataDir, port, password, persistent: true, binDir });
    const stored = async () =>
      (await query<{ n: number; d: number }>(owner, "select count(*)::int as n, count(distinct (row_pk, action))::int as d from warden.audit_events where table_name = $1", [table]))[0];
    // the crashed pass left nothing behind
    expect((await stored()).n).toBe(0);
    await query(owner, "select warden.flush_capture()");
    await query(owner, "select warden.flush_capture()");
    expect(await stored()).toEqual({ n: expected(150_000, 200), d: expected(150_000, 200) });
    // the promoted records leave the log as their slot is emptied, a pass or two later
    await query(owner, "select warden.flush_capture()");
    await query(owner, "select warden.flush_capture()");
    const log = await query<{ n: number }>(owner,
      "select (select count(*) from warden_private.capture_statements_0) + (select count(*) from warden_private.capture_statements_1) as n");
    expect(Number(log[0].n)).toBe(0);
    expect(await stored()).toEqual({ n: expected(150_000, 200), d: expected(150_000, 200) });
  } finally {
    await server.stop();
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test("kill -9 of the worker in the middle of a promotion: a new worker promotes every change exactly once", async () => {
  const table = `crashw_${randomUUID().slice(0, 8)}.items`;
  await ownerPool().query("select warden.flush_capture()");
  await backlog(ownerUrl(), table, 150_000, 200);
  const env = { ...process.env, DATABASE_URL: ownerUrl(), WORKER_CONCURRENCY: "2" };
  const start = () => {
    const child = spawn(process.execPath, [WARDEN_BIN, "worker", "--json"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    return { child, stderr: () => err };
  };
  const first = start();
  const firstExit = new Promise((r) => first.child.once("exit", r));
  try {
    // its promotion loop (or its sealing pass) starts promoting the backlog
    await waitFor("the worker's promotion", 60_000, async () => {
      const { rows } = await ownerPool().query(
        `select count(*)::int as n from pg_stat_activity
         where state = 'active' and (query like '%capture_promote%' or query like '%capture_round_part%') and pid <> pg_backend_pid()`,
      );
      return rows[0].n > 0;
    });
    await new Promise((r) => setTimeout(r, 200));
  } catch (err) {
    throw new Error(`${(err as Error).message}; the worker's stderr:\n${first.stderr().slice(-4000)}`);
  } finally {
    // never left running for the test files after this one, whatever happened
    first.child.kill("SIGKILL");
    await firstExit;
  }
  const count = async () =>
    (
      await ownerPool().query<{ n: number; d: number }>(
        "select count(*)::int as n, count(distinct (row_pk, action))::int as d from warden.audit_events where table_name = $1",
        [table],
      )
    ).rows[0];
  // What the killed worker was doing either commits whole (a part of a round
  // runs as one statement, committed before its answer is sent) or rolls
  // back (the sealing pass's transaction): never half, never twice.
  const afterKill = await count();
  expect(afterKill.n).toBe(afterKill.d);
  const second = start();
  try {
    const done = await waitFor("the new worker to promote the backlog", 120_000, async () => {
      const c = await count();
      return c.n >= expected(150_000, 200) ? c : null;
    });
    expect(done).toEqual({ n: expected(150_000, 200), d: expected(150_000, 200) });
    // more passes add nothing
    await new Promise((r) => setTimeout(r, 2500));
    expect(await count()).toEqual({ n: expected(150_000, 200), d: expected(150_000, 200) });
    // and the promoted events are sealed
    await waitFor("sealing", 60_000, async () => {
      const { rows } = await ownerPool().query(
        "select count(*)::int as n from warden.audit_events e where e.table_name = $1 and e.txid >= (select watermark from warden_private.seal_state)",
        [table],
      );
      return rows[0].n === 0;
    });
  } finally {
    second.child.kill("SIGTERM");
    await new Promise((r) => second.child.once("exit", r));
  }
  expect(second.stderr()).not.toMatch(/error/i);
});
