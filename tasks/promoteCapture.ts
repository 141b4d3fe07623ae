/**
 * promote_capture: moves trigger-captured changes from the capture log into
 * warden.audit_events. One job runs passes in a loop for
 * WARDEN_PROMOTE_LOOP_MS (2 s): a pass, then the next one
 * WARDEN_PROMOTE_INTERVAL_MS (100 ms) after the previous one started (at
 * once when a pass took longer), so a committed change waits at most about
 * one interval plus one pass for promotion. Then the job queues its
 * successor under the same job key, due one interval later, so graphile-worker's
 * bookkeeping (taking, completing and queueing a job, each a commit) costs
 * once per loop, not once per pass. Once a second of passes has promoted
 * nothing, passes come every WARDEN_PROMOTE_IDLE_INTERVAL_MS (500 ms)
 * until one promotes again. A graceful shutdown (the job's abort
 * signal) ends the loop after the pass under way. The crontab revives the
 * job should it ever be lost.
 *
 * A small backlog is promoted in one pass (warden_private.capture_promote).
 * A large one (WARDEN_PROMOTE_ROUND_MIN, 20,000 events) is promoted in a
 * round of WARDEN_PROMOTE_PARTS parts (default 2) that run at once, each on
 * its own connection and in its own transaction: promotion then uses as
 * many cores as it has parts. A part claims itself in the transaction that
 * promotes it, so whoever runs it (this task, a crashed predecessor's
 * successor, the sealing pass) promotes it once. A pass that finds another
 * promotion running skips.
 */
import type { Task } from "graphile-worker";
import { boundedNumberFromEnv } from "../src/config";

export const PROMOTE_JOB_KEY = "warden:promote_capture";

export interface PromoteOptions {
  /** From the start of one pass to the start of the next (ms). */
  intervalMs?: number;
  /** The same once a second of passes (at least ten) has promoted nothing, until one does (ms). */
  idleIntervalMs?: number;
  /** How long one job keeps running passes before it queues its successor (ms; 0: one pass per job). */
  loopMs?: number;
  /** Parts of a round (1: always one pass). */
  parts?: number;
  /** Backlog (events) from which a round is used instead of one pass. */
  roundMinEvents?: number;
}

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  return boundedNumberFromEnv(process.env, name, fallback, min, max);
}

export function promoteOptionsFromEnv(): PromoteOptions {
  return {
    parts: intFromEnv("WARDEN_PROMOTE_PARTS", 2, 1, 64),
    roundMinEvents: intFromEnv("WARDEN_PROMOTE_ROUND_MIN", 20_000, 1, 1_000_000_000),
    intervalMs: intFromEnv("WARDEN_PROMOTE_INTERVAL_MS", 100, 10, 60_000),
    idleIntervalMs: intFromEnv("WARDEN_PROMOTE_IDLE_INTERVAL_MS", 500, 10, 60_000),
    loopMs: intFromEnv("WARDEN_PROMOTE_LOOP_MS", 2_000, 0, 600_000),
  };
}

/** What a pass needs: queries on one connection, and more connections for the parts of a round. */
export interface PromoteDb {
  query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  withClient<T>(fn: (client: { query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }> }) => Promise<T>): Promise<T>;
}

export interface PassResult {
  /** Events promoted (0 when another promotion held the lock). */
  promoted: number;
  /** The promotion watermark after the pass: every change of a transaction below it is in the store. */
  below: bigint;
}

/** One promotion pass, as the worker runs it. */
export async function promotePass(db: PromoteDb, opts: PromoteOptions = {}): Promise<PassResult> {
  const parts = opts.parts ?? 2;
  const roundMin = opts.roundMinEvents ?? 20_000;
  const backlog =
    parts > 1 ? Number((await db.query<{ n: string }>("select backlog_events::text as n from warden_private.capture_status()")).rows[0].n) : 0;
  if (parts > 1 && backlog >= roundMin) {
    const opened = await db.query<{ round_id: string; round_parts: number }>(
      "select round_id::text, round_parts from warden_private.capture_round_open($1)",
      [parts],
    );
    const round = opened.rows[0];
    if (!round) {
      const { rows } = await db.query<{ b: string }>("select promoted_below::text as b from warden_private.capture_state");
      return { promoted: 0, below: BigInt(rows[0].b) };
    }
    const done = await Promise.all(
      Array.from({ length: round.round_parts }, (_, part) =>
        db.withClient((client) =>
          client.query<{ n: string | null }>("select warden_private.capture_round_part($1::bigint, $2)::text as n", [round.round_id, part]),
        ),
      ),
    );
    const closed = await db.query<{ b: string }>("select promoted_below::text as b from warden_private.capture_round_close($1::bigint)", [round.round_id]);
    return { promoted: done.reduce((sum, r) => sum + Number(r.rows[0].n ?? 0), 0), below: BigInt(closed.rows[0].b) };
  }
  const { rows } = await db.query<{ n: string; b: string }>(
    "select p.promoted::text as n, p.promoted_below::text as b from warden_private.capture_promote(null, false, false) p",
  );
  return { promoted: Number(rows[0].n), below: BigInt(rows[0].b) };
}

/** Consecutive passes (across jobs of this process) that promoted nothing. */
let idlePasses = 0;

/** Resolves after ms, or at once when the signal aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Passes every intervalMs until loopMs has passed (at least one pass) or
 * the signal aborts; returns the events promoted.
 */
export async function promoteLoop(db: PromoteDb, opts: PromoteOptions = {}, signal?: AbortSignal, onPass?: (pass: PassResult) => void): Promise<number> {
  const intervalMs = opts.intervalMs ?? 100;
  const idleIntervalMs = Math.max(intervalMs, opts.idleIntervalMs ?? 500);
  const idleAfter = Math.max(10, Math.ceil(1000 / intervalMs));
  const loopMs = opts.loopMs ?? 2_000;
  const until = Date.now() + loopMs;
  let total = 0;
  for (;;) {
    const started = Date.now();
    const pass = await promotePass(db, opts);
    total += pass.promoted;
    onPass?.(pass);
    // An idle database is polled less often (each pass is a short
    // transaction with a commit); the first change after a quiet spell
    // waits at most idleIntervalMs more.
    idlePasses = pass.promoted > 0 ? 0 : idlePasses + 1;
    const interval = idlePasses >= idleAfter ? idleIntervalMs : intervalMs;
    if (signal?.aborted || Date.now() + interval >= until) return total;
    await pause(interval - (Date.now() - started), signal);
    if (signal?.aborted) return total;
  }
}

export function makePromoteTask(opts: PromoteOptions = {}): Task {
  const intervalMs = opts.intervalMs ?? 100;
  return async (_payload, helpers) => {
    const db: PromoteDb = {
      query: (text, values) => helpers.query(text, values as never),
      withClient: (fn) => helpers.withPgClient((client) => fn(client as never)),
    };
    const promoted = await promoteLoop(db, opts, helpers.abortSignal);
    if (promoted > 0) helpers.logger.debug(`promoted ${promoted} captured changes`);
    // The successor is due one interval later, never at once: a job due
    // at once would keep graphile-worker's runTaskListOnce (and anything
    // that runs the due jobs until none is left) going forever.
    await helpers.addJob("promote_capture", {}, { jobKey: PROMOTE_JOB_KEY, runAt: new Date(Date.now() + intervalMs), maxAttempts: 25 });
  };
}
