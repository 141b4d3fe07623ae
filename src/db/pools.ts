/** pg pools with the error handlers a long-running process needs. */
import pg from "pg";
import { errorFields, logger } from "../observability/logger";

/**
 * A lost connection is reported by its client and again by the pool, and a
 * database restart or shutdown drops every connection at once: one line per
 * pool and message every few seconds says it all.
 */
function errorLogger(name: string, ending: () => boolean, windowMs = 5000): (err: Error) => void {
  const lastLogged = new Map<string, number>();
  return (err) => {
    // After pool.end() its clients are closing anyway: a server stopping under them is expected.
    if (ending()) return;
    const now = Date.now();
    const last = lastLogged.get(err.message);
    if (last !== undefined && now - last < windowMs) return;
    lastLogged.set(err.message, now);
    if (lastLogged.size > 100) lastLogged.delete(lastLogged.keys().next().value!);
    logger("db").error({ pool: name, err: errorFields(err) }, "connection error");
  };
}

/**
 * A pool; `settings` become session settings of its connections (names
 * and values of letters, digits, dots and underscores only).
 */
export function makePool(connectionString: string, max: number, name: string, settings: Record<string, string> = {}): pg.Pool {
  const options = Object.entries(settings).map(([k, v]) => {
    if (!/^[A-Za-z0-9_.]+$/.test(k) || !/^[A-Za-z0-9_.]+$/.test(v)) throw new Error(`session setting ${k}=${v} is not a plain name and value`);
    return `-c ${k}=${v}`;
  });
  const pool = new pg.Pool({ connectionString, max, application_name: name, ...(options.length ? { options: options.join(" ") } : {}) } as pg.PoolConfig);
  const log = errorLogger(name, () => pool.ending);
  // An idle client losing its connection must not crash the process.
  pool.on("error", log);
  pool.on("connect", (client) => {
    client.on("error", log);
  });
  return pool;
}
