/**
 * Bench section "sessions" (docs/sessions.md):
 *
 * 1. What a session costs an uncached authentication: the lookup a user
 *    token now needs (warden_private.authenticate_session: the session row
 *    and the membership) vs the lookup it needed before sessions
 *    (warden_private.resolve_membership), calls/s from 2 clients. Target
 *    >= 0.70x (it reads one more row by primary key).
 * 2. How soon a revocation reaches another process: a session revoked by
 *    one connection (autocommit), received by a LISTEN connection on
 *    warden_auth_invalidate, timed from sending the revoking statement;
 *    printed beside that statement's own round trip (no target: it is the
 *    host's scheduling, not Warden's).
 *
 * Knobs: BENCH_SESSIONS_SECONDS (3), BENCH_SESSIONS_ROUNDS (3), BENCH_SESSIONS_REVOCATIONS (200).
 */
import type pg from "pg";
import type { BenchContext, BenchSection } from "./types";
import { best, connect, envInt, fmtInt, fmtRatio, median, withClient } from "./util";

const SECONDS = envInt("BENCH_SESSIONS_SECONDS", 3);
const ROUNDS = envInt("BENCH_SESSIONS_ROUNDS", 3);
const REVOCATIONS = envInt("BENCH_SESSIONS_REVOCATIONS", 200);
const CLIENTS = 2;

async function callsPerSecond(clients: pg.Client[], sql: string, params: unknown[]): Promise<number> {
  let done = 0;
  const stopAt = Date.now() + SECONDS * 1000;
  await Promise.all(
    clients.map(async (c) => {
      while (Date.now() < stopAt) {
        await c.query(sql, params);
        done++;
      }
    }),
  );
  return done / SECONDS;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const sessionsSection: BenchSection = {
  name: "sessions",
  async run(ctx: BenchContext): Promise<void> {
    const fx = await withClient(ctx.ownerUrl, async (c) => {
      const tenant = (await c.query("select warden_private.create_tenant('bench sessions') as id")).rows[0].id as string;
      const user = (await c.query("select warden_private.create_user($1, $2, 'member') as id", [tenant, `sessions-${Date.now()}@bench.test`])).rows[0].id as string;
      const session = (await c.query("select warden_private.create_user_session($1, $2, now() + interval '1 hour') as id", [tenant, user])).rows[0]
        .id as string;
      return { tenant, user, session };
    });
    const clients: pg.Client[] = [];
    try {
      for (let i = 0; i < CLIENTS; i++) clients.push(await connect(ctx.ownerUrl));
      const withSession = "select tenant_role, failure from warden_private.authenticate_session($1, $2, $3)";
      const before = "select warden_private.resolve_membership($1, $2) as role";
      await callsPerSecond(clients, withSession, [fx.session, fx.tenant, fx.user]); // warm-up
      const a: number[] = [];
      const b: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        a.push(await callsPerSecond(clients, withSession, [fx.session, fx.tenant, fx.user]));
        b.push(await callsPerSecond(clients, before, [fx.tenant, fx.user]));
        ctx.log(`round ${r + 1}: authenticate_session ${fmtInt(a[r])}/s, resolve_membership ${fmtInt(b[r])}/s`);
      }
      const ratio = best(a) / best(b);
      ctx.record({
        name: `uncached user-token lookup (session + membership), ${CLIENTS} clients`,
        value: `${fmtInt(best(a))} lookups/s`,
        baseline: `${fmtInt(best(b))} lookups/s membership only (before sessions)`,
        ratio,
        target: ">= 0.70x",
        met: ratio >= 0.7,
      });
      ctx.log(`with a session / membership only: ${fmtRatio(ratio)}`);

      // 2. Revocation delivery to a listener.
      const [writer, listener] = clients;
      await listener.query("listen warden_auth_invalidate");
      const ids = (
        await writer.query(
          "select warden_private.create_user_session($1, $2, now() + interval '1 hour') as id from generate_series(1, $3)",
          [fx.tenant, fx.user, REVOCATIONS],
        )
      ).rows.map((r) => r.id as string);
      const lags: number[] = [];
      const trips: number[] = [];
      for (const id of ids) {
        const received = new Promise<number>((resolve) => listener.once("notification", () => resolve(performance.now())));
        const sent = performance.now();
        await writer.query("select count(*) from warden_private.revoke_user_sessions(array[$1]::uuid[], '{\"type\":\"db_role\"}')", [id]);
        trips.push(performance.now() - sent);
        lags.push((await received) - sent);
      }
      await listener.query("unlisten *");
      const p50 = median(lags);
      const p95 = percentile(lags, 95);
      ctx.record({
        name: `revocation: from sending it to its NOTIFY at another connection (${REVOCATIONS} revocations)`,
        value: `p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`,
        baseline: `the revoking statement's own round trip p50 ${median(trips).toFixed(2)} ms, p95 ${percentile(trips, 95).toFixed(2)} ms`,
      });
      ctx.log(`notification received: p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms after sending the revocation (cache TTL without it: 5,000 ms)`);
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      await withClient(ctx.ownerUrl, (c) => c.query("delete from warden.tenants where id = $1", [fx.tenant])).catch(() => undefined);
    }
  },
};
