/** graphile-worker: a job enqueued from SQL runs the task in tasks/. */
import { runTaskListOnce } from "graphile-worker";
import { onceTaskList } from "../support/onceTaskList";

import { closePools, ownerPool, rolledBack, testSealingKey } from "../support/db";

const taskList = onceTaskList({ sealingKey: testSealingKey() });

afterAll(closePools);

test("a job enqueued from SQL through warden_private.enqueue_job runs", async () => {
  await rolledBack(async (c) => {
    await c.query("delete from warden_private.worker_heartbeats");
    await c.query(`select warden_private.enqueue_job('heartbeat', '{"from": "sql"}')`);
    const queued = await c.query("select count(*)::int as n from graphile_worker.jobs where task_identifier = 'heartbeat'");
    expect(queued.rows[0].n).toBeGreaterThanOrEqual(1);
    await runTaskListOnce({ pgPool: ownerPool() }, taskList, c);
    const { rows } = await c.query("select runs::int as runs, last_payload from warden_private.worker_heartbeats where task = 'heartbeat'");
    expect(rows).toEqual([{ runs: 1, last_payload: { from: "sql" } }]);
    const left = await c.query("select count(*)::int as n from graphile_worker.jobs where task_identifier = 'heartbeat'");
    expect(left.rows[0].n).toBe(queued.rows[0].n - 1);
  });
});

test("API requests cannot enqueue jobs directly", async () => {
  await rolledBack(async (c) => {
    const { rows } = await c.query(
      `select has_function_privilege('warden_visitor', 'warden_private.enqueue_job(text, jsonb, timestamptz, text)', 'execute') as can,
              has_schema_privilege('warden_visitor', 'graphile_worker', 'usage') as schema`,
    );
    expect(rows[0]).toEqual({ can: false, schema: false });
  });
});

test("prune_idempotency_keys forgets keys older than a day and keeps fresh ones", async () => {
  await rolledBack(async (c) => {
    await c.query(
      `insert into warden_private.idempotency_keys (tenant_id, idempotency_key, request_hash, event_ids, created_at)
       values (gen_random_uuid(), 'old', '\\x00', '{}', now() - interval '25 hours'), (gen_random_uuid(), 'new', '\\x00', '{}', now())`,
    );
    await c.query("select warden_private.enqueue_job('prune_idempotency_keys')");
    await runTaskListOnce({ pgPool: ownerPool() }, taskList, c);
    const { rows } = await c.query("select idempotency_key from warden_private.idempotency_keys where idempotency_key in ('old', 'new')");
    expect(rows).toEqual([{ idempotency_key: "new" }]);
  });
});
