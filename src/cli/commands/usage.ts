/**
 * warden usage --tenant T [--from DAY] [--to DAY] [--rollup] [--json]:
 * a tenant's daily usage (warden.usage_daily) as the operator sees it;
 * --rollup runs the worker's rollup first (backfilling missed days).
 * warden usage quota --tenant T --monthly-events N [--soft-percent P] | --none:
 * sets or removes the tenant's monthly event quota (audited).
 */
import { UsageError, parseArgs, requireUuid } from "../args";
import { withOwnerClient } from "../database";
import { emit } from "../output";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function dayFlag(value: string | undefined, name: string, fallback: string): string {
  const v = value ?? fallback;
  if (!DAY.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new UsageError(`--${name} must be a UTC day (YYYY-MM-DD), got ${JSON.stringify(v)}`);
  return v;
}

export async function usage(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ["tenant", "from", "to"], booleans: ["json", "rollup"] });
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const tenant = requireUuid(args, "tenant");
  const today = new Date().toISOString().slice(0, 10);
  const from = dayFlag(args.flags.from, "from", `${today.slice(0, 7)}-01`);
  const to = dayFlag(args.flags.to, "to", today);
  if (from > to) throw new UsageError("--from must not be after --to");
  const out = await withOwnerClient(async (c) => {
    const t = await c.query("select 1 from warden.tenants where id = $1", [tenant]);
    if (!t.rowCount) throw new Error(`tenant ${tenant} does not exist`);
    if (args.booleans.has("rollup")) await c.query("select * from warden_private.usage_rollup_due()");
    const { rows } = await c.query<{ day: string; metric: string; dimension: string; value: string }>(
      `select day::text as day, metric, dimension, value::text as value from warden.usage_daily
       where tenant_id = $1 and day between $2::date and $3::date order by day, metric, dimension`,
      [tenant, from, to],
    );
    const quota = await c.query("select monthly_events::text, soft_limit_percent from warden.usage_quotas where tenant_id = $1", [tenant]);
    const status = await c.query<{ used: string }>("select used::text from warden_private.usage_quota_status(array[$1::uuid])", [tenant]);
    return { rows, quota: quota.rows[0], used: status.rows[0]?.used };
  });
  const rows = out.rows.map((r) => ({ day: r.day, metric: r.metric, dimension: r.dimension, value: Number(r.value) }));
  const totals: Record<string, number> = {};
  for (const r of rows) if (r.metric !== "storage_bytes") totals[r.metric] = (totals[r.metric] ?? 0) + r.value;
  const storage = rows.filter((r) => r.metric === "storage_bytes").pop();
  if (storage) totals.storage_bytes = storage.value;
  const quota = out.quota
    ? { monthly_events: Number(out.quota.monthly_events), soft_limit_percent: out.quota.soft_limit_percent, used_this_month: Number(out.used ?? 0) }
    : null;
  const human = [
    `usage of tenant ${tenant}, ${from} to ${to}:`,
    ...Object.entries(totals).map(([k, v]) => `  ${k}: ${v}`),
    ...(quota ? [`  quota: ${quota.used_this_month} of ${quota.monthly_events} events this month (soft limit ${quota.soft_limit_percent}%)`] : []),
  ].join("\n");
  emit(args.booleans.has("json"), { tenant_id: tenant, from, to, rows, totals, quota }, human);
}

export async function usageQuota(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ["tenant", "monthly-events", "soft-percent"], booleans: ["json", "none"] });
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const tenant = requireUuid(args, "tenant");
  const none = args.booleans.has("none");
  const events = args.flags["monthly-events"];
  if (none === (events !== undefined)) throw new UsageError("give either --monthly-events N or --none");
  if (events !== undefined && !/^[1-9]\d{0,17}$/.test(events)) throw new UsageError("--monthly-events must be a positive integer");
  const soft = args.flags["soft-percent"] ?? "80";
  if (!/^\d{1,3}$/.test(soft) || Number(soft) < 1 || Number(soft) > 100) throw new UsageError("--soft-percent must be 1 to 100");
  const q = await withOwnerClient(async (c) => {
    const { rows } = await c.query("select * from warden_private.set_usage_quota($1, $2::bigint, $3::integer)", [tenant, none ? null : events, Number(soft)]);
    return rows[0];
  });
  const value = q?.tenant_id
    ? { tenant_id: tenant, monthly_events: Number(q.monthly_events), soft_limit_percent: q.soft_limit_percent }
    : { tenant_id: tenant, monthly_events: null };
  emit(args.booleans.has("json"), value, q?.tenant_id ? `quota: ${q.monthly_events} events a month (soft limit ${q.soft_limit_percent}%)` : "quota removed");
}
