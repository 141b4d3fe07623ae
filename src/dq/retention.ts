/**
 * Retention of data-quality results, as a step of the retention run
 * (src/retention/run.ts): warden_private.dq_apply_retention drops whole
 * monthly partitions past every policy and deletes other expired results in
 * bounded batches, one transaction per call, until nothing is left.
 */
import type pg from "pg";

/** Results deleted (or, with dryRun, that would be). */
export async function purgeDqResults(client: pg.ClientBase, defaultDays: number, batchSize: number, dryRun: boolean): Promise<number> {
  let total = 0;
  for (;;) {
    await client.query("begin");
    let rows: { method: string; n: string }[];
    try {
      rows = (
        await client.query<{ method: string; n: string }>(
          "select method, rows_purged::text as n from warden_private.dq_apply_retention($1, $2, $3)",
          [defaultDays, batchSize, dryRun],
        )
      ).rows;
      await client.query(dryRun ? "rollback" : "commit");
    } catch (err) {
      await client.query("rollback").catch(() => undefined);
      throw err;
    }
    total += rows.reduce((n, r) => n + Number(r.n), 0);
    // Another batch only while some tenant filled one.
    if (dryRun || !rows.some((r) => r.method === "rows" && Number(r.n) >= batchSize)) return total;
  }
}
