/**
 * The JetStream channel: every matching event is published to
 * <prefix>.<tenant>.<event_type> (prefix warden by default) with
 * Nats-Msg-Id = event_id, so the broker drops a duplicate after a retry.
 * A batch is published pipelined (every publish sent, then the acks
 * awaited) over one connection per process; a stream covering the prefix
 * is created when none exists.
 */
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";

export interface JetStreamLink {
  nc: NatsConnection;
  js: JetStreamClient;
  streams: Set<string>;
}

let link: Promise<JetStreamLink> | null = null;
let linkUrl = "";

/** How to start NATS, for errors when it is not there. */
export const NATS_START_HINT =
  "start NATS with JetStream: start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server";

export async function jetStreamLink(url: string): Promise<JetStreamLink> {
  if (link && linkUrl === url) {
    const l = await link.catch(() => null);
    if (l && !l.nc.isClosed()) return l;
  }
  linkUrl = url;
  link = (async () => {
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: url, timeout: 3000, maxReconnectAttempts: -1 });
    } catch (err) {
      throw new Error(`NATS at ${url} is unreachable (${(err as Error).message}); ${NATS_START_HINT}`);
    }
    return { nc, js: jetstream(nc), streams: new Set<string>() };
  })();
  link.catch(() => {
    link = null;
  });
  return link;
}

export async function closeJetStream(): Promise<void> {
  const l = link ? await link.catch(() => null) : null;
  link = null;
  if (l) await l.nc.drain().catch(() => l.nc.close());
}

/** The stream name Warden creates for a subject prefix. */
export function streamNameFor(prefix: string): string {
  return prefix === "warden" ? "WARDEN" : `WARDEN_${prefix.replace(/[^A-Za-z0-9_-]/g, "_").toUpperCase()}`;
}

/** Makes sure a stream captures <prefix>.> (an existing one that does is used as is). */
export async function ensureStream(l: JetStreamLink, prefix: string): Promise<void> {
  if (l.streams.has(prefix)) return;
  const jsm = await jetstreamManager(l.nc);
  const subject = `${prefix}.>`;
  try {
    await jsm.streams.find(subject);
  } catch {
    try {
      await jsm.streams.add({ name: streamNameFor(prefix), subjects: [subject], duplicate_window: 2 * 60 * 1_000_000_000 });
    } catch (err) {
      // Another worker created it meanwhile.
      await jsm.streams.find(subject).catch(() => {
        throw err;
      });
    }
  }
  l.streams.add(prefix);
}

export function subjectFor(prefix: string, tenantId: string, eventType: string): string {
  return `${prefix}.${tenantId}.${eventType}`;
}

export interface PublishResult {
  ok: boolean;
  latencyMs: number;
  error: string | null;
  duplicate: boolean;
}

/** Publishes messages pipelined; results in the same order. */
export async function publishBatch(l: JetStreamLink, messages: { subject: string; msgId: string; body: string }[]): Promise<PublishResult[]> {
  const started = process.hrtime.bigint();
  const pending = messages.map((m) => l.js.publish(m.subject, m.body, { msgID: m.msgId, timeout: 10_000 }));
  const settled = await Promise.allSettled(pending);
  const latencyMs = Number(process.hrtime.bigint() - started) / 1e6 / Math.max(1, messages.length);
  return settled.map((s) =>
    s.status === "fulfilled"
      ? { ok: true, latencyMs, error: null, duplicate: s.value.duplicate }
      : { ok: false, latencyMs, error: (s.reason as Error)?.message ?? String(s.reason), duplicate: false },
  );
}
