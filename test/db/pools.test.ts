/**
 * Pool error reporting: a lost connection reported by its client and again
 * by the pool, or a restart dropping every connection, is one log line per
 * pool and message, not one per connection; other messages still show.
 */
import { makePool } from "../../src/db/pools";
import { ownerUrl } from "../support/db";

test("a burst of the same connection error logs once; a different one logs too", async () => {
  const pool = makePool(ownerUrl(), 2, "warden-test-pool-log");
  const logged = jest.spyOn(console, "error").mockImplementation(() => undefined);
  try {
    // what pg-pool emits when idle clients lose their connections
    for (let i = 0; i < 20; i++) pool.emit("error", new Error("terminating connection due to administrator command"));
    pool.emit("error", new Error("Connection terminated unexpectedly"));
    expect(logged.mock.calls.map((args) => String(args[0]))).toEqual([
      "[warden-test-pool-log] connection error: terminating connection due to administrator command",
      "[warden-test-pool-log] connection error: Connection terminated unexpectedly",
    ]);
    // a client checked out of the pool shares the same report
    const client = await pool.connect();
    client.emit("error", new Error("Connection terminated unexpectedly"));
    client.release();
    expect(logged).toHaveBeenCalledTimes(2);
  } finally {
    logged.mockRestore();
    await pool.end();
  }
});
