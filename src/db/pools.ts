/** pg pools with the error handlers a long-running process needs. */
import pg from "pg";

export function makePool(connectionString: string, max: number, name: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: name } as pg.PoolConfig);
  // An idle client losing its connection must not crash the process.
  pool.on("error", (err) => console.error(`[${name}] idle client error: ${err.message}`));
  pool.on("connect", (client) => {
    client.on("error", (err) => console.error(`[${name}] client error: ${err.message}`));
  });
  return pool;
}
