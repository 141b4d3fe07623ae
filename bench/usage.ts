/**
 * Usage metering: the daily rollup (warden_private.usage_rollup) over a
 * week of events (BENCH_USAGE_EVENTS, 500,000 by default, across 10
 * tenants, a quarter of them row events) versus the floor: one plain
 * aggregate over the same rows (count and pg_column_size by tenant and
 * day), which is the scan the rollup cannot avoid. A rerun (idempotent,
 * nothing changes) is timed too. Target: the rollup within 3x the floor.
 */
import type { BenchSection } from "./types";
import { checkpoint, envInt, fmtInt, fmtRatio, timed, withClient } from "./util";

const EVENTS = envInt("BENCH_USAGE_EVENTS", 500_000);
const TENANTS = 10;
const DAYS = 7;

export const usageSection: BenchSection = {
  name: "usage",
  async run(ctx) {
    await withClient(ctx.ownerUrl, async (c) => {
      const tenants: string[] = [];
      for (let i = 0; i < TENANTS; i++) {
        tenants.push((await c.query("select warden_private.create_tenant($1) as id", [`bench usage ${i}`])).rows[0].id);
      }
      const start = new Date(Date.now() - DAYS * 86_400_000);
      start.setUTCHours(0, 0, 0, 0);
      await c.query("select warden_private.create_audit_partition(date_trunc('month', $1::timestamptz)::date)", [start]).catch(() => undefined);
      await c.query("select warden_private.create_audit_partition(date_trunc('month', now())::date)").catch(() => undefined);
      const [, loadSeconds] = await timed(() =>
        c.query(
          `insert into warden.audit_events (tenant_id, occurred_at, recorded_at, event_type, category, action, actor_type, actor_id,
             service, table_name, resource_type, resource_id, event_data)
           select ($1::uuid[])[1 + g % $4], t, t,
                  case when g % 4 = 0 then 'db.app.orders.update' else 'billing.invoice.sent' end,
                  case when g % 4 = 0 then 'data' else 'billing' end, 'update', 'service', 'bench',
                  case when g % 4 = 0 then null else 'svc' || (g % 5) end,
                  case when g % 4 = 0 then 'app.orders' end, 'order', (g % 50000)::text, jsonb_build_object('n', g)
           from generate_series(1, $3::int) g
           cross join lateral (select $2::timestamptz + (g::double precision / $3 * $5) * interval '1 day' as t) x`,
          [tenants, start, EVENTS, TENANTS, DAYS],
        ),
      );
      ctx.log(`loaded ${fmtInt(EVENTS)} events over ${DAYS} days in ${loadSeconds.toFixed(1)} s`);
      await c.query("vacuum analyze warden.audit_events");
      const from = start.toISOString().slice(0, 10);
      const to = new Date().toISOString().slice(0, 10);
      await checkpoint(ctx.rootUrl);

      const [, floorSeconds] = await timed(() =>
        c.query(
          `select e.tenant_id, (e.recorded_at at time zone 'utc')::date, count(*), sum(pg_column_size(e.*))
           from warden.audit_events e where e.recorded_at >= $1::date group by 1, 2`,
          [from],
        ),
      );
      ctx.log(`floor (one aggregate over the rows): ${floorSeconds.toFixed(2)} s`);
      const [rows, rollupSeconds] = await timed(async () => (await c.query("select warden_private.usage_rollup($1, $2) as n", [from, to])).rows[0].n);
      ctx.log(`rollup of ${from}..${to}: ${rows} rows in ${rollupSeconds.toFixed(2)} s`);
      const [again, rerunSeconds] = await timed(async () => (await c.query("select warden_private.usage_rollup($1, $2) as n", [from, to])).rows[0].n);
      ctx.log(`rerun: ${again} rows changed in ${rerunSeconds.toFixed(2)} s`);
      const rate = (s: number) => `${fmtInt(Math.round(EVENTS / s))} events/s`;
      ctx.record({
        name: `usage rollup of ${DAYS + 1} days, ${fmtInt(EVENTS)} events`,
        baseline: `${rate(floorSeconds)} (one aggregate)`,
        value: rate(rollupSeconds),
        ratio: floorSeconds / rollupSeconds,
        target: ">= 0.33x",
        met: floorSeconds / rollupSeconds >= 0.33,
      });
      ctx.record({ name: "  rerun (idempotent: rows changed)", value: `${again} rows, ${rate(rerunSeconds)}`, ratio: floorSeconds / rerunSeconds });
      ctx.log(`ratio ${fmtRatio(floorSeconds / rollupSeconds)}`);
    });
  },
};
