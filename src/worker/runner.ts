/**
 * graphile-worker in this process: the tasks in tasks/, the crontab in
 * src/worker/crontab.ts, the owner's pool.
 */
import type pg from "pg";
import { run, type Runner } from "graphile-worker";
import { taskList } from "../../tasks";
import { crontab } from "./crontab";

export interface WorkerOptions {
  pool: pg.Pool;
  concurrency: number;
}

export async function startWorker(opts: WorkerOptions): Promise<Runner> {
  return run({
    pgPool: opts.pool,
    taskList,
    crontab,
    concurrency: opts.concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
  });
}
