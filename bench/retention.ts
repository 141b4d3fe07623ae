/**
 * Retention: purging one month of events (1M by default,
 * BENCH_RETENTION_EVENTS) by the partition path (detach and drop the
 * monthly partition: warden_private.governance_drop_partition) versus by
 * the row path (warden_private.governance_purge_rows in committed batches
 * of 10,000, as `warden retention` drives it) on a second month of the same
 * size. A legal hold on a single event keeps that second month off the
 * fast path. Target: the partition path under 1 s and at least 50x faster.
 */
import type { BenchSection } from "./types";
import { checkpoint, envInt, fmtInt, fmtRatio, timed, withClient } from "./util";

const EVENTS = envInt("BENCH_RETENTION_EVENTS", 1_000_000);
const TENANTS = 10;
const DAYS = 30;

export const retentionSection: BenchSection = {
  name: "retention",
  async run(ctx) {
    await withClient(ctx.ownerUrl, async (c) => {
      const tenants: string[] = [];
      for (let i = 0; i < TENANTS; i++) {
        tenants.push((await c.query("select warden_private.create_tenant($1) as id", [`bench retention ${i}`])).rows[0].id);
      }
      for (const month of ["2010-01-01", "2010-02-01"]) {
        await c.query("select warden_private.create_audit_partition($1)", [month]);
        const [, s] = await timed(() =>
          c.query(
            `insert into warden.audit_events (tenant_id, occurred_at, event_type, category, action, actor_type, actor_id,
               resource_type, resource_id, event_data)
             select ($1::uuid[])[1 + g % $4], $2::timestamptz + (g % 2419200) * interval '1 second', 'app.order.updated', 'app',
                    'update', 'system', 'system', 'order', (g % 50000)::text, jsonb_build_object('n', g)
             from generate_series(1, $3::int) g`,
            [tenants, month, EVENTS, TENANTS],
          ),
        );
        ctx.log(`loaded ${fmtInt(EVENTS)} events into ${month.slice(0, 7)} in ${s.toFixed(1)} s`);
      }
      await c.query("vacuum analyze warden_private.audit_events_p201001, warden_private.audit_events_p201002");
      // One extra, held event keeps February off the fast path: its other rows go by row deletes.
      await c.query(
        `insert into warden.audit_events (tenant_id, occurred_at, event_type, category, action, actor_type, actor_id, resource_type, resource_id)
         values ($1, '2010-02-15', 'app.order.updated', 'app', 'update', 'system', 'system', 'order', 'held-1')`,
        [tenants[0]],
      );
      await c.query("insert into warden_private.legal_holds (tenant_id, resource_type, resource_id, reason) values ($1, 'order', 'held-1', 'bench')", [
        tenants[0],
      ]);
      const held = (
        await c.query(
          `select count(*)::int as n from warden_private.audit_events_p201002 e
           where warden_private.is_held(e.tenant_id, e.resource_type, e.resource_id, e.correlation_id)`,
        )
      ).rows[0].n as number;
      await checkpoint(ctx.rootUrl);

      // Partition path: one transaction, the same call `warden retention` makes.
      const [dropped, partitionSeconds] = await timed(async () => {
        await c.query("begin");
        const { rows } = await c.query("select sum(rows_purged)::int as n from warden_private.governance_drop_partition('audit_events_p201001', $1)", [DAYS]);
        await c.query("commit");
        return rows[0].n as number;
      });
      ctx.log(`partition path: ${fmtInt(dropped)} events in ${partitionSeconds.toFixed(3)} s`);
      await checkpoint(ctx.rootUrl);

      // Row path: committed batches of 10,000 per tenant until nothing is left.
      const [deleted, rowSeconds] = await timed(async () => {
        let n = 0;
        for (const t of tenants) {
          let after: Date | null = null;
          for (;;) {
            await c.query("begin");
            const { rows }: { rows: { n: number; last: Date | null }[] } = await c.query(
              `select coalesce(sum(rows_purged), 0)::int as n, max(last_occurred_at) as last
               from warden_private.governance_purge_rows($1, $2, 10000, after => $3)`,
              [t, DAYS, after],
            );
            await c.query("commit");
            if (rows[0].n === 0) break;
            n += rows[0].n;
            after = rows[0].last;
          }
        }
        return n;
      });
      ctx.log(`row path: ${fmtInt(deleted)} events in ${rowSeconds.toFixed(1)} s (${fmtInt(held)} held and kept)`);
      const left = (await c.query("select count(*)::int as n from warden_private.audit_events_p201002")).rows[0].n;
      if (dropped !== EVENTS || deleted !== EVENTS || left !== held || held !== 1) {
        throw new Error(`retention bench purged the wrong rows: dropped ${dropped}, deleted ${deleted}, held ${held}, left ${left}`);
      }

      const ratio = rowSeconds / partitionSeconds;
      ctx.record({
        name: `purge a month of ${fmtInt(EVENTS)} events: partition path (detach + drop)`,
        value: `${partitionSeconds.toFixed(3)} s`,
        baseline: `${rowSeconds.toFixed(1)} s by row deletes (batches of 10,000)`,
        target: "< 1 s",
        met: partitionSeconds < 1,
      });
      ctx.record({
        name: "partition path speed-up over row deletes",
        value: fmtRatio(ratio),
        baseline: `${fmtInt(deleted / rowSeconds)} rows/s deleted vs ${fmtInt(dropped / partitionSeconds)} rows/s dropped`,
        ratio,
        target: ">= 50x",
        met: ratio >= 50,
      });
    });
  },
};
