/**
 * Delivering one subscription's log (the notify_deliver task): the due
 * pending deliveries in id order, read with the tenant's redaction rules
 * (warden.audit_events_redacted under the subscription's tenant, as an
 * auditor would see them), sent through the channel, and recorded (one
 * row per attempt). A webhook batch stops at the first failure, which is
 * retried with exponential backoff and jitter; after the retry period the
 * delivery is dead-lettered, the subscription disabled and its owner told.
 */
import type pg from "pg";
import { inTransaction, type Db } from "./db";
import { randomUUID } from "node:crypto";
import { AUDIT_COLUMNS } from "../http/routes/auditColumns";
import { exactJsonTypes } from "../audit/exactJson";
import type { NotifySettings } from "./settings";
import { cloudEventBody, cloudEventBodyFromJson, digestBody, postWebhook, type AttemptResult, type EventJson } from "./webhook";
import { ensureStream, jetStreamLink, publishBatch, subjectFor, type JetStreamLink, type PublishResult } from "./jetstream";
import { notifyDeliveries, notifyLatency } from "./metrics";

export interface Subscription {
  id: string;
  tenant_id: string;
  name: string;
  channel: "inbox" | "webhook" | "jetstream";
  filter: Record<string, unknown>;
  inbox_user_ids: string[] | null;
  inbox_role: string | null;
  webhook_url: string | null;
  jetstream_subject_prefix: string | null;
  throttle_max: number | null;
  throttle_window_seconds: number | null;
  digest: boolean;
  enabled: boolean;
  created_by: string | null;
  secret: string | null;
}

export interface Delivery {
  id: string;
  event_id: string;
  /** Text, so microseconds survive the round trip (the partition key of the lookup). */
  occurred_at: string;
  event_type: string;
  attempts: number;
  first_attempt_at: Date | null;
  created_at: Date;
}

export interface DeliverOutcome {
  delivered: number;
  failed: number;
  /** Due deliveries are left (the batch was full): run again at once. */
  more: boolean;
  /** The next time something is due (a retry or a digest window), if any. */
  nextRunAt: Date | null;
}

/** Exponential backoff with full jitter: 1 s, 2 s, 4 s ... capped at an hour, each times [0.5, 1). */
export function backoffMs(attempt: number): number {
  const base = Math.min(3_600_000, 1000 * 2 ** Math.min(attempt - 1, 22));
  return Math.round(base * (0.5 + Math.random() * 0.5));
}

export async function loadSubscription(db: { query: Db["query"] }, id: string): Promise<Subscription | null> {
  const { rows } = await db.query(
    `select s.*, x.secret from warden.subscriptions s left join warden_private.subscription_secrets x on x.subscription_id = s.id where s.id = $1`,
    [id],
  );
  return (rows[0] as Subscription) ?? null;
}

/** The events as the redacting view shows them to the tenant's auditors. */
export async function readRedactedEvents(pool: Db, tenantId: string, refs: { event_id: string; occurred_at: string }[]): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  if (!refs.length) return out;
  // The primary key (event_id, occurred_at) finds them; the time range prunes partitions.
  let minTime = refs[0].occurred_at;
  let maxTime = refs[0].occurred_at;
  if (refs.length > 1) {
    const { rows } = await pool.query("select min(t)::text as lo, max(t)::text as hi from unnest($1::timestamptz[]) t", [refs.map((r) => r.occurred_at)]);
    minTime = rows[0].lo;
    maxTime = rows[0].hi;
  }
  await inTransaction(pool, async (c) => {
    await c.query(
      `select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.tenant_role', 'auditor', true),
              set_config('warden.include_redacted', 'false', true)`,
      [tenantId],
    );
    const { rows } = await c.query({
      text: `select ${AUDIT_COLUMNS} from warden.audit_events_redacted e
             where e.event_id = any ($1::uuid[]) and e.occurred_at >= $2::timestamptz and e.occurred_at <= $3::timestamptz`,
      values: [refs.map((r) => r.event_id), minTime, maxTime],
      types: exactJsonTypes,
    });
    for (const r of rows) {
      delete (r as Record<string, unknown>).txid;
      out.set(r.event_id, r);
    }
  });
  return out;
}

export interface Recorded {
  id: string;
  attempt: number;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/**
 * One statement for a page of results: the attempt rows inserted and the log
 * rows updated. The log rows are found by primary key (d.id = any: the
 * planner otherwise hashed the whole log to join a page of ids).
 */
export async function recordAttempts(pool: Db, sub: Subscription, status: string, rows: Recorded[]): Promise<void> {
  if (!rows.length) return;
  await pool.query(
    `with r as (select * from unnest($1::bigint[], $2::int[], $3::int[], $4::numeric[], $5::text[]) as r(id, attempt, code, latency, error)),
     u as (update warden.notification_deliveries d
           set status = $6, attempts = r.attempt, first_attempt_at = coalesce(d.first_attempt_at, now()), last_attempt_at = now(),
               last_status_code = r.code, last_error = r.error, delivered_at = case when $6 in ('delivered', 'digested') then now() end,
               next_attempt_at = null
           from r where d.id = r.id and d.id = any ($1::bigint[]))
     insert into warden.notification_delivery_attempts (delivery_id, subscription_id, tenant_id, attempt, status_code, latency_ms, error)
     select r.id, $7, $8, r.attempt, r.code, r.latency, r.error from r`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.attempt),
      rows.map((r) => r.statusCode),
      rows.map((r) => r.latencyMs.toFixed(3)),
      rows.map((r) => r.error),
      status,
      sub.id,
      sub.tenant_id,
    ],
  );
  notifyDeliveries.inc({ channel: sub.channel, result: status === "pending" ? "failed" : status }, rows.length);
}

/** A failed head-of-line delivery: retry later, or dead-letter it and disable the subscription. */
async function recordFailure(pool: Db, sub: Subscription, d: Delivery, r: { statusCode: number | null; latencyMs: number; error: string | null }, settings: NotifySettings): Promise<Date | null> {
  const attempt = d.attempts + 1;
  const first = d.first_attempt_at ?? new Date();
  const dead = Date.now() - first.getTime() >= settings.retryHours * 3_600_000;
  await inTransaction(pool, async (c) => {
    await c.query(
      `update warden.notification_deliveries set status = $2, attempts = $3, first_attempt_at = coalesce(first_attempt_at, now()),
         last_attempt_at = now(), last_status_code = $4, last_error = $5, next_attempt_at = $6 where id = $1`,
      [d.id, dead ? "dead" : "pending", attempt, r.statusCode, r.error, dead ? null : new Date(Date.now() + backoffMs(attempt))],
    );
    await c.query(
      `insert into warden.notification_delivery_attempts (delivery_id, subscription_id, tenant_id, attempt, status_code, latency_ms, error)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [d.id, sub.id, sub.tenant_id, attempt, r.statusCode, r.latencyMs.toFixed(3), r.error],
    );
    if (dead) {
      // The endpoint kept failing for the whole retry period: stop, and tell its owner.
      const reason = `event ${d.event_id} could not be delivered for ${settings.retryHours} h (last error: ${r.error ?? "unknown"}); dead-lettered`;
      await c.query(`update warden.subscriptions set enabled = false, disabled_reason = $2, disabled_at = now(), updated_at = now() where id = $1`, [sub.id, reason]);
      await c.query(
        `select warden_private.record_governance_event('governance.subscription_disabled', $1::uuid, 'subscription', $2::text,
           jsonb_build_object('enabled', true), jsonb_build_object('enabled', false), jsonb_build_object('reason', $3::text, 'event_id', $4::text), 'warning', 'failure')`,
        [sub.tenant_id, sub.id, reason, d.event_id],
      );
      const title = `Subscription ${sub.name} was disabled: its ${sub.channel} keeps failing`;
      const data = JSON.stringify({ subscription_id: sub.id, event_id: d.event_id, error: r.error });
      if (sub.created_by) {
        await c.query(`select warden_private.notify_users($1, array[$2::uuid], 'subscription.disabled', $3, $4, $5::jsonb, 'error')`, [sub.tenant_id, sub.created_by, title, reason, data]);
      }
      await c.query(`select warden_private.notify_tenant_roles($1, '{owner}', 'subscription.disabled', $2, $3, $4::jsonb, 'error')`, [sub.tenant_id, title, reason, data]);
    }
  });
  notifyDeliveries.inc({ channel: sub.channel, result: dead ? "dead" : "failed" });
  return dead ? null : new Date(Date.now() + 1);
}

async function nextDue(pool: Db, subId: string): Promise<Date | null> {
  const { rows } = await pool.query(
    `select min(next_attempt_at) as t from warden.notification_deliveries where subscription_id = $1 and status = 'pending'`,
    [subId],
  );
  return rows[0].t ?? null;
}

/**
 * One subscription's due deliveries. Webhook and JetStream subscriptions
 * without throttle or digest stream page after page (streamDeliveries) until
 * nothing is due, a delivery fails, or the deadline passes; the others go one
 * batch at a time.
 */
/** deadline (ms since the epoch): stop sending webhooks after it, leaving the rest due. */
export async function deliverBatch(pool: Db, subscriptionId: string, settings: NotifySettings, deadline = Infinity): Promise<DeliverOutcome> {
  const none: DeliverOutcome = { delivered: 0, failed: 0, more: false, nextRunAt: null };
  const sub = await loadSubscription(pool, subscriptionId);
  if (!sub || !sub.enabled) return none;
  if ((sub.channel === "webhook" || sub.channel === "jetstream") && !sub.digest && !(sub.throttle_max && sub.throttle_window_seconds)) {
    return streamDeliveries(pool, sub, settings, deadline);
  }
  const { rows: due } = await pool.query<Delivery>(
    `select d.id::text as id, d.event_id, d.occurred_at::text as occurred_at, d.event_type, d.attempts, d.first_attempt_at, d.created_at
     from warden.notification_deliveries d
     where d.subscription_id = $1 and d.status = 'pending' and d.next_attempt_at <= now() order by d.id limit $2`,
    [sub.id, settings.batchSize],
  );
  if (!due.length) return { ...none, nextRunAt: await nextDue(pool, sub.id) };
  // In order: a retry that is not due yet holds back everything after it.
  const { rows: blocked } = await pool.query(
    `select min(id)::text as id, min(next_attempt_at) as t from warden.notification_deliveries
     where subscription_id = $1 and status = 'pending' and next_attempt_at > now() and id < $2`,
    [sub.id, due[0].id],
  );
  if (blocked[0].id) return { ...none, nextRunAt: blocked[0].t };

  if (sub.digest && sub.throttle_window_seconds) return deliverDigest(pool, sub, due, settings);

  let batch = due;
  if (sub.throttle_max && sub.throttle_window_seconds) {
    const { rows } = await pool.query(
      `select count(*)::int as n from warden.notification_deliveries where subscription_id = $1 and status = 'delivered'
       and delivered_at > now() - make_interval(secs => $2)`,
      [sub.id, sub.throttle_window_seconds],
    );
    const allowance = Math.max(0, sub.throttle_max - rows[0].n);
    const over = batch.slice(allowance);
    batch = batch.slice(0, allowance);
    await recordAttempts(pool, sub, "throttled", over.map((d) => ({ id: d.id, attempt: d.attempts, statusCode: null, latencyMs: 0, error: "over the throttle" })));
  }
  if (!batch.length) return { ...none, more: due.length === settings.batchSize };

  const events = await readRedactedEvents(pool, sub.tenant_id, batch);
  const missing = batch.filter((d) => !events.has(d.event_id));
  if (missing.length) {
    await recordAttempts(pool, sub, "dead", missing.map((d) => ({ id: d.id, attempt: d.attempts + 1, statusCode: null, latencyMs: 0, error: "the event is no longer in the trail (retention or erasure)" })));
    batch = batch.filter((d) => events.has(d.event_id));
  }

  const ok: Recorded[] = [];
  let failure: { d: Delivery; r: AttemptResult } | null = null;
  let cut = false;
  if (sub.channel === "webhook") {
    // Windows of webhookConcurrency requests sent in order (1: one at a time, strictly in order).
    const w = Math.max(1, settings.webhookConcurrency);
    for (let i = 0; i < batch.length && !failure; i += w) {
      if (Date.now() > deadline) {
        cut = true;
        break;
      }
      const chunk = batch.slice(i, i + w);
      const results = await Promise.all(chunk.map((d) => postWebhook(sub.webhook_url!, sub.secret!, d.event_id, cloudEventBody(events.get(d.event_id)!), settings)));
      chunk.forEach((d, k) => {
        const r = results[k];
        notifyLatency.observe({ channel: "webhook" }, r.latencyMs / 1000);
        if (r.ok) ok.push({ id: d.id, attempt: d.attempts + 1, statusCode: r.statusCode, latencyMs: r.latencyMs, error: null });
        else if (!failure) failure = { d, r };
      });
      // After a failure, requests of the window that were not accepted wait for their turn again.
    }
  } else if (sub.channel === "jetstream") {
    const prefix = sub.jetstream_subject_prefix ?? "warden";
    let results;
    try {
      const l = await jetStreamLink(settings.natsUrl);
      await ensureStream(l, prefix);
      results = await publishBatch(
        l,
        batch.map((d) => ({ subject: subjectFor(prefix, sub.tenant_id, d.event_type), msgId: d.event_id, body: cloudEventBody(events.get(d.event_id)!) })),
      );
    } catch (err) {
      results = batch.map(() => ({ ok: false, latencyMs: 0, error: (err as Error).message, duplicate: false }));
    }
    for (let i = 0; i < batch.length; i++) {
      const r = results[i];
      if (!r.ok) {
        failure = { d: batch[i], r: { ok: false, statusCode: null, latencyMs: r.latencyMs, error: r.error } };
        break;
      }
      ok.push({ id: batch[i].id, attempt: batch[i].attempts + 1, statusCode: null, latencyMs: r.latencyMs, error: null });
    }
  } else {
    await inTransaction(pool, async (c) => {
      for (const d of batch) {
        const e = events.get(d.event_id)!;
        const args = [
          sub.tenant_id,
          `${sub.name}: ${d.event_type}`,
          [e.actor_type, e.actor_id, e.action, e.resource_type, e.resource_id, e.outcome].filter(Boolean).join(" "),
          JSON.stringify({ subscription_id: sub.id, event_id: d.event_id, event_type: d.event_type, occurred_at: e.occurred_at, severity: e.severity }),
          e.severity,
          d.event_id,
        ];
        if (sub.inbox_user_ids?.length) {
          await c.query(`select warden_private.notify_users($1, $7::uuid[], 'subscription', $2, $3, $4::jsonb, $5::warden.audit_severity, interval '90 days', $6)`, [...args, sub.inbox_user_ids]);
        }
        if (sub.inbox_role) {
          await c.query(`select warden_private.notify_tenant_roles($1, array[$7::warden.tenant_role], 'subscription', $2, $3, $4::jsonb, $5::warden.audit_severity, interval '90 days', $6)`, [...args, sub.inbox_role]);
        }
        ok.push({ id: d.id, attempt: d.attempts + 1, statusCode: null, latencyMs: 0, error: null });
      }
    });
  }
  await recordAttempts(pool, sub, "delivered", ok);
  if (failure) {
    const next = await recordFailure(pool, sub, failure.d, failure.r, settings);
    return { delivered: ok.length, failed: 1, more: false, nextRunAt: next ? await nextDue(pool, sub.id) : null };
  }
  return { delivered: ok.length, failed: 0, more: cut || due.length === settings.batchSize, nextRunAt: null };
}

/** Digest: when the oldest waiting delivery's window has ended, everything matched in it goes as one message. */
async function deliverDigest(pool: Db, sub: Subscription, due: Delivery[], settings: NotifySettings): Promise<DeliverOutcome> {
  const windowMs = sub.throttle_window_seconds! * 1000;
  const start = due[0].created_at;
  const end = new Date(start.getTime() + windowMs);
  if (end.getTime() > Date.now()) return { delivered: 0, failed: 0, more: false, nextRunAt: end };
  const inWindow = due.filter((d) => d.created_at < end);
  const events = await readRedactedEvents(pool, sub.tenant_id, inWindow);
  const list = inWindow.map((d) => events.get(d.event_id)).filter((e): e is Record<string, unknown> => !!e);
  const digestId = `digest-${sub.id}-${inWindow[0].id}-${inWindow[inWindow.length - 1].id}`;
  let r: AttemptResult = { ok: true, statusCode: null, latencyMs: 0, error: null };
  if (sub.channel === "webhook") {
    r = await postWebhook(sub.webhook_url!, sub.secret!, digestId, digestBody(digestId, sub.tenant_id, sub.id, list, start.toISOString(), end.toISOString()), settings);
  } else if (sub.channel === "jetstream") {
    try {
      const prefix = sub.jetstream_subject_prefix ?? "warden";
      const l = await jetStreamLink(settings.natsUrl);
      await ensureStream(l, prefix);
      const [p] = await publishBatch(l, [{ subject: subjectFor(prefix, sub.tenant_id, "warden.notification.digest"), msgId: digestId, body: digestBody(digestId, sub.tenant_id, sub.id, list, start.toISOString(), end.toISOString()) }]);
      r = { ok: p.ok, statusCode: null, latencyMs: p.latencyMs, error: p.error };
    } catch (err) {
      r = { ok: false, statusCode: null, latencyMs: 0, error: (err as Error).message };
    }
  } else {
    const args = [sub.tenant_id, `${sub.name}: ${list.length} event(s)`, list.map((e) => `${e.occurred_at} ${e.event_type}`).slice(0, 100).join("\n"),
      JSON.stringify({ subscription_id: sub.id, window_start: start, window_end: end, event_ids: list.map((e) => e.event_id) })];
    if (sub.inbox_user_ids?.length) await pool.query(`select warden_private.notify_users($1, $5::uuid[], 'subscription.digest', $2, $3, $4::jsonb)`, [...args, sub.inbox_user_ids]);
    if (sub.inbox_role) await pool.query(`select warden_private.notify_tenant_roles($1, array[$5::warden.tenant_role], 'subscription.digest', $2, $3, $4::jsonb)`, [...args, sub.inbox_role]);
  }
  if (!r.ok) {
    const next = await recordFailure(pool, sub, inWindow[0], r, settings);
    return { delivered: 0, failed: 1, more: false, nextRunAt: next ? await nextDue(pool, sub.id) : null };
  }
  await recordAttempts(pool, sub, "digested", inWindow.map((d) => ({ id: d.id, attempt: d.attempts + 1, statusCode: r.statusCode, latencyMs: r.latencyMs, error: null })));
  return { delivered: inWindow.length, failed: 0, more: inWindow.length < due.length, nextRunAt: null };
}

/** Sends a test message (type warden.subscription.test) through a subscription's channel now, outside its log. */
export async function testSubscription(pool: Db, sub: Subscription, settings: NotifySettings): Promise<AttemptResult & { channel: string }> {
  const id = randomUUID();
  const event = { event_id: id, tenant_id: sub.tenant_id, event_type: "warden.subscription.test", occurred_at: new Date().toISOString(), subscription_id: sub.id, subscription: sub.name };
  if (sub.channel === "webhook") return { channel: "webhook", ...(await postWebhook(sub.webhook_url!, sub.secret!, id, cloudEventBody(event), settings)) };
  if (sub.channel === "jetstream") {
    const prefix = sub.jetstream_subject_prefix ?? "warden";
    try {
      const l = await jetStreamLink(settings.natsUrl);
      await ensureStream(l, prefix);
      const [p] = await publishBatch(l, [{ subject: subjectFor(prefix, sub.tenant_id, "warden.subscription.test"), msgId: id, body: cloudEventBody(event) }]);
      return { channel: "jetstream", ok: p.ok, statusCode: null, latencyMs: p.latencyMs, error: p.error };
    } catch (err) {
      return { channel: "jetstream", ok: false, statusCode: null, latencyMs: 0, error: (err as Error).message };
    }
  }
  const args = [sub.tenant_id, `${sub.name}: test notification`, "A test of this subscription.", JSON.stringify({ subscription_id: sub.id })];
  if (sub.inbox_user_ids?.length) await pool.query(`select warden_private.notify_users($1, $5::uuid[], 'subscription.test', $2, $3, $4::jsonb)`, [...args, sub.inbox_user_ids]);
  if (sub.inbox_role) await pool.query(`select warden_private.notify_tenant_roles($1, array[$5::warden.tenant_role], 'subscription.test', $2, $3, $4::jsonb)`, [...args, sub.inbox_role]);
  return { channel: "inbox", ok: true, statusCode: null, latencyMs: 0, error: null };
}

/** A pending delivery with its event as the redacting view shows it (null: no longer in the trail). */
export interface PageRow extends Delivery {
  due: boolean;
  next_attempt_at: Date | null;
  event: EventJson | null;
}

/** The columns every audit read returns but txid (which readRedactedEvents drops too). */
const PAGE_EVENT_COLUMNS = AUDIT_COLUMNS.replace(/,\s*e\.txid::text as txid/, "");
if (PAGE_EVENT_COLUMNS === AUDIT_COLUMNS) throw new Error("deliver.ts: AUDIT_COLUMNS no longer lists e.txid::text as txid");

/**
 * One page of a subscription's pending deliveries after `after` (id order),
 * each with its redacted event, in one transaction and one query: the
 * tenant's redaction rules apply as they do to its auditors. Rows that are
 * not due yet are returned too, so the caller stops at the first of them
 * (in order: a retry that is not due holds back what follows).
 */
export async function readPage(pool: Db, sub: Subscription, after: string, limit: number): Promise<PageRow[]> {
  return inTransaction(pool, async (c) => {
    const { rows: page } = await c.query(
      // Times as epoch milliseconds (float8): a Date from a number, not a timestamp text parsed per row.
      `select d.id::text as id, d.event_id, d.occurred_at::text as occurred_at, d.event_type, d.attempts,
              (extract(epoch from d.first_attempt_at) * 1000)::float8 as first_attempt_ms, (extract(epoch from d.created_at) * 1000)::float8 as created_ms,
              (extract(epoch from d.next_attempt_at) * 1000)::float8 as next_attempt_ms, d.next_attempt_at <= now() as due,
              (min(d.occurred_at) over ())::text as lo, (max(d.occurred_at) over ())::text as hi
       from (select * from warden.notification_deliveries d
             where d.subscription_id = $1 and d.status = 'pending' and d.id > $2::bigint order by d.id limit $3) d
       order by d.id`,
      [sub.id, after, limit],
    );
    if (!page.length) return [];
    await c.query(
      `select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.tenant_role', 'auditor', true),
              set_config('warden.include_redacted', 'false', true)`,
      [sub.tenant_id],
    );
    // The events by primary key, the page's time range pruning partitions (a separate statement: the
    // planner sees the ids and the range, where a join chose to scan the tenant's trail). Each event
    // comes as JSON text (row_to_json over the columns every audit read returns): the channel places
    // it in the CloudEvent as it is, instead of parsing every column here and serialising it again.
    const { rows: events } = await c.query<EventJson>(
      `select x.event_id, x.tenant_id, x.event_type, x.occurred_at, x.resource_type, x.resource_id, row_to_json(x)::text as json
       from (select ${PAGE_EVENT_COLUMNS} from warden.audit_events_redacted e
             where e.event_id = any ($1::uuid[]) and e.occurred_at >= $2::timestamptz and e.occurred_at <= $3::timestamptz) x`,
      [page.map((d) => d.event_id), page[0].lo, page[0].hi],
    );
    const byId = new Map<string, EventJson>();
    for (const e of events) byId.set(e.event_id, e);
    return page.map((d) => ({
      id: d.id,
      event_id: d.event_id,
      occurred_at: d.occurred_at,
      event_type: d.event_type,
      attempts: d.attempts,
      first_attempt_at: d.first_attempt_ms === null ? null : new Date(d.first_attempt_ms),
      created_at: new Date(d.created_ms),
      next_attempt_at: d.next_attempt_ms === null ? null : new Date(d.next_attempt_ms),
      due: d.due === true,
      event: byId.get(d.event_id) ?? null,
    }));
  });
}

/** Pages of this many deliveries are read, sent and recorded as a pipeline (webhooks; JetStream). */
const STREAM_PAGE = 500;
const STREAM_PAGE_JETSTREAM = 2000;
/** Pages read ahead of the one being sent. */
const READ_AHEAD = 2;

/**
 * Webhook and JetStream delivery as a pipeline of pages: while page k is
 * being sent, the pages after it are read (up to READ_AHEAD, deliveries and
 * their redacted events as JSON text) and page k-1's results are recorded
 * (one statement per page: the attempt rows inserted and the log rows
 * updated together). Sending stays strictly
 * in log order; a failure stops the line (the results before it are
 * recorded, the failure is scheduled for retry, the pages read ahead are
 * dropped). A crash between sending and recording sends those deliveries
 * again (at least once; the webhook-id / Nats-Msg-Id is the event id).
 */
async function streamDeliveries(pool: Db, sub: Subscription, settings: NotifySettings, deadline: number): Promise<DeliverOutcome> {
  const js = sub.channel === "jetstream";
  const pageSize = Math.max(1, Math.min(settings.batchSize, js ? STREAM_PAGE_JETSTREAM : STREAM_PAGE));
  let delivered = 0;
  let recording: Promise<void> = Promise.resolve();
  const record = (status: string, rows: Recorded[]) => {
    if (!rows.length) return;
    recording = recording.then(() => recordAttempts(pool, sub, status, rows));
  };
  let link: JetStreamLink | null = null;
  const prefix = sub.jetstream_subject_prefix ?? "warden";
  // JetStream: a page is published, then the previous page's acks are settled (two pages in flight).
  let inFlight: { batch: PageRow[]; results: Promise<PublishResult[]> } | null = null;
  // A page is published once the page before it has been handed to the connection (publishBatch goes
  // in slices, letting the database's answers through), so the order holds across pages.
  let sending: Promise<void> = Promise.resolve();
  const publishPage = async (batch: PageRow[]): Promise<PublishResult[]> => {
    const before = sending;
    let sent!: () => void;
    sending = new Promise<void>((resolve) => (sent = resolve));
    try {
      await before;
      link ??= await jetStreamLink(settings.natsUrl);
      await ensureStream(link, prefix);
      return await publishBatch(
        link,
        batch.map((d) => ({
          subject: subjectFor(prefix, sub.tenant_id, d.event_type),
          msgId: d.event_id,
          // Built as its slice is sent; the event's JSON is let go then (only the log row is needed after).
          body: () => {
            const body = cloudEventBodyFromJson(d.event!);
            d.event = null;
            return body;
          },
        })),
        undefined,
        sent,
      );
    } catch (err) {
      return batch.map(() => ({ ok: false, latencyMs: 0, error: (err as Error).message, duplicate: false }));
    } finally {
      sent();
    }
  };
  /** Settles the page in flight: its successes recorded, its first failure returned. */
  const settle = async (): Promise<{ d: Delivery; r: AttemptResult } | null> => {
    if (!inFlight) return null;
    const { batch, results: pending } = inFlight;
    inFlight = null;
    const results = await pending;
    const ok: Recorded[] = [];
    let failure: { d: Delivery; r: AttemptResult } | null = null;
    const latency = notifyLatency.labels({ channel: "jetstream" });
    for (let i = 0; i < batch.length; i++) {
      const r = results[i];
      latency.observe(r.latencyMs / 1000);
      if (!r.ok) {
        failure = { d: batch[i], r: { ok: false, statusCode: null, latencyMs: r.latencyMs, error: r.error } };
        break;
      }
      ok.push({ id: batch[i].id, attempt: batch[i].attempts + 1, statusCode: null, latencyMs: r.latencyMs, error: null });
    }
    delivered += ok.length;
    record("delivered", ok);
    return failure;
  };
  const fail = async (failure: { d: Delivery; r: AttemptResult }): Promise<DeliverOutcome> => {
    ended = true;
    // A page still in flight after a failure lands or not; it is sent again from the failure (the broker drops duplicates).
    if (inFlight) void inFlight.results.catch(() => undefined);
    inFlight = null;
    await recording;
    const next = await recordFailure(pool, sub, failure.d, failure.r, settings);
    return { delivered, failed: 1, more: false, nextRunAt: next ? await nextDue(pool, sub.id) : null };
  };
  const finish = async (o: Omit<DeliverOutcome, "delivered" | "failed">): Promise<DeliverOutcome> => {
    ended = true;
    const failure = await settle();
    if (failure) return fail(failure);
    await recording;
    return { delivered, failed: 0, ...o };
  };

  // Pages are read ahead as a chain: when a full page (every delivery due) has been read, the read of the
  // next one starts at once, up to READ_AHEAD pages beyond the one being sent. A read's statements then
  // do not wait for the sending of the page before (this process is busy publishing meanwhile), and
  // sending never waits for a read that could have run earlier. Reads stop at the deadline and when
  // this pass ends; pages read but not sent are dropped (they are read again next time).
  const reads: Promise<PageRow[]>[] = [];
  let resumeAfter: string | null = null;
  let ended = false;
  const isFull = (p: PageRow[]) => p.length === pageSize && p.every((d) => d.due);
  const readFrom = (after: string) => {
    const p = readPage(pool, sub, after, pageSize);
    p.then(
      (pg) => {
        if (ended || !isFull(pg) || Date.now() > deadline) return;
        const last = pg[pg.length - 1].id;
        if (reads.length < READ_AHEAD) readFrom(last);
        else resumeAfter = last;
      },
      () => undefined,
    );
    reads.push(p);
  };
  const nextPage = (): Promise<PageRow[]> | null => {
    const p = reads.shift() ?? null;
    if (resumeAfter !== null && reads.length < READ_AHEAD) {
      const after = resumeAfter;
      resumeAfter = null;
      readFrom(after);
    }
    return p;
  };
  const end = <T>(o: T): T => {
    ended = true;
    return o;
  };

  readFrom("0");
  let page = await nextPage()!;
  if (!page.length) return end({ delivered: 0, failed: 0, more: false, nextRunAt: null });
  if (!page[0].due) return end({ delivered: 0, failed: 0, more: false, nextRunAt: page[0].next_attempt_at });
  for (;;) {
    // Up to the first delivery that is not due yet (the head of a retry holds the rest back).
    const stopAt = page.findIndex((d) => !d.due);
    const due = stopAt < 0 ? page : page.slice(0, stopAt);
    const full = isFull(page);

    const missing = due.filter((d) => !d.event);
    record("dead", missing.map((d) => ({ id: d.id, attempt: d.attempts + 1, statusCode: null, latencyMs: 0, error: "the event is no longer in the trail (retention or erasure)" })));
    const batch = missing.length ? due.filter((d) => d.event) : due;

    let cut = false;
    if (!js) {
      const ok: Recorded[] = [];
      let failure: { d: Delivery; r: AttemptResult } | null = null;
      const w = Math.max(1, settings.webhookConcurrency);
      for (let i = 0; i < batch.length && !failure; i += w) {
        if (Date.now() > deadline) {
          cut = true;
          break;
        }
        if (w === 1) {
          const d = batch[i];
          const r = await postWebhook(sub.webhook_url!, sub.secret!, d.event_id, cloudEventBodyFromJson(d.event!), settings);
          notifyLatency.observe({ channel: "webhook" }, r.latencyMs / 1000);
          if (r.ok) ok.push({ id: d.id, attempt: d.attempts + 1, statusCode: r.statusCode, latencyMs: r.latencyMs, error: null });
          else failure = { d, r };
          continue;
        }
        const chunk = batch.slice(i, i + w);
        const results = await Promise.all(chunk.map((d) => postWebhook(sub.webhook_url!, sub.secret!, d.event_id, cloudEventBodyFromJson(d.event!), settings)));
        for (let k = 0; k < chunk.length; k++) {
          const r = results[k];
          notifyLatency.observe({ channel: "webhook" }, r.latencyMs / 1000);
          if (failure) continue; // after a failure, the rest of the window waits for its turn again
          if (r.ok) ok.push({ id: chunk[k].id, attempt: chunk[k].attempts + 1, statusCode: r.statusCode, latencyMs: r.latencyMs, error: null });
          else failure = { d: chunk[k], r };
        }
      }
      delivered += ok.length;
      record("delivered", ok);
      if (failure) return fail(failure);
    } else if (batch.length) {
      const results = publishPage(batch);
      const failure = await settle();
      inFlight = { batch, results };
      if (failure) return fail(failure);
    }

    if (cut) return finish({ more: true, nextRunAt: null });
    if (stopAt >= 0) return finish({ more: false, nextRunAt: page[stopAt].next_attempt_at });
    if (!full) return finish({ more: false, nextRunAt: null });
    // Past the deadline: the pages read ahead wait for the next pass.
    const ahead = Date.now() <= deadline ? nextPage() : null;
    if (!ahead) return finish({ more: true, nextRunAt: null });
    page = await ahead;
    if (!page.length) return finish({ more: false, nextRunAt: null });
  }
}
