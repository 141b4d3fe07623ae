/**
 * warden subscription create | list | test: notification subscriptions from
 * the shell, as a DBA (the owner connection acting as the tenant's owner;
 * the SQL functions validate and write the governance events).
 */
import type pg from "pg";
import { UsageError, parseArgs, requireFlag, requireUuid } from "../args";
import { withOwnerClient } from "../database";
import { emit } from "../output";
import { loadSubscription, testSubscription } from "../../notify/deliver";
import { checkWebhookUrl, closeWebhookAgents } from "../../notify/webhook";
import { closeJetStream } from "../../notify/jetstream";
import { notifySettingsFromEnv } from "../../notify/settings";

async function asTenantOwner(c: pg.ClientBase, tenant: string): Promise<void> {
  await c.query("select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.tenant_role', 'owner', true)", [tenant]);
}

function positiveInt(args: { flags: Record<string, string> }, name: string): number | null {
  const v = args.flags[name];
  if (v === undefined) return null;
  if (!/^\d{1,9}$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} must be a positive integer`);
  return Number(v);
}

export async function subscriptionCreate(argv: string[]): Promise<void> {
  const args = parseArgs(argv, {
    values: ["tenant", "name", "channel", "url", "filter", "event-type", "severity", "inbox-role", "inbox-users", "subject-prefix", "throttle", "window"],
    booleans: ["json", "digest"],
  });
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const tenant = requireUuid(args, "tenant");
  const name = requireFlag(args, "name");
  const channel = requireFlag(args, "channel");
  if (!["inbox", "webhook", "jetstream"].includes(channel)) throw new UsageError("--channel must be inbox, webhook or jetstream");
  let filter: Record<string, unknown> = {};
  if (args.flags.filter !== undefined) {
    try {
      filter = JSON.parse(args.flags.filter);
    } catch {
      throw new UsageError("--filter must be a JSON object, e.g. '{\"event_type\": \"gateway.*\"}'");
    }
  }
  if (args.flags["event-type"]) filter.event_type = args.flags["event-type"];
  if (args.flags.severity) filter.severity = args.flags.severity;
  const url = args.flags.url ?? null;
  if (channel === "webhook") {
    if (!url) throw new UsageError("--url is required for the webhook channel");
    const why = await checkWebhookUrl(url, notifySettingsFromEnv());
    if (why) throw new UsageError(`--url: ${why}`);
  }
  const users = args.flags["inbox-users"] ? args.flags["inbox-users"].split(",") : null;
  const created = await withOwnerClient(async (c) => {
    await c.query("begin");
    try {
      await asTenantOwner(c, tenant);
      const { rows } = await c.query(
        `select (r).* from (select warden.create_subscription($1, $2::jsonb, $3, $4, $5::uuid[], $6::warden.tenant_role, $7, $8, $9, $10) as r) x`,
        [name, JSON.stringify(filter), channel, url, users, args.flags["inbox-role"] ?? null, args.flags["subject-prefix"] ?? null,
         positiveInt(args, "throttle"), positiveInt(args, "window"), args.booleans.has("digest")],
      );
      await c.query("commit");
      return rows[0];
    } catch (err) {
      await c.query("rollback").catch(() => undefined);
      const e = err as { hint?: string; detail?: string; message: string };
      if (e.hint === "validation_failed" && e.detail) {
        const list = JSON.parse(e.detail) as { pointer: string; reason: string }[];
        throw new UsageError(list.map((x) => `${x.pointer}: ${x.reason}`).join("; "));
      }
      throw err;
    }
  });
  emit(
    args.booleans.has("json"),
    { id: created.id, name: created.name, channel: created.channel, ...(created.secret ? { secret: created.secret } : {}) },
    `subscription ${created.id} (${created.channel})` + (created.secret ? `\nsigning secret (shown once): ${created.secret}` : ""),
  );
}

export async function subscriptionList(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ["tenant"], booleans: ["json"] });
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const tenant = requireUuid(args, "tenant");
  const rows = await withOwnerClient(async (c) =>
    (
      await c.query(
        `select s.id, s.name, s.channel, s.filter, s.webhook_url, s.jetstream_subject_prefix, s.inbox_role, s.inbox_user_ids, s.enabled, s.disabled_reason,
                (select count(*) from warden.notification_deliveries d where d.subscription_id = s.id and d.status = 'pending')::int as pending,
                (select count(*) from warden.notification_deliveries d where d.subscription_id = s.id and d.status = 'dead')::int as dead
         from warden.subscriptions s where s.tenant_id = $1 order by s.created_at, s.id`,
        [tenant],
      )
    ).rows,
  );
  if (args.booleans.has("json")) {
    process.stdout.write(JSON.stringify({ subscriptions: rows }) + "\n");
    return;
  }
  if (!rows.length) process.stdout.write("no subscriptions\n");
  for (const r of rows) {
    const target = r.webhook_url ?? (r.jetstream_subject_prefix ? `${r.jetstream_subject_prefix}.${tenant}.>` : r.inbox_role ? `role ${r.inbox_role}` : `${r.inbox_user_ids?.length ?? 0} user(s)`);
    process.stdout.write(`${r.id}  ${r.name}  ${r.channel} -> ${target}  filter ${JSON.stringify(r.filter)}  ${r.enabled ? "enabled" : `DISABLED (${r.disabled_reason})`}  pending ${r.pending} dead ${r.dead}\n`);
  }
}

export async function subscriptionTest(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ["id"], booleans: ["json"] });
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const id = requireUuid(args, "id");
  try {
    const r = await withOwnerClient(async (c) => {
      const sub = await loadSubscription(c, id);
      if (!sub) throw new UsageError(`no subscription ${id}`);
      return testSubscription({ query: ((t: string, v?: unknown[]) => c.query(t, v)) as never, withClient: (fn) => fn(c) }, sub, notifySettingsFromEnv());
    });
    const out = { subscription_id: id, channel: r.channel, ok: r.ok, status_code: r.statusCode, latency_ms: Number(r.latencyMs.toFixed(3)), error: r.error };
    emit(args.booleans.has("json"), out, r.ok ? `test ${r.channel} delivery ok${r.statusCode ? ` (HTTP ${r.statusCode})` : ""} in ${out.latency_ms} ms` : `test delivery FAILED: ${r.error}`);
    if (!r.ok) process.exitCode = 1;
  } finally {
    closeWebhookAgents();
    await closeJetStream();
  }
}
