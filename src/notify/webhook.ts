/**
 * Webhook delivery: a CloudEvents 1.0 structured JSON envelope around the
 * (redacted) audit event, signed per Standard Webhooks (webhook-id,
 * webhook-timestamp, webhook-signature = HMAC-SHA256 over id.timestamp.body
 * with the subscription's whsec_ secret). Keep-alive agents resolve hosts
 * through the SSRF guard at connect time; every request has a timeout and
 * response bodies are read up to a cap.
 */
import net from "node:net";
import { performance } from "node:perf_hooks";
import { Agent } from "undici";
import { CloudEvent } from "cloudevents";
import { Webhook } from "standardwebhooks";
import { createHmac } from "node:crypto";
import { checkHost, guardedLookup, SsrfError, webhookUrlProblem, type GuardOptions } from "./ssrf";
import type { NotifySettings } from "./settings";

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/**
 * One undici Agent per guard setting: keep-alive connections per origin (up
 * to 16 each), hosts resolved through the SSRF guard when a socket connects.
 * undici sends a request with a fraction of node:http's overhead, which
 * matters when one subscription's deliveries go one after another.
 */
const agents = new Map<string, Agent>();

function agentFor(guard: GuardOptions, connectTimeoutMs: number): Agent {
  const key = `${guard.allowPrivate}|${guard.dnsServer ?? ""}|${connectTimeoutMs}`;
  let a = agents.get(key);
  if (!a) {
    a = new Agent({
      connections: 16,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { lookup: guardedLookup(guard), timeout: connectTimeoutMs },
    });
    agents.set(key, a);
  }
  return a;
}

/** Closes the keep-alive connections (tests, shutdown). */
export function closeWebhookAgents(): void {
  for (const a of agents.values()) void a.destroy().catch(() => undefined);
  agents.clear();
}

/** The CloudEvents source of a tenant's events. */
export function cloudEventSource(tenantId: string): string {
  return `/warden/tenants/${tenantId}`;
}

/** The structured-mode CloudEvent (JSON text) around one audit event as read through the redacting view. */
export function cloudEventBody(event: Record<string, unknown>, extra: Record<string, string> = {}): string {
  const ce = new CloudEvent(
    {
      specversion: "1.0",
      id: String(event.event_id),
      source: cloudEventSource(String(event.tenant_id)),
      type: String(event.event_type),
      subject: event.resource_type ? `${event.resource_type}/${event.resource_id ?? ""}` : undefined,
      time: String(event.occurred_at),
      datacontenttype: "application/json",
      data: event,
      ...extra,
    },
    false,
  );
  return JSON.stringify(ce);
}

/** What the envelope needs of an event whose data is JSON text already (read as row_to_json by the database). */
export interface EventJson {
  event_id: string;
  tenant_id: string;
  event_type: string;
  occurred_at: string;
  resource_type: string | null;
  resource_id: string | null;
  /** The event as JSON text: the object cloudEventBody would serialise as data. */
  json: string;
}

/**
 * The same structured-mode CloudEvent as cloudEventBody, around an event
 * that is JSON text already: the envelope's attributes in the library's
 * order and form (time in milliseconds, subject only with a resource), the
 * text placed as data without parsing it. A page of deliveries is read from
 * the database this way, so each event is neither parsed nor serialised
 * again here (test/notify/webhooks.test.ts compares both).
 */
export function cloudEventBodyFromJson(e: EventJson): string {
  const subject = e.resource_type ? `,"subject":${JSON.stringify(`${e.resource_type}/${e.resource_id ?? ""}`)}` : "";
  return (
    `{"id":${JSON.stringify(String(e.event_id))},"time":"${isoMillis(e.occurred_at)}","type":${JSON.stringify(e.event_type)},` +
    `"source":${sourceJson(e.tenant_id)},"specversion":"1.0","datacontenttype":"application/json"${subject},"data":${e.json}}`
  );
}

/** A UTC time with microseconds, as the database writes it (2026-12-06T02:52:40.123456Z). */
const MICROS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The time in milliseconds as Date#toISOString writes it (which truncates): by slicing when it is in the database's form. */
function isoMillis(t: string): string {
  return MICROS_UTC.test(t) ? `${t.slice(0, 23)}Z` : new Date(t).toISOString();
}

/** The source attribute as JSON text, for the tenant of the last call (a page is one tenant's). */
let lastSource: { tenantId: string; json: string } = { tenantId: "", json: "" };
function sourceJson(tenantId: string): string {
  if (lastSource.tenantId !== tenantId) lastSource = { tenantId, json: JSON.stringify(cloudEventSource(tenantId)) };
  return lastSource.json;
}

/** A digest: one CloudEvent whose data lists the events matched in a window. */
export function digestBody(id: string, tenantId: string, subscriptionId: string, events: Record<string, unknown>[], windowStart: string, windowEnd: string): string {
  const ce = new CloudEvent(
    {
      specversion: "1.0",
      id,
      source: cloudEventSource(tenantId),
      type: "warden.notification.digest",
      time: new Date().toISOString(),
      datacontenttype: "application/json",
      data: { subscription_id: subscriptionId, window_start: windowStart, window_end: windowEnd, count: events.length, events },
    },
    false,
  );
  return JSON.stringify(ce);
}

/**
 * Standard Webhooks headers for one message. The secret is parsed by the
 * standardwebhooks library (whsec_ prefix, base64 key); the HMAC-SHA256 over
 * `id.timestamp.body` is computed by node:crypto (OpenSSL, ~7 us for a 1 KB
 * body) rather than the library's pure-JavaScript SHA-256 (~40 us), which was
 * a fifth of the time of a delivery. test/notify/webhooks.test.ts checks that
 * both produce the same signature and that the library verifies it.
 */
const keys = new Map<string, Buffer>();

function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size > 1000) keys.clear();
    key = Buffer.from((new Webhook(secret) as unknown as { key: Uint8Array }).key);
    keys.set(secret, key);
  }
  return key;
}

/** The webhook-signature value (v1,<base64 HMAC-SHA256>) of one message. */
export function signMessage(secret: string, msgId: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac("sha256", keyOf(secret)).update(`${msgId}.${timestampSeconds}.`).update(body).digest("base64")}`;
}

export function signatureHeaders(secret: string, msgId: string, body: string, now = new Date()): Record<string, string> {
  const ts = Math.floor(now.getTime() / 1000);
  return {
    "webhook-id": msgId,
    "webhook-timestamp": String(ts),
    "webhook-signature": signMessage(secret, msgId, ts, body),
  };
}

/** Checks a URL before it is saved: form, then the addresses its host resolves to now. */
export async function checkWebhookUrl(raw: string, settings: NotifySettings): Promise<string | null> {
  const problem = webhookUrlProblem(raw);
  if (problem) return problem;
  try {
    await checkHost(new URL(raw).hostname, { allowPrivate: settings.allowPrivate, dnsServer: settings.dnsServer });
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The parsed form of a webhook URL, or why it may not be used (URLs repeat: one subscription, many deliveries). */
const parsedUrls = new Map<string, { url: URL; origin: string; path: string; ipLiteral: boolean } | { problem: string }>();

function parseWebhookUrl(raw: string) {
  let p = parsedUrls.get(raw);
  if (!p) {
    const problem = webhookUrlProblem(raw);
    if (problem) p = { problem };
    else {
      const url = new URL(raw);
      const bare = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
      p = { url, origin: url.origin, path: url.pathname + url.search, ipLiteral: net.isIP(bare) !== 0 };
    }
    if (parsedUrls.size > 10_000) parsedUrls.clear();
    parsedUrls.set(raw, p);
  }
  return p;
}

/** One signed POST. Never throws: the result says what happened. */
export async function postWebhook(
  url: string,
  secret: string,
  msgId: string,
  body: string,
  settings: Pick<NotifySettings, "allowPrivate" | "dnsServer" | "timeoutMs" | "maxResponseBytes">,
  contentType = "application/cloudevents+json; charset=utf-8",
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const target = parseWebhookUrl(url);
  if ("problem" in target) return { ok: false, statusCode: null, latencyMs: 0, error: target.problem };
  const guard = { allowPrivate: settings.allowPrivate, dnsServer: settings.dnsServer };
  if (target.ipLiteral && !settings.allowPrivate) {
    // IP literals never reach the lookup: check them here.
    try {
      await checkHost(target.url.hostname, guard);
    } catch (err) {
      return { ok: false, statusCode: null, latencyMs: elapsed(), error: (err as Error).message };
    }
  }
  const headers = {
    "content-type": contentType,
    "user-agent": "Warden-Webhooks/1",
    ...signatureHeaders(secret, msgId, body),
  };
  const ac = new AbortController();
  const timeoutError = `timed out after ${settings.timeoutMs} ms`;
  const timer = setTimeout(() => ac.abort(new Error(timeoutError)), settings.timeoutMs);
  try {
    const res = await agentFor(guard, settings.timeoutMs).request({ origin: target.origin, path: target.path, method: "POST", headers, body, signal: ac.signal });
    // Capped: a receiver that answers with an endless body is cut off.
    await res.body.dump({ limit: settings.maxResponseBytes }).catch(() => undefined);
    const status = res.statusCode;
    const ok = status >= 200 && status < 300;
    return { ok, statusCode: status, latencyMs: elapsed(), error: ok ? null : `HTTP ${status}` };
  } catch (err) {
    const message = ac.signal.aborted ? timeoutError : errorMessage(err);
    return { ok: false, statusCode: null, latencyMs: elapsed(), error: message };
  } finally {
    clearTimeout(timer);
  }
}

/** The innermost message of an error (undici wraps connect errors; the SSRF guard's refusal is the cause). */
function errorMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  for (let i = 0; i < 5 && e && e.cause instanceof Error; i++) {
    if (e.cause instanceof SsrfError) return e.cause.message;
    e = e.cause as typeof e;
  }
  return (err as Error)?.message || String(err);
}
