/** One dispatch pass (warden_private.notify_dispatch): matches committed events to subscriptions and queues deliveries. */
import type pg from "pg";
import { notifyMatched } from "./metrics";

/** staleLockSeconds: delivery jobs locked longer than this belong to a dead worker and are freed. */
export async function dispatchOnce(db: pg.ClientBase | pg.Pool, staleLockSeconds = 300): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    "select coalesce(sum(matched), 0)::text as n from warden_private.notify_dispatch(1000000, make_interval(secs => $1))",
    [staleLockSeconds],
  );
  const n = Number(rows[0].n);
  if (n) notifyMatched.inc(n);
  return n;
}
