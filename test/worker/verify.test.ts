/**
 * The worker's verify_audit_trail task (scheduled incremental verification):
 * registered on its schedule, verifies every chain, moves each tenant's
 * verified position, and exports its metrics.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runTaskListOnce } from "graphile-worker";
import { SEAL_JOB_KEY } from "../../tasks/sealAuditEvents";
import { onceTaskList } from "../support/onceTaskList";
import { crontab } from "../../src/worker/crontab";
import { verifyCrontabLine, verifyIntervalMinutes } from "../../tasks/verifyAuditTrail";
import { refreshVerifyMetrics } from "../../src/audit/verifyMetrics";
import { registry } from "../../src/metrics";
import { sealOnce } from "../../src/audit/sealer";
import { closePools, createTenant, ownerPool, testSealingKey } from "../support/db";

afterAll(closePools);

test("the schedule: every 10 minutes by default, WARDEN_VERIFY_INTERVAL_MINUTES otherwise, nonsense refused", () => {
  expect(crontab).toContain("*/10 * * * * verify_audit_trail ?id=verify_audit_trail&max=1");
  expect(verifyCrontabLine({ WARDEN_VERIFY_INTERVAL_MINUTES: "3" })).toBe("*/3 * * * * verify_audit_trail ?id=verify_audit_trail&max=1");
  expect(verifyCrontabLine({ WARDEN_VERIFY_INTERVAL_MINUTES: "60" })).toBe("0 * * * * verify_audit_trail ?id=verify_audit_trail&max=1");
  expect(verifyIntervalMinutes({})).toBe(10);
  for (const bad of ["0", "61", "1.5", "ten"]) expect(() => verifyIntervalMinutes({ WARDEN_VERIFY_INTERVAL_MINUTES: bad })).toThrow(/WARDEN_VERIFY_INTERVAL_MINUTES/);
});

test("verify_audit_trail verifies each chain from its last verified checkpoint and exports its metrics", async () => {
  const pool = ownerPool();
  const key = testSealingKey();
  const c = await pool.connect();
  try {
    const tenant = await createTenant(c);
    await c.query(
      `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id)
       select $1, 'worker.verify.event', 'test', 'x', 'system', 'system' from generate_series(1, 3)`,
      [tenant],
    );
    await sealOnce(c, key);
    const head = (await c.query("select last_seq::int as s from warden_private.seal_heads where tenant_key = $1", [tenant])).rows[0].s;
    await c.query("select warden_private.enqueue_job('verify_audit_trail', '{}', null, null)");
    await runTaskListOnce({ pgPool: pool }, onceTaskList({ sealingKey: key }), c);
    const pos = await c.query(
      "select verified_seq::int as s, extract(epoch from last_success_at)::float8 as at from warden_private.verify_positions where tenant_key = $1",
      [tenant],
    );
    expect(pos.rows).toHaveLength(1);
    expect(pos.rows[0].s).toBe(head);
    await refreshVerifyMetrics(pool);
    const text = await registry.metrics();
    expect(text).toContain(`warden_verify_last_success_timestamp_seconds{tenant="${tenant}"} ${pos.rows[0].at}`);
    expect(text).toMatch(/^warden_verify_failures_total \d+$/m);
  } finally {
    c.release();
  }
});

test("seal_audit_events anchors the checkpoints it signs to the anchor file", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-worker-anchors-"));
  const previous = process.env.WARDEN_ANCHOR_FILE;
  process.env.WARDEN_ANCHOR_FILE = path.join(dir, "anchors.jsonl");
  const pool = ownerPool();
  const c = await pool.connect();
  try {
    const tenant = await createTenant(c);
    await c.query(
      `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id)
       values ($1, 'worker.anchor.event', 'test', 'x', 'system', 'system')`,
      [tenant],
    );
    await c.query("select warden_private.enqueue_job('seal_audit_events', '{}', null, $1)", [SEAL_JOB_KEY]);
    await runTaskListOnce({ pgPool: pool }, onceTaskList({ sealingKey: testSealingKey() }), c);
    const lines = fs.readFileSync(process.env.WARDEN_ANCHOR_FILE, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const head = (await c.query("select last_seq::int as s from warden_private.seal_heads where tenant_key = $1", [tenant])).rows[0].s;
    expect(lines.filter((l) => l.tenant_key === tenant).pop()).toMatchObject({ format: "warden.anchor.v1", last_seq: head });
  } finally {
    c.release();
    if (previous === undefined) delete process.env.WARDEN_ANCHOR_FILE;
    else process.env.WARDEN_ANCHOR_FILE = previous;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
