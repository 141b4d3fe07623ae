/**
 * graphile-worker in this process: the tasks in tasks/, the crontab in
 * src/worker/crontab.ts, the owner's pool. Starts the sealing loop at once.
 */
import type pg from "pg";
import { run, type Runner } from "graphile-worker";
import { makeTaskList } from "../../tasks";
import { SEAL_JOB_KEY } from "../../tasks/sealAuditEvents";
import type { SealingKey } from "../audit/sealingKey";
import { crontab } from "./crontab";

export interface WorkerOptions {
  pool: pg.Pool;
  concurrency: number;
  sealingKey: SealingKey;
}

export async function startWorker(opts: WorkerOptions): Promise<Runner> {
  const runner = await run({
    pgPool: opts.pool,
    taskList: makeTaskList({ sealingKey: opts.sealingKey }),
    crontab,
    concurrency: opts.concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
  });
  await runner.addJob("seal_audit_events", {}, { jobKey: SEAL_JOB_KEY, jobKeyMode: "preserve_run_at" });
  return runner;
}
