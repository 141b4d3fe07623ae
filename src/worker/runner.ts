/**
 * graphile-worker in this process: the tasks in tasks/, the crontab in
 * src/worker/crontab.ts, the owner's pool. Starts the sealing loop at once.
 */
import type pg from "pg";
import { Logger, run, type Runner } from "graphile-worker";
import { makeTaskList } from "../../tasks";
import { SEAL_JOB_KEY } from "../../tasks/sealAuditEvents";
import type { SealingKey } from "../audit/sealingKey";
import { crontab } from "./crontab";
import { workerJobs } from "../metrics";

export interface WorkerOptions {
  pool: pg.Pool;
  concurrency: number;
  sealingKey: SealingKey;
}

/**
 * Worker logs go to stderr, so `--json` output on stdout stays parseable.
 * Routine successes (the sealer finishes a job every second) are not logged;
 * failures always are, and job counts are in /metrics.
 */
const logger = new Logger(() => (level: unknown, message: string) => {
  const l = String(level);
  if (l === "debug" || (l === "info" && message.startsWith("Completed task"))) return;
  process.stderr.write(`[worker] ${l}: ${message}\n`);
});

export async function startWorker(opts: WorkerOptions): Promise<Runner> {
  const runner = await run({
    pgPool: opts.pool,
    taskList: makeTaskList({ sealingKey: opts.sealingKey }),
    crontab,
    concurrency: opts.concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    logger,
  });
  runner.events.on("job:success", ({ job }) => workerJobs.inc({ task: job.task_identifier, result: "success" }));
  runner.events.on("job:failed", ({ job }) => workerJobs.inc({ task: job.task_identifier, result: "failure" }));
  await runner.addJob("seal_audit_events", {}, { jobKey: SEAL_JOB_KEY, jobKeyMode: "preserve_run_at" });
  return runner;
}
