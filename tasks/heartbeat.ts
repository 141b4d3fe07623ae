/**
 * heartbeat: records that the worker is alive (warden_private.worker_heartbeats).
 * Runs every minute from the crontab; also the smallest end-to-end proof that
 * a job enqueued from SQL runs.
 */
import type { Task } from "graphile-worker";

export const heartbeat: Task = async (payload, helpers) => {
  await helpers.query(
    `insert into warden_private.worker_heartbeats (task, runs, last_run_at, last_payload)
     values ('heartbeat', 1, now(), $1)
     on conflict (task) do update
       set runs = worker_heartbeats.runs + 1, last_run_at = now(), last_payload = excluded.last_payload`,
    [JSON.stringify(payload ?? {})],
  );
};
