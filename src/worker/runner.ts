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
import { errorFields, getLogger } from "../observability/logger";

export interface WorkerOptions {
  pool: pg.Pool;
  concurrency: number;
  sealingKey: SealingKey;
}

/**
 * graphile-worker's own messages through the process logger (stderr, JSON).
 * Job outcomes are logged by logJobOutcomes below, so graphile-worker's
 * "Completed task" / "Failed task" lines are demoted to debug.
 */
const workerLog = () => getLogger().child({ component: "worker" });
const logger = new Logger((scope) => (level: unknown, message: string) => {
  const l = String(level);
  // the scope only (graphile-worker's meta may carry a job's payload or error details)
  const fields = { scope: { label: scope.label, worker_id: scope.workerId, task: scope.taskIdentifier, job_id: scope.jobId } };
  if (l === "debug" || /^(Completed|Failed) task/.test(message)) workerLog().debug(fields, message);
  else if (l === "error") workerLog().error(fields, message);
  else if (l === "warning") workerLog().warn(fields, message);
  else workerLog().info(fields, message);
});

/** The loops that finish a job every fraction of a second: their successes are logged at debug. */
const LOOP_TASKS = new Set(["seal_audit_events", "promote_capture", "notify_dispatch"]);

/** One line per job outcome: task, job id, attempt, duration and, on failure, the error (never the payload). */
function logJobOutcomes(runner: Runner): void {
  const started = new Map<string, number>();
  const base = (job: { id: string; task_identifier: string; attempts: number; max_attempts: number }) => {
    const t0 = started.get(job.id);
    started.delete(job.id);
    return {
      task: job.task_identifier,
      job_id: job.id,
      attempt: job.attempts,
      max_attempts: job.max_attempts,
      ...(t0 !== undefined ? { duration_ms: Date.now() - t0 } : {}),
    };
  };
  runner.events.on("job:start", ({ job }) => {
    started.set(job.id, Date.now());
  });
  runner.events.on("job:success", ({ job }) => {
    const fields = { ...base(job), outcome: "success" };
    if (LOOP_TASKS.has(job.task_identifier)) workerLog().debug(fields, "job succeeded");
    else workerLog().info(fields, "job succeeded");
  });
  runner.events.on("job:error", ({ job, error }) => {
    const final = job.attempts >= job.max_attempts;
    const fields = { ...base(job), outcome: final ? "failure" : "retry", err: errorFields(error) };
    if (final) workerLog().error(fields, "job failed permanently");
    else workerLog().warn(fields, "job failed; it will be retried");
  });
}

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
  logJobOutcomes(runner);
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
  getLogger(); // an invalid LOG_LEVEL stops the start here, with its message
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
      workerLog().error({ reason: why, restart_in_s: delay / 1000 }, "the worker stopped; restarting");
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
          workerLog().info("the worker is running again");
          watch(runner);
        },
        (err: unknown) => {
          workerLog().error({ err: errorFields(err), retry_in_s: delay / 1000 }, "could not restart the worker");
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
