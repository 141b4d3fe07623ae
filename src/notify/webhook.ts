/**
 * Webhook delivery: a CloudEvents 1.0 structured JSON envelope around the
 * (redacted) audit event, signed per Standard Webhooks (webhook-id,
 * webhook-timestamp, webhook-signature = HMAC-SHA256 over id.timestamp.body
 * with the subscription's whsec_ secret). Keep-alive agents resolve hosts
 * through the SSRF guard at connect time; every request has a timeout and
 * response bodies are read up to a cap.
 */
import http from "node:http";
import https from "node:https";
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

const agents = new Map<string, { http: http.Agent; https: https.Agent }>();

function agentsFor(guard: GuardOptions) {
  const key = `${guard.allowPrivate}|${guard.dnsServer ?? ""}`;
  let a = agents.get(key);
  if (!a) {
    const lookup = guardedLookup(guard);
    a = {
      http: new http.Agent({ keepAlive: true, maxSockets: 16, lookup }),
      https: new https.Agent({ keepAlive: true, maxSockets: 16, lookup }),
    };
    agents.set(key, a);
  }
  return a;
}

/** Closes idle keep-alive sockets (tests, shutdown). */
export function closeWebhookAgents(): void {
  for (const a of agents.values()) {
    a.http.destroy();
    a.https.destroy();
  }
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

/** One signed POST. Never throws: the result says what happened. */
export async function postWebhook(url: string, secret: string, msgId: string, body: string, settings: NotifySettings): Promise<AttemptResult> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
  const problem = webhookUrlProblem(url);
  if (problem) return { ok: false, statusCode: null, latencyMs: 0, error: problem };
  const target = new URL(url);
  const guard = { allowPrivate: settings.allowPrivate, dnsServer: settings.dnsServer };
  try {
    // IP literals never reach the lookup: check them here.
    const bare = target.hostname.startsWith("[") ? target.hostname.slice(1, -1) : target.hostname;
    if (/^[\d.]+$/.test(bare) || bare.includes(":")) await checkHost(target.hostname, guard);
  } catch (err) {
    return { ok: false, statusCode: null, latencyMs: elapsed(), error: (err as Error).message };
  }
  const a = agentsFor(guard);
  const headers = {
    "content-type": "application/cloudevents+json; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    "user-agent": "Warden-Webhooks/1",
    ...signatureHeaders(secret, msgId, body),
  };
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const done = (r: Omit<AttemptResult, "latencyMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, latencyMs: elapsed() });
    };
    const mod = target.protocol === "https:" ? https : http;
    const req = mod.request(
      target,
      { method: "POST", headers, agent: target.protocol === "https:" ? a.https : a.http },
      (res) => {
        let read = 0;
        res.on("data", (chunk: Buffer) => {
          read += chunk.length;
          // Capped: a receiver that answers with an endless body is cut off.
          if (read > settings.maxResponseBytes) res.destroy();
        });
        const finish = () => {
          const status = res.statusCode ?? null;
          const ok = status !== null && status >= 200 && status < 300;
          done({ ok, statusCode: status, error: ok ? null : `HTTP ${status}` });
        };
        res.on("end", finish);
        res.on("close", finish);
        res.on("error", () => finish());
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${settings.timeoutMs} ms`));
    }, settings.timeoutMs);
    req.on("error", (err) => done({ ok: false, statusCode: null, error: err instanceof SsrfError ? err.message : err.message || String(err) }));
    req.end(body);
  });
}
