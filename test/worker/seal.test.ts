/** The worker's sealing task: seals what is new and schedules its next pass. */
import { runTaskListOnce } from "graphile-worker";
import { onceTaskList } from "../support/onceTaskList";
import { SEAL_JOB_KEY } from "../../tasks/sealAuditEvents";
import { closePools, ownerPool, testSealingKey } from "../support/db";

afterAll(closePools);

test("seal_audit_events seals committed events and re-enqueues itself under one job key", async () => {
  const pool = ownerPool();
  await pool.query(
    `insert into warden.audit_events (event_type, category, action, actor_type, actor_id) values ('worker.test.event', 'test', 'x', 'system', 'system')`,
  );
  const key = testSealingKey();
  const c = await pool.connect();
  try {
    await c.query("select warden_private.enqueue_job('seal_audit_events', '{}', null, $1)", [SEAL_JOB_KEY]);
    const before: Date = (await c.query("select clock_timestamp() as t")).rows[0].t;
    await runTaskListOnce({ pgPool: pool }, onceTaskList({ sealingKey: key }), c);
    const sealed = await c.query(
      `select count(*)::int as n from warden_private.seal_blocks b, unnest(b.event_ids) u(id)
       join warden.audit_events e on e.event_id = u.id where e.event_type = 'worker.test.event'`,
    );
    expect(sealed.rows[0].n).toBe(1);
    // The next pass waits its interval (1 s) after this one: measured from
    // before the pass, not from now, which a loaded machine may reach later.
    const next = await c.query(
      "select count(*)::int as n, min(run_at) >= $2::timestamptz + interval '900 milliseconds' as later from graphile_worker.jobs where key = $1",
      [SEAL_JOB_KEY, before],
    );
    expect(next.rows[0]).toEqual({ n: 1, later: true });
  } finally {
    c.release();
  }
});
