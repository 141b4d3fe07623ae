/**
 * The JetStream channel: every matching event is published to
 * <prefix>.<tenant>.<event_type> (prefix warden by default) with
 * Nats-Msg-Id = event_id, so the broker drops a duplicate after a retry.
 * A batch is published pipelined (every publish sent, then the acks
 * awaited) over one connection per process; a stream covering the prefix
 * is created when none exists.
 */
import { performance } from "node:perf_hooks";
import { connect, createInbox, headers } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { Msg, NatsConnection } from "@nats-io/nats-core";

export interface JetStreamLink {
  nc: NatsConnection;
  js: JetStreamClient;
  streams: Set<string>;
  acks: AckInbox;
}

type Ack = { ok: boolean; error: string | null; duplicate: boolean };
/** The two successful answers (shared: one per message would be garbage to collect). */
const ACK_OK: Ack = Object.freeze({ ok: true, error: null, duplicate: false });
const ACK_DUPLICATE: Ack = Object.freeze({ ok: true, error: null, duplicate: true });

/** A plain PubAck ({"stream":"S", "seq":n} as nats-server writes it, no error): read without JSON.parse. */
const PLAIN_ACK = /^\{"stream":"[^"\\]*",\s*(?:"domain":"[^"\\]*",\s*)?"seq":\d+(,\s*"duplicate":\s*true)?\}$/;

/** What the stream answered to one publish. */
export function readAck(m: Pick<Msg, "headers" | "string">): Ack {
  if (m.headers && m.headers.code >= 300) {
    return { ok: false, duplicate: false, error: m.headers.code === 503 ? "no stream captures the subject (no responders)" : `JetStream ${m.headers.code} ${m.headers.description}` };
  }
  const text = m.string();
  const plain = PLAIN_ACK.exec(text);
  if (plain) return plain[1] ? ACK_DUPLICATE : ACK_OK;
  try {
    const ack = JSON.parse(text) as { error?: { code?: number; description?: string }; duplicate?: boolean; seq?: number };
    if (ack.error) return { ok: false, duplicate: false, error: `JetStream ${ack.error.code ?? ""} ${ack.error.description ?? "error"}`.trim() };
    if (typeof ack.seq !== "number") return { ok: false, duplicate: false, error: "JetStream answered without a sequence" };
    return ack.duplicate === true ? ACK_DUPLICATE : ACK_OK;
  } catch (err) {
    return { ok: false, duplicate: false, error: `unreadable JetStream ack: ${(err as Error).message}` };
  }
}

/**
 * Publish acks through one subscription: every publish of a batch carries a
 * reply subject <inbox>.<batch>.<i>, and the stream's PubAck (or error)
 * comes back there. This is the JetStream publish protocol without the
 * client's per-message request machinery (a new request, timer and promise
 * chain for each js.publish), which cost two thirds of the publish rate;
 * one handler per batch, not a closure per message.
 */
class AckInbox {
  readonly prefix = createInbox();
  private next = 0;
  private pending = new Map<string, (i: number, r: Ack) => void>();
  constructor(nc: NatsConnection) {
    nc.subscribe(`${this.prefix}.>`, { callback: (_err, m) => this.settle(m) });
  }
  private settle(m: Msg): void {
    const rest = m.subject.slice(this.prefix.length + 1);
    const dot = rest.indexOf(".");
    if (dot < 0) return;
    const onAck = this.pending.get(rest.slice(0, dot));
    if (!onAck) return;
    const i = Number(rest.slice(dot + 1));
    if (!Number.isInteger(i)) return;
    onAck(i, readAck(m));
  }
  /** A batch whose acks go to onAck(i, ack); replies are <returned prefix>.<i>. forget(batch) drops it. */
  register(onAck: (i: number, r: Ack) => void): { batch: string; replyPrefix: string } {
    const batch = String(++this.next);
    this.pending.set(batch, onAck);
    return { batch, replyPrefix: `${this.prefix}.${batch}.` };
  }
  forget(batch: string): void {
    this.pending.delete(batch);
  }
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
    // pendingLimit (a connection option the client reads but does not declare): the client writes to
    // the socket whenever 32 KiB are pending; a slice of publishes (about 250 KiB) then goes out in one
    // write instead of eight.
    const options = { servers: url, timeout: 3000, maxReconnectAttempts: -1, pendingLimit: 1024 * 1024 };
    try {
      nc = await connect(options);
    } catch (err) {
      throw new Error(`NATS at ${url} is unreachable (${(err as Error).message}); ${NATS_START_HINT}`);
    }
    return { nc, js: jetstream(nc), streams: new Set<string>(), acks: new AckInbox(nc) };
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

/** Messages published in one go before pending I/O is let through. */
const PUBLISH_SLICE = 250;

/** One message; a body given as a function is built when its slice is sent (a page's bodies are never all held at once). */
export interface PublishMessage {
  subject: string;
  msgId: string;
  body: string | (() => string);
}

/**
 * Publishes messages pipelined (all sent, then the acks awaited); results in
 * the same order. One timer for the batch (a publish without an ack after
 * timeoutMs fails), not a timer and a promise race per message. Messages go
 * out in slices of PUBLISH_SLICE with pending I/O let through in between;
 * a caller that publishes the next batch on the same connection waits for
 * onSent first, so the order holds.
 */
export function publishBatch(
  l: JetStreamLink,
  messages: readonly PublishMessage[],
  timeoutMs = 10_000,
  /** Called once every message has been handed to the connection (before the acks). */
  onSent?: () => void,
): Promise<PublishResult[]> {
  const started = performance.now();
  const n = messages.length;
  const acks: (Ack | undefined)[] = new Array(n);
  let left = n;
  return new Promise<PublishResult[]>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      l.acks.forget(batch);
      const latencyMs = (performance.now() - started) / Math.max(1, n);
      resolve(acks.map((r) => ({ ok: r!.ok, error: r!.error, duplicate: r!.duplicate, latencyMs })));
    };
    const { batch, replyPrefix } = l.acks.register((i, r) => {
      if (i >= n || acks[i]) return;
      acks[i] = r;
      if (--left === 0) done();
    });
    const publishFrom = (from: number) => {
      if (settled) {
        onSent?.();
        return;
      }
      const to = Math.min(n, from + PUBLISH_SLICE);
      for (let i = from; i < to; i++) {
        const m = messages[i];
        try {
          const h = headers();
          h.set("Nats-Msg-Id", m.msgId);
          l.nc.publish(m.subject, typeof m.body === "function" ? m.body() : m.body, { reply: replyPrefix + i, headers: h });
        } catch (err) {
          if (acks[i]) continue;
          acks[i] = { ok: false, error: (err as Error).message, duplicate: false };
          if (--left === 0) done();
        }
      }
      // The rest after pending I/O (the database's answers for the pages read meanwhile): in order on
      // this connection all the same.
      if (to < n) setImmediate(publishFrom, to);
      else onSent?.();
    };
    if (n === 0) {
      done();
      onSent?.();
      return;
    }
    publishFrom(0);
    if (settled) return;
    timer = setTimeout(() => {
      timer = undefined;
      for (let i = 0; i < n; i++) {
        if (!acks[i]) acks[i] = { ok: false, error: `no JetStream ack within ${timeoutMs} ms`, duplicate: false };
      }
      left = 0;
      done();
    }, timeoutMs);
  });
}
