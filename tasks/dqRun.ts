/**
 * dq_run: executes one queued data-quality run (payload {"run_id": ...},
 * queued by warden.dq_request_run or the dq_schedule task), each check with
 * its rule's statement timeout (src/dq/runner.ts). A run that is no longer
 * queued (already run, abandoned) is skipped.
 */
import type { Task } from "graphile-worker";
import type pg from "pg";
import { executeQueuedRun } from "../src/dq/runner";

export const dqRun: Task = async (payload, helpers) => {
  const runId = (payload as { run_id?: unknown } | null)?.run_id;
  if (typeof runId !== "string") {
    // the payload itself is never echoed into the logs
    helpers.logger.error("dq_run: the payload has no string run_id; job dropped");
    return;
  }
  try {
    const report = await helpers.withPgClient((client) => executeQueuedRun(client as unknown as pg.ClientBase, runId));
    helpers.logger.info(
      `dq_run ${runId}: ${report.run.rules_passed} passed, ${report.run.rules_failed} failed, ${report.run.rules_errored} errored`,
    );
  } catch (err) {
    if ((err as { code?: string }).code === "55000") {
      helpers.logger.info(`dq_run ${runId}: not queued any more, skipped`);
      return;
    }
    throw err;
  }
};

/** dq_ensure_partitions (daily): the monthly partitions of warden.dq_results, 3 months ahead. */
export const dqEnsurePartitions: Task = async (_payload, helpers) => {
  await helpers.query("select warden.dq_ensure_partitions(3)");
};
