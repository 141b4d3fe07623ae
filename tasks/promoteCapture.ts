/**
 * promote_capture: moves trigger-captured changes from the capture log into
 * warden.audit_events, then queues the next pass 250 ms later under the
 * same job key (the worker polls every 250 ms), so capture lag stays well
 * under two seconds. The crontab revives it should it ever be lost.
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

export const PROMOTE_JOB_KEY = "warden:promote_capture";

export interface PromoteOptions {
  intervalMs?: number;
  /** Parts of a round (1: always one pass). */
  parts?: number;
  /** Backlog (events) from which a round is used instead of one pass. */
  roundMinEvents?: number;
}

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

export function promoteOptionsFromEnv(): PromoteOptions {
  return {
    parts: intFromEnv("WARDEN_PROMOTE_PARTS", 2, 1, 64),
    roundMinEvents: intFromEnv("WARDEN_PROMOTE_ROUND_MIN", 20_000, 1, 1_000_000_000),
  };
}

export function makePromoteTask(opts: PromoteOptions = {}): Task {
  const intervalMs = opts.intervalMs ?? 250;
  const parts = opts.parts ?? 2;
  const roundMin = opts.roundMinEvents ?? 20_000;
  return async (_payload, helpers) => {
    let promoted = 0;
    const backlog =
      parts > 1
        ? Number((await helpers.query<{ n: string }>("select backlog_events::text as n from warden_private.capture_status()")).rows[0].n)
        : 0;
    if (parts > 1 && backlog >= roundMin) {
      const opened = await helpers.query<{ round_id: string; round_parts: number }>(
        "select round_id::text, round_parts from warden_private.capture_round_open($1)",
        [parts],
      );
      const round = opened.rows[0];
      if (round) {
        const done = await Promise.all(
          Array.from({ length: round.round_parts }, (_, part) =>
            helpers.withPgClient((client) =>
              client.query<{ n: string | null }>("select warden_private.capture_round_part($1::bigint, $2)::text as n", [round.round_id, part]),
            ),
          ),
        );
        promoted = done.reduce((sum, r) => sum + Number(r.rows[0].n ?? 0), 0);
        await helpers.query("select * from warden_private.capture_round_close($1::bigint)", [round.round_id]);
      }
    } else {
      const { rows } = await helpers.query<{ n: string }>("select p.promoted::text as n from warden_private.capture_promote(null, false, false) p");
      promoted = Number(rows[0].n);
    }
    if (promoted > 0) helpers.logger.debug(`promoted ${promoted} captured changes`);
    await helpers.addJob("promote_capture", {}, { jobKey: PROMOTE_JOB_KEY, runAt: new Date(Date.now() + intervalMs), maxAttempts: 25 });
  };
}
