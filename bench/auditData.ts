/**
 * Synthetic audit trails for the query and export benchmarks, loaded
 * straight into warden.audit_events as the owner with INSERT ... SELECT
 * generate_series, one statement per day of a 30-day window (each day's rows
 * in time order, as a live trail is written).
 *
 * Shape: `tenants` tenants (correlation k belongs to tenants[k % n]); events
 * come in correlations of 5, 7 or 12 (g / 12 is the correlation block, every
 * third block split in two); a dozen event types; users, API keys and
 * services as actors; ~3% failures; event_data objects with a few keys
 * ({version, http: {status, method}, region, plan, attempt}).
 */
import type pg from "pg";

export const EVENT_TYPES = [
  "gateway.request.received", "gateway.request.completed", "auth.login.succeeded", "auth.login.failed",
  "order.order.created", "order.order.paid", "order.order.shipped", "payment.charge.captured",
  "payment.charge.refunded", "user.profile.updated", "report.export.requested", "webhook.delivery.sent",
];
export const REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "ap-southeast-2"];
export const PLANS = ["free", "pro", "enterprise"];
const SERVICES = ["gateway", "auth", "orders", "payments", "reports", "webhooks"];
export const WINDOW_DAYS = 30;

/** Creates the monthly partitions the window needs (the rest would land in the default partition). */
export async function ensureWindowPartitions(c: pg.ClientBase): Promise<void> {
  await c.query(
    `select warden_private.create_audit_partition(m::date)
     from generate_series(date_trunc('month', now() - make_interval(days => $1 + 1)), date_trunc('month', now()), interval '1 month') m`,
    [WINDOW_DAYS],
  );
}

/**
 * Inserts `count` events with global sequence numbers first .. first+count-1,
 * spread evenly over the last WINDOW_DAYS days. Returns the seconds it took.
 */
export async function loadEvents(c: pg.ClientBase, tenants: string[], first: number, count: number): Promise<number> {
  const started = process.hrtime.bigint();
  const perDay = Math.ceil(count / WINDOW_DAYS);
  for (let day = 0; day < WINDOW_DAYS; day++) {
    const lo = first + day * perDay;
    const hi = Math.min(first + count, lo + perDay) - 1;
    if (hi < lo) break;
    await c.query(
      `insert into warden.audit_events (occurred_at, tenant_id, event_type, category, action, outcome, severity, actor_type, actor_id,
         resource_type, resource_id, correlation_id, trace_id, service, event_data)
       select t.at, t.tenant, t.etype, split_part(t.etype, '.', 1), split_part(t.etype, '.', 3), t.outcome::warden.audit_outcome,
              case when t.outcome = 'failure' then 'error' when t.r < 10 then 'warning' else 'info' end::warden.audit_severity,
              t.atype::warden.actor_type,
              case when t.atype = 'service' then ($6::text[])[1 + t.k % 6] else md5('actor-' || (t.k % 2000))::uuid::text end,
              'order', 'o-' || t.k, t.corr, 'trace-' || t.k, ($6::text[])[1 + t.k % 6],
              jsonb_build_object('version', 1,
                'http', jsonb_build_object('status', case t.outcome when 'failure' then 500 when 'unknown' then 404 else 200 end,
                                           'method', case when t.p % 3 = 0 then 'POST' else 'GET' end),
                'region', ($7::text[])[1 + t.k % 4], 'plan', ($8::text[])[1 + (t.k / 5) % 3], 'attempt', 1 + t.p % 3)
       from (
         select g, g / 12 as k, g % 12 as p, r,
                $4::timestamptz + make_interval(secs => ($5::double precision * 86400) * (g - $1) / ($2 - $1 + 1)) as at,
                ($3::uuid[])[1 + (g / 12) % cardinality($3::uuid[])] as tenant,
                ($9::text[])[1 + ((g / 12) * 7 + g % 12) % 12] as etype,
                case when r < 3 then 'failure' when r = 3 then 'unknown' else 'success' end as outcome,
                case (g / 12) % 10 when 0 then 'api_key' when 1 then 'service' else 'user' end as atype,
                'corr-' || (g / 12) || case when (g / 12) % 3 = 0 then case when g % 12 < 5 then 'a' else 'b' end else '' end as corr
         from generate_series($1::bigint, $2::bigint) g
         cross join lateral (select (abs(hashint8(g)) % 100)::int as r) h
       ) t`,
      [lo, hi, tenants, dayStart(day), 1, SERVICES, REGIONS, PLANS, EVENT_TYPES],
    );
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Start of day `day` of the window (day 0 is WINDOW_DAYS days ago). */
function dayStart(day: number): string {
  return new Date(Date.now() - (WINDOW_DAYS - day) * 86_400_000).toISOString();
}

/**
 * Runs `load` with the store's secondary indexes dropped, then rebuilds them
 * from their exact definitions (pg_get_indexdef, so whatever the migrations
 * made) in bulk: an index build is far cheaper than maintaining 8 indexes row
 * by row, and keeps loading 5M events within a few minutes. Bench database
 * only. Returns the seconds the rebuild took.
 */
export async function withIndexesRebuilt(c: pg.ClientBase, load: () => Promise<void>): Promise<number> {
  const { rows } = await c.query<{ name: string; def: string; comment: string | null }>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def, obj_description(i.indexrelid, 'pg_class') as comment
     from pg_index i
     where i.indrelid = 'warden.audit_events'::regclass and not i.indisprimary
     order by 1`,
  );
  for (const r of rows) await c.query(`drop index ${r.name}`);
  await load();
  const started = process.hrtime.bigint();
  await c.query("set maintenance_work_mem = '256MB'");
  for (const r of rows) {
    // pg_get_indexdef says ON ONLY for a partitioned index: build it on every partition too.
    await c.query(r.def.replace(" ON ONLY ", " ON "));
    if (r.comment !== null) await c.query(`comment on index ${r.name} is ${c.escapeLiteral(r.comment)}`);
  }
  await c.query("reset maintenance_work_mem");
  return Number(process.hrtime.bigint() - started) / 1e9;
}
