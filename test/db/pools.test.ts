/**
 * Pool error reporting: a lost connection reported by its client and again
 * by the pool, or a restart dropping every connection, is one log line per
 * pool and message, not one per connection; other messages still show.
 */
import { makePool } from "../../src/db/pools";
import { ownerUrl } from "../support/db";
import { configureLogging } from "../../src/observability/logger";

test("a burst of the same connection error logs once; a different one logs too", async () => {
  const pool = makePool(ownerUrl(), 2, "warden-test-pool-log");
  const lines: { pool: string; msg: string; err: { message: string } }[] = [];
  configureLogging({ level: "info", destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  try {
    // what pg-pool emits when idle clients lose their connections
    for (let i = 0; i < 20; i++) pool.emit("error", new Error("terminating connection due to administrator command"));
    pool.emit("error", new Error("Connection terminated unexpectedly"));
    expect(lines.map((l) => `[${l.pool}] ${l.msg}: ${l.err.message}`)).toEqual([
      "[warden-test-pool-log] connection error: terminating connection due to administrator command",
      "[warden-test-pool-log] connection error: Connection terminated unexpectedly",
    ]);
    // a client checked out of the pool shares the same report
    const client = await pool.connect();
    client.emit("error", new Error("Connection terminated unexpectedly"));
    client.release();
    expect(lines).toHaveLength(2);
  } finally {
    configureLogging();
    await pool.end();
  }
});
