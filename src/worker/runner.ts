/**
 * graphile-worker in this process: the tasks in tasks/, the crontab in
 * src/worker/crontab.ts, the owner's pool. Starts the sealing loop at once,
 * and starts the worker again if it dies (see startWorker).
 */
import type pg from "pg";
import { Logger, run, type Runner } from "graphile-worker";
import { makeTaskList } from "../../tasks";
import { SEAL_JOB_KEY } from "../../tasks/sealAuditEvents";
import type { SealingKey } from "../audit/sealingKey";
import { crontab } from "./crontab";
import { PROMOTE_JOB_KEY } from "../../tasks/promoteCapture";
import { NOTIFY_DISPATCH_JOB_KEY } from "../../tasks/notifyDispatch";
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

async function startRunner(opts: WorkerOptions): Promise<Runner> {
  const runner = await run({
    pgPool: opts.pool,
    taskList: makeTaskList({ sealingKey: opts.sealingKey }),
    crontab,
    concurrency: opts.concurrency,
    noHandleSignals: true,
    // promote_capture and seal_audit_events queue their next pass a moment ahead
    pollInterval: 250,
    logger,
    // Job outcomes recorded through graphile-worker's batcher: when the
    // database is gone, a failure to record one reaches its error handler
    // (the pool stops and startWorker starts it again) instead of becoming
    // an unhandled rejection that would end the process.
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
  });
  runner.events.on("job:success", ({ job }) => workerJobs.inc({ task: job.task_identifier, result: "success" }));
  runner.events.on("job:failed", ({ job }) => workerJobs.inc({ task: job.task_identifier, result: "failure" }));
  await runner.addJob("seal_audit_events", {}, { jobKey: SEAL_JOB_KEY, jobKeyMode: "preserve_run_at" });
  await runner.addJob("promote_capture", {}, { jobKey: PROMOTE_JOB_KEY, jobKeyMode: "preserve_run_at" });
  await runner.addJob("notify_dispatch", {}, { jobKey: NOTIFY_DISPATCH_JOB_KEY, jobKeyMode: "preserve_run_at" });
  return runner;
}

/** The worker as the process sees it: it keeps itself running until stopped. */
export interface WorkerHandle {
  stop(): Promise<void>;
}

const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 30_000;

/**
 * Starts graphile-worker and keeps it running. When the database goes away,
 * graphile-worker gives up on its pool (it cannot record job outcomes) and
 * its runner stops for good. Instead of a process that serves HTTP with no
 * worker (or, on some errors, one that dies), the stop is logged and a new
 * worker is started with backoff (1 s doubling to 30 s) until the database
 * answers; it adds the sealing job again, so sealing resumes even while a
 * job the old worker had locked waits for graphile-worker's lock timeout. The first start must succeed: a worker that cannot start at all
 * is a configuration error, reported to the caller.
 */
export async function startWorker(opts: WorkerOptions): Promise<WorkerHandle> {
  let stopped = false;
  let current: Runner | null = null;
  let timer: NodeJS.Timeout | null = null;
  let delay = RESTART_MIN_MS;

  // graphile-worker's run promise settles when the runner stops for any
  // reason: rejected on some fatal errors, resolved when its pool exits
  // (with an error or not). Unless we asked it to stop, start another.
  const watch = (runner: Runner) => {
    const ended = (why: string) => {
      if (current === runner) current = null;
      if (stopped) return;
      process.stderr.write(`[worker] error: the worker stopped (${why}); restarting in ${delay / 1000} s\n`);
      schedule();
    };
    runner.promise.then(
      () => ended("its pool exited"),
      (err: unknown) => ended((err as Error)?.message ?? String(err)),
    );
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      startRunner(opts).then(
        (runner) => {
          if (stopped) {
            void runner.stop().catch(() => undefined);
            return;
          }
          current = runner;
          delay = RESTART_MIN_MS;
          process.stderr.write("[worker] info: the worker is running again\n");
          watch(runner);
        },
        (err: unknown) => {
          process.stderr.write(`[worker] error: could not restart the worker (${(err as Error)?.message ?? err}); next try in ${delay / 1000} s\n`);
          schedule();
        },
      );
    }, delay);
    delay = Math.min(delay * 2, RESTART_MAX_MS);
  };

  current = await startRunner(opts);
  watch(current);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current?.stop();
    },
  };
}
