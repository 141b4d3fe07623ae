/**
 * `warden retention [--dry-run] [--json]` run as a user would: a dry run
 * reports and changes nothing, a real run purges and signs, bad settings
 * exit 2.
 */
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { closePools, createTenant, ownerPool } from "../support/db";
import { runWarden, type CliResult } from "../support/cli";

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-cli-ret-"));

function warden(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return runWarden({ WARDEN_STATE_DIR: stateDir, AUDIT_RETENTION_DAYS: "2557", ...env }, ...args);
}

afterAll(async () => {
  await closePools();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

test("warden retention --dry-run --json reports, then warden retention --json purges", async () => {
  const pool = ownerPool();
  const c = await pool.connect();
  let tenant: string;
  try {
    tenant = await createTenant(c, "cli retention");
    await c.query("insert into warden_private.retention_policies (tenant_id, event_type_pattern, days) values ($1, 'cli.*', 5)", [tenant]);
    await c.query(
      `insert into warden.audit_events (tenant_id, occurred_at, event_type, category, action, actor_type, actor_id)
       select $1, now() - interval '6 days' - g * interval '1 minute', 'cli.thing.done', 'app', 'do', 'system', 'system'
       from generate_series(1, 12) g`,
      [tenant],
    );
  } finally {
    c.release();
  }
  const count = async () =>
    (await pool.query("select count(*)::int as n from warden.audit_events where tenant_id = $1 and event_type = 'cli.thing.done'", [tenant])).rows[0].n;

  const dry = await warden({}, "retention", "--dry-run", "--json");
  expect(dry).toMatchObject({ code: 0, stderr: "" });
  const d = JSON.parse(dry.stdout);
  expect(d).toMatchObject({ dry_run: true, default_days: 2557 });
  expect(d.results).toEqual(expect.arrayContaining([expect.objectContaining({ tenant_id: tenant, method: "rows", rows: 12 })]));
  expect(await count()).toBe(12);

  const real = await warden({}, "retention", "--json");
  expect(real.code).toBe(0);
  const r = JSON.parse(real.stdout);
  expect(r).toMatchObject({ dry_run: false, skipped: [] });
  expect(r.results).toEqual(expect.arrayContaining([{ tenant_id: tenant, partition: expect.any(String), method: "rows", rows: 12 }]));
  expect(r.prune_records_signed).toBeGreaterThanOrEqual(1);
  expect(await count()).toBe(0);

  const human = await warden({}, "retention", "--dry-run");
  expect(human.stdout).toMatch(/^would purge \d+ event\(s\)/);
});

test("bad retention settings and options exit 2 with one line", async () => {
  for (const [env, args] of [
    [{ AUDIT_RETENTION_DAYS: "0" }, ["retention", "--dry-run"]],
    [{ AUDIT_RETENTION_DAYS: "2558" }, ["retention"]],
    [{ AUDIT_RETENTION_DAYS: "ten" }, ["retention"]],
    [{}, ["retention", "--force"]],
    [{}, ["retention", "now"]],
  ] as [Record<string, string>, string[]][]) {
    const res = await warden(env, ...args);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
  }
});
