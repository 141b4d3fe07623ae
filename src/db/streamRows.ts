/**
 * Runs one query and hands each row to `onRow` as it arrives, without
 * keeping the result: memory stays flat however many rows come back, and
 * Node works on early rows while PostgreSQL still produces later ones.
 *
 * Unlike a cursor (DECLARE ... FETCH), a query run to completion may use a
 * parallel plan, so PostgreSQL's share of the work spreads over its
 * workers. `onRow` runs synchronously between socket reads, so a slow
 * consumer slows the connection down (TCP backpressure) rather than
 * buffering rows. The client must not be used for anything else until the
 * promise settles.
 */
import pg from "pg";

export function streamRows<R>(
  client: pg.ClientBase,
  text: string,
  values: unknown[],
  onRow: (row: R) => void,
  /** rowMode "array": each row an array of its columns (no object per row keyed by column name). */
  options: { rowMode?: "array" } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    let count = 0;
    let failed: unknown = null;
    const query = new pg.Query({ text, values, ...(options.rowMode ? { rowMode: options.rowMode } : {}) });
    query.on("row", (row: R) => {
      if (failed) return;
      try {
        onRow(row);
        count++;
      } catch (err) {
        failed = err; // keep reading to the end of the result, then reject
      }
    });
    query.on("error", (err: Error) => reject(err));
    query.on("end", () => (failed ? reject(failed) : resolve(count)));
    client.query(query);
  });
}
