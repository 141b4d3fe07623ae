/** What delivery needs from the database: queries, and a client for a transaction (a pool or a worker's helpers). */
import type pg from "pg";

export interface Db {
  query<R extends pg.QueryResultRow = any>(text: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>>;
  withClient<T>(fn: (c: pg.ClientBase) => Promise<T>): Promise<T>;
}

export function poolDb(pool: pg.Pool): Db {
  return {
    query: (text, values) => pool.query(text as string, values),
    withClient: async (fn) => {
      const c = await pool.connect();
      try {
        return await fn(c);
      } finally {
        c.release();
      }
    },
  };
}

export function helpersDb(helpers: { withPgClient<T>(fn: (c: any) => Promise<T>): Promise<T> }): Db {
  return {
    query: (text, values) => helpers.withPgClient((c: pg.ClientBase) => c.query(text as string, values)),
    withClient: (fn) => helpers.withPgClient(fn),
  };
}

/** Runs fn in a transaction on one client. */
export async function inTransaction<T>(db: Db, fn: (c: pg.ClientBase) => Promise<T>): Promise<T> {
  return db.withClient(async (c) => {
    await c.query("begin");
    try {
      const r = await fn(c);
      await c.query("commit");
      return r;
    } catch (err) {
      await c.query("rollback").catch(() => undefined);
      throw err;
    }
  });
}
