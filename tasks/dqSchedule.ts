/**
 * dq_schedule (every minute): queues a dq_run job for the data-quality
 * rules whose cron schedule came due (src/dq/schedule.ts), and marks runs
 * nobody executed for a day as abandoned.
 */
import type { Task } from "graphile-worker";
import type pg from "pg";
import { queueDueRuns } from "../src/dq/schedule";

export const dqSchedule: Task = async (_payload, helpers) => {
  const report = await helpers.withPgClient(async (client) => {
    const c = client as unknown as pg.ClientBase;
    await c.query("begin");
    try {
      const out = await queueDueRuns(c);
      await c.query("commit");
      return out;
    } catch (err) {
      await c.query("rollback").catch(() => undefined);
      throw err;
    }
  });
  if (report.queued.length) helpers.logger.info(`dq_schedule: queued ${report.queued.length} run(s)`);
  if (report.unreadable.length) helpers.logger.error(`dq_schedule: unreadable schedule on rule(s) ${report.unreadable.join(", ")}`);
};
