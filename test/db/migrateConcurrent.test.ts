/**
 * Several Warden processes starting at once (API replicas, an API and a
 * worker, the two-process tests) all migrate the same database: they must
 * wait for each other, never fail with graphile-migrate's "Failed to get
 * exclusive lock" (it only tries its own lock).
 */
import { migrateDatabase } from "../../src/db/migrate";
import { closePools, ownerPool, ownerUrl } from "../support/db";

afterAll(closePools);

test("concurrent migrations of one database all succeed, one after another", async () => {
  const results = await Promise.allSettled(Array.from({ length: 6 }, () => migrateDatabase(ownerUrl())));
  expect(results.map((r) => (r.status === "rejected" ? String(r.reason) : "ok"))).toEqual(Array(6).fill("ok"));
  // and the database is still fully migrated, the lock released
  const c = await ownerPool().connect();
  try {
    const { rows } = await c.query("select pg_try_advisory_lock(hashtext('warden.migrate')) as free");
    expect(rows[0].free).toBe(true);
    await c.query("select pg_advisory_unlock(hashtext('warden.migrate'))");
  } finally {
    c.release();
  }
});
