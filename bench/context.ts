/**
 * Bench section "context": what warden.set_context's commit-time check
 * costs (the deferred trigger that warns when set_context ran outside a
 * transaction block). The same transaction, from 2 clients with
 * synchronous_commit = off, with the check and without it (the setting
 * that marks it armed is set first, so set_context skips it):
 *
 *   begin; select warden.set_context(...); insert one row into an audited table; commit;
 *
 * Rounds alternate between the two; the best of each is compared.
 * Knobs: BENCH_CONTEXT_SECONDS (3), BENCH_CONTEXT_ROUNDS (3).
 */
import type pg from "pg";
import type { BenchContext, BenchSection } from "./types";
import { best, connect, envInt, fmtInt, fmtRatio, withClient } from "./util";

const SECONDS = envInt("BENCH_CONTEXT_SECONDS", 3);
const ROUNDS = envInt("BENCH_CONTEXT_ROUNDS", 3);
const CLIENTS = 2;

const WITH_CHECK = "select warden.set_context($1, 'bench', 'service', 'bench-trace')";
// Evaluated left to right: the first call marks the check armed, so set_context skips it.
const WITHOUT_CHECK = "select set_config('warden.context_set_cid', '0', true), warden.set_context($1, 'bench', 'service', 'bench-trace')";

async function transactionsPerSecond(clients: pg.Client[], tenant: string, setContext: string): Promise<number> {
  let done = 0;
  const stopAt = Date.now() + SECONDS * 1000;
  await Promise.all(
    clients.map(async (c) => {
      while (Date.now() < stopAt) {
        await c.query("begin");
        await c.query(setContext, [tenant]);
        await c.query("insert into bench_ctx.items (tenant_id, qty) values ($1, 1)", [tenant]);
        await c.query("commit");
        done++;
      }
    }),
  );
  return done / SECONDS;
}

export const contextSection: BenchSection = {
  name: "context",
  async run(ctx: BenchContext): Promise<void> {
    const tenant = await withClient(ctx.ownerUrl, async (c) => {
      await c.query("drop schema if exists bench_ctx cascade");
      await c.query("create schema bench_ctx");
      await c.query("create table bench_ctx.items (id bigserial primary key, tenant_id uuid not null, qty integer)");
      await c.query("select warden.enable_auditing('bench_ctx.items')");
      return (await c.query("select warden_private.create_tenant('bench context') as id")).rows[0].id as string;
    });
    const clients: pg.Client[] = [];
    try {
      for (let i = 0; i < CLIENTS; i++) clients.push(await connect(ctx.ownerUrl));
      await Promise.all(clients.map((c) => c.query("set synchronous_commit = off")));
      await transactionsPerSecond(clients, tenant, WITH_CHECK); // warm-up
      const withCheck: number[] = [];
      const without: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        withCheck.push(await transactionsPerSecond(clients, tenant, WITH_CHECK));
        without.push(await transactionsPerSecond(clients, tenant, WITHOUT_CHECK));
        ctx.log(`round ${r + 1}: with the check ${fmtInt(withCheck[r])} tx/s, without ${fmtInt(without[r])} tx/s`);
      }
      const ratio = best(withCheck) / best(without);
      ctx.record({
        name: `set_context + 1 audited INSERT per transaction, ${CLIENTS} clients`,
        value: `${fmtInt(best(withCheck))} tx/s`,
        baseline: `${fmtInt(best(without))} tx/s without the commit check`,
        ratio,
        target: ">= 0.85x",
        met: ratio >= 0.85,
      });
      ctx.log(`with / without: ${fmtRatio(ratio)}`);
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      await withClient(ctx.ownerUrl, (c) => c.query("drop schema if exists bench_ctx cascade")).catch(() => undefined);
    }
  },
};
