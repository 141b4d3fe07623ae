/**
 * Checkpoint anchors: every signed checkpoint is also written outside
 * PostgreSQL, so the database alone cannot hide the loss of its own tail.
 *
 * Sinks:
 * - file (always): an append-only JSON-lines file, one anchor record per
 *   line, `<state dir>/anchors/<database>.jsonl` (or WARDEN_ANCHOR_FILE),
 *   opened with O_APPEND and fsynced after each write;
 * - NATS JetStream (when WARDEN_ANCHOR_NATS_SUBJECT is set): one message per
 *   anchor on `<subject>.<database>.<tenant key>`, in a stream
 *   (WARDEN_ANCHOR_NATS_STREAM, default WARDEN_ANCHORS) created if missing;
 * - webhook (when WARDEN_ANCHOR_WEBHOOK_URL is set): one POST per anchor,
 *   the record as the JSON body, signed per Standard Webhooks with
 *   WARDEN_ANCHOR_WEBHOOK_SECRET (whsec_...), through the notifications'
 *   HTTP client (src/notify/webhook.ts: SSRF guard at connect time,
 *   timeout, response cap; WARDEN_NOTIFY_ALLOW_PRIVATE and
 *   WARDEN_NOTIFY_DNS_SERVER apply). Write-only: the receiver keeps them.
 *
 * After each sealing pass, anchorCheckpoints() sends, per sink, the newest
 * signed checkpoint of every tenant past what the sink already has
 * (warden_private.checkpoint_anchors); a newer checkpoint vouches for every
 * earlier one, since its head hash chains them. A sink that fails keeps its
 * position: the next pass sends again, so no checkpoint is lost (a sink may
 * see one twice; readers keep the newest per tenant).
 *
 * `warden verify` reads the newest anchor per tenant (signature checked with
 * the seal key) and compares it with the database: a head behind its anchor,
 * or a tenant that disappeared, is `truncated` (verifier.ts).
 */
import fs from "node:fs";
import path from "node:path";
import type pg from "pg";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { checkpointSignatureValid } from "./checkpoint";
import { ZERO_TENANT } from "./chain";
import type { SealingKey } from "./sealingKey";
import { boundedNumberFromEnv, type WardenConfig } from "../config";
import { postWebhook } from "../notify/webhook";
import { webhookUrlProblem } from "../notify/ssrf";
import { notifySettingsFromEnv } from "../notify/settings";

export const ANCHOR_FORMAT = "warden.anchor.v1";

/** One line of the anchor file, one NATS message (JSON). */
export interface AnchorRecord {
  format: typeof ANCHOR_FORMAT;
  /** The database the chain lives in (current_database()). */
  database: string;
  /** The tenant, null for events outside any tenant. */
  tenant_id: string | null;
  /** The chain's key (the tenant id, or the zero uuid). */
  tenant_key: string;
  /** `<tenant_key>:<last_seq>`: a checkpoint is identified by its chain and last sequence number. */
  checkpoint_id: string;
  /** The sequence range the checkpoint signs. */
  first_seq: number;
  last_seq: number;
  /** The last sealed event (sequence number last_seq) and the block that holds it. */
  head_event_id: string | null;
  head_block_first_seq: number | null;
  /** The chain hash after last_seq (hex). */
  head_hash: string;
  /** When the checkpoint was signed (part of the signed message). */
  signed_at: string;
  /** The seal key's fingerprint (first 16 hex of sha256 of its SPKI DER). */
  key_id: string;
  /** Ed25519 signature of the checkpoint message (src/audit/checkpoint.ts), base64. */
  signature: string;
  /** When the anchor was written. */
  anchored_at: string;
}

export interface WebhookAnchorConfig {
  url: string;
  /** Standard Webhooks secret (whsec_ + base64). */
  secret: string;
  timeoutMs: number;
  /** As notifications: WARDEN_NOTIFY_ALLOW_PRIVATE, WARDEN_NOTIFY_DNS_SERVER, WARDEN_NOTIFY_MAX_RESPONSE_BYTES. */
  allowPrivate: boolean;
  dnsServer?: string;
  maxResponseBytes: number;
}

export interface AnchorConfig {
  file: string;
  nats?: { servers: string; subject: string; stream: string };
  webhook?: WebhookAnchorConfig;
}

/** A Standard Webhooks secret: whsec_ then base64 of 24 to 64 random bytes. */
const WHSEC = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

function webhookFromEnv(env: NodeJS.ProcessEnv): WebhookAnchorConfig | undefined {
  const url = env.WARDEN_ANCHOR_WEBHOOK_URL?.trim();
  if (!url) return undefined;
  const problem = webhookUrlProblem(url);
  if (problem) throw new Error(`WARDEN_ANCHOR_WEBHOOK_URL: ${problem}, got ${JSON.stringify(url)}`);
  const secret = env.WARDEN_ANCHOR_WEBHOOK_SECRET?.trim() ?? "";
  const m = WHSEC.exec(secret);
  const bytes = m ? Buffer.from(m[1], "base64").length : 0;
  if (bytes < 24 || bytes > 64) {
    throw new Error(
      "WARDEN_ANCHOR_WEBHOOK_SECRET must be a Standard Webhooks secret, whsec_ followed by the base64 of 24 to 64 random bytes " +
        "(for example: echo whsec_$(openssl rand -base64 32)); it is required with WARDEN_ANCHOR_WEBHOOK_URL",
    );
  }
  const notify = notifySettingsFromEnv(env);
  const timeoutMs = boundedNumberFromEnv(env, "WARDEN_ANCHOR_WEBHOOK_TIMEOUT_MS", 5000, 100, 120_000);
  return { url, secret, timeoutMs, allowPrivate: notify.allowPrivate, dnsServer: notify.dnsServer, maxResponseBytes: notify.maxResponseBytes };
}

/**
 * Checks the anchor settings of the environment (throws a message naming
 * the variable): the worker calls it when it starts, so a malformed webhook
 * URL or secret stops the start rather than every sealing pass.
 */
export function checkAnchorEnv(env: NodeJS.ProcessEnv = process.env): void {
  anchorConfigFromEnv({ stateDir: "." } as WardenConfig, "check", env);
}

/** Where anchors go, from the environment; the database name picks the default file. */
export function anchorConfigFromEnv(config: WardenConfig, database: string, env: NodeJS.ProcessEnv = process.env): AnchorConfig {
  const safe = database.replace(/[^A-Za-z0-9_.-]/g, "_");
  const file = env.WARDEN_ANCHOR_FILE ? path.resolve(env.WARDEN_ANCHOR_FILE) : path.join(config.stateDir, "anchors", `${safe}.jsonl`);
  const subject = env.WARDEN_ANCHOR_NATS_SUBJECT?.trim();
  if (subject !== undefined && subject !== "" && !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(subject)) {
    throw new Error(`WARDEN_ANCHOR_NATS_SUBJECT must be a plain NATS subject (tokens of letters, digits, _ and -), got ${JSON.stringify(subject)}`);
  }
  return {
    file,
    nats: subject
      ? { servers: env.WARDEN_ANCHOR_NATS_URL || "127.0.0.1:4222", subject, stream: env.WARDEN_ANCHOR_NATS_STREAM || "WARDEN_ANCHORS" }
      : undefined,
    webhook: webhookFromEnv(env),
  };
}

function natsToken(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** A destination for anchor records. */
export interface AnchorSink {
  /** Stable name, the key of warden_private.checkpoint_anchors. */
  readonly name: string;
  write(records: AnchorRecord[]): Promise<void>;
  /** False for a write-only sink (a webhook: the receiver keeps the records); verify does not read it. */
  readonly readable?: boolean;
  /** The newest anchor per tenant key of `database` (all of them, signature not checked yet). */
  readLatest(database: string): Promise<AnchorRecord[]>;
  close(): Promise<void>;
}

/** The append-only file sink. */
export class FileAnchorSink implements AnchorSink {
  readonly name: string;
  constructor(readonly file: string) {
    this.name = `file:${file}`;
  }

  async write(records: AnchorRecord[]): Promise<void> {
    if (!records.length) return;
    // The folders above (the state directory when anchoring runs before
    // anything else made it) stay enterable by other users, 0711 as
    // src/state.ts makes it: the embedded PostgreSQL runs as `postgres` and
    // keeps its data there. Only the anchors folder itself is private.
    const dir = path.dirname(this.file);
    await fs.promises.mkdir(path.dirname(dir), { recursive: true, mode: 0o711 });
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
    const fh = await fs.promises.open(this.file, "a", 0o600);
    try {
      await fh.appendFile(records.map((r) => JSON.stringify(r) + "\n").join(""), "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async readLatest(database: string): Promise<AnchorRecord[]> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    const latest = new Map<string, AnchorRecord>();
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      let r: AnchorRecord;
      try {
        r = JSON.parse(line);
      } catch {
        continue; // a torn last line (crash mid-write) is skipped; the pass re-sends it
      }
      if (r?.format !== ANCHOR_FORMAT || r.database !== database || typeof r.tenant_key !== "string") continue;
      const prev = latest.get(r.tenant_key);
      if (!prev || r.last_seq >= prev.last_seq) latest.set(r.tenant_key, r);
    }
    return [...latest.values()];
  }

  async close(): Promise<void> {}
}

/** The NATS JetStream sink: `<subject>.<database>.<tenant key>`, the newest message per subject is the anchor. */
export class NatsAnchorSink implements AnchorSink {
  readonly name: string;
  private conn: Promise<{ nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager }> | null = null;

  constructor(private readonly cfg: { servers: string; subject: string; stream: string }) {
    this.name = `nats:${cfg.subject}`;
  }

  private connect() {
    this.conn ??= (async () => {
      const nc = await connect({ servers: this.cfg.servers.split(","), timeout: 3000 });
      const jsm = await jetstreamManager(nc);
      try {
        await jsm.streams.info(this.cfg.stream);
      } catch {
        await jsm.streams.add({ name: this.cfg.stream, subjects: [`${this.cfg.subject}.>`], max_msgs_per_subject: 16 });
      }
      return { nc, js: jetstream(nc), jsm };
    })();
    this.conn.catch(() => {
      this.conn = null; // try again next time
    });
    return this.conn;
  }

  private subjectOf(database: string, tenantKey: string): string {
    return `${this.cfg.subject}.${natsToken(database)}.${tenantKey}`;
  }

  async write(records: AnchorRecord[]): Promise<void> {
    if (!records.length) return;
    const { js } = await this.connect();
    for (const r of records) {
      await js.publish(this.subjectOf(r.database, r.tenant_key), JSON.stringify(r), { msgID: `${r.database}:${r.checkpoint_id}` });
    }
  }

  async readLatest(database: string): Promise<AnchorRecord[]> {
    const { jsm } = await this.connect();
    const prefix = `${this.cfg.subject}.${natsToken(database)}.`;
    const info = await jsm.streams.info(this.cfg.stream, { subjects_filter: `${prefix}*` });
    const out: AnchorRecord[] = [];
    for (const subject of Object.keys(info.state.subjects ?? {})) {
      const msg = await jsm.streams.getMessage(this.cfg.stream, { last_by_subj: subject });
      if (!msg) continue;
      try {
        const r = msg.json<AnchorRecord>();
        if (r?.format === ANCHOR_FORMAT && r.database === database) out.push(r);
      } catch {
        /* not an anchor */
      }
    }
    return out;
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    if (c) await (await c.catch(() => null))?.nc.close();
  }
}

/**
 * The webhook sink: each anchor record POSTed as its own JSON body
 * (content-type application/json), signed per Standard Webhooks; the
 * webhook-id is `<database>:<checkpoint_id>`, the same on a resend, so a
 * receiver can deduplicate. Any answer but 2xx (or a refused address, a
 * timeout) fails the write: the records not yet acknowledged are sent again
 * by the next pass. Sends stop at the first failure, so a receiver that
 * hangs costs a pass one timeout, not one per tenant.
 */
export class WebhookAnchorSink implements AnchorSink {
  readonly name: string;
  readonly readable = false;

  constructor(private readonly cfg: WebhookAnchorConfig) {
    const u = new URL(cfg.url);
    // The query string may carry a token: it stays out of the sink's name (stored in checkpoint_anchors).
    this.name = `webhook:${u.origin}${u.pathname}`;
  }

  async write(records: AnchorRecord[]): Promise<void> {
    for (const r of records) {
      const res = await postWebhook(this.cfg.url, this.cfg.secret, `${r.database}:${r.checkpoint_id}`, JSON.stringify(r), this.cfg, "application/json");
      if (!res.ok) throw new Error(`POST of checkpoint ${r.checkpoint_id} failed: ${res.error ?? `HTTP ${res.statusCode}`}`);
    }
  }

  async readLatest(): Promise<AnchorRecord[]> {
    return [];
  }

  async close(): Promise<void> {}
}

export function makeSinks(cfg: AnchorConfig): AnchorSink[] {
  const sinks: AnchorSink[] = [new FileAnchorSink(cfg.file)];
  if (cfg.nats) sinks.push(new NatsAnchorSink(cfg.nats));
  if (cfg.webhook) sinks.push(new WebhookAnchorSink(cfg.webhook));
  return sinks;
}

export interface AnchorResult {
  /** Anchors written, per sink name. */
  written: Record<string, number>;
  /** Sinks that failed (their checkpoints are sent again by the next pass). */
  failed: Record<string, string>;
}

/**
 * Sends each sink the newest signed checkpoint of every tenant it has not
 * received yet, then records its new position (a short transaction of its
 * own per sink, after the write: a crash in between only sends it twice).
 * Never throws for a sink's failure.
 */
export async function anchorCheckpoints(client: pg.ClientBase, sinks: AnchorSink[]): Promise<AnchorResult> {
  const result: AnchorResult = { written: {}, failed: {} };
  const database = (await client.query("select current_database() as d")).rows[0].d as string;
  for (const sink of sinks) {
    const { rows } = await client.query(
      `select distinct on (c.tenant_key) c.tenant_key::text as tenant_key, c.first_seq::text as first_seq, c.last_seq::text as last_seq,
              c.head_hash, c.signed_at, c.key_id, c.signature,
              b.first_seq::text as block_first_seq, b.event_ids[cardinality(b.event_ids)]::text as head_event_id
       from warden_private.seal_checkpoints c
       left join warden_private.checkpoint_anchors a on a.sink = $1 and a.tenant_key = c.tenant_key
       left join lateral (select b.first_seq, b.event_ids from warden_private.seal_blocks b
                          where b.tenant_key = c.tenant_key and b.last_seq = c.last_seq limit 1) b on true
       where c.last_seq > coalesce(a.last_seq, 0)
       order by c.tenant_key, c.last_seq desc`,
      [sink.name],
    );
    if (!rows.length) {
      result.written[sink.name] = 0;
      continue;
    }
    const now = new Date().toISOString();
    const records: AnchorRecord[] = rows.map((r) => ({
      format: ANCHOR_FORMAT,
      database,
      tenant_id: r.tenant_key === ZERO_TENANT ? null : r.tenant_key,
      tenant_key: r.tenant_key,
      checkpoint_id: `${r.tenant_key}:${r.last_seq}`,
      first_seq: Number(r.first_seq),
      last_seq: Number(r.last_seq),
      head_event_id: r.head_event_id ?? null,
      head_block_first_seq: r.block_first_seq === null ? null : Number(r.block_first_seq),
      head_hash: (r.head_hash as Buffer).toString("hex"),
      signed_at: (r.signed_at as Date).toISOString(),
      key_id: r.key_id,
      signature: (r.signature as Buffer).toString("base64"),
      anchored_at: now,
    }));
    try {
      await sink.write(records);
    } catch (err) {
      result.failed[sink.name] = (err as Error).message ?? String(err);
      continue;
    }
    await client.query(
      `insert into warden_private.checkpoint_anchors (sink, tenant_key, last_seq, head_hash, anchored_at)
       select $1, t.k, t.s, t.h, now() from unnest($2::uuid[], $3::bigint[], $4::bytea[]) t(k, s, h)
       on conflict (sink, tenant_key) do update set last_seq = greatest(checkpoint_anchors.last_seq, excluded.last_seq),
         head_hash = case when excluded.last_seq >= checkpoint_anchors.last_seq then excluded.head_hash else checkpoint_anchors.head_hash end,
         anchored_at = now()`,
      [sink.name, rows.map((r) => r.tenant_key), rows.map((r) => r.last_seq), rows.map((r) => r.head_hash)],
    );
    result.written[sink.name] = records.length;
  }
  return result;
}

/** The newest valid anchor of each chain, across sinks, as the verifier uses it. */
export interface AnchorView {
  latest: Map<string, AnchorRecord>;
  /** Anchor records ignored: signature invalid or signed by another key. */
  invalid: number;
  sources: string[];
  /** Sinks that could not be read. */
  unreadable: Record<string, string>;
}

export function anchorSignatureValid(key: SealingKey, r: AnchorRecord): boolean {
  if (r.key_id !== key.keyId) return false;
  try {
    return checkpointSignatureValid(
      key,
      {
        tenantKey: r.tenant_key,
        firstSeq: BigInt(r.first_seq),
        lastSeq: BigInt(r.last_seq),
        headHash: Buffer.from(r.head_hash, "hex"),
        signedAt: new Date(r.signed_at),
      },
      Buffer.from(r.signature, "base64"),
    );
  } catch {
    return false;
  }
}

export async function readAnchors(sinks: AnchorSink[], database: string, key: SealingKey): Promise<AnchorView> {
  const view: AnchorView = { latest: new Map(), invalid: 0, sources: [], unreadable: {} };
  for (const sink of sinks) {
    if (sink.readable === false) continue;
    let records: AnchorRecord[];
    try {
      records = await sink.readLatest(database);
    } catch (err) {
      view.unreadable[sink.name] = (err as Error).message ?? String(err);
      continue;
    }
    view.sources.push(sink.name);
    for (const r of records) {
      if (!anchorSignatureValid(key, r)) {
        view.invalid++;
        continue;
      }
      const prev = view.latest.get(r.tenant_key);
      if (!prev || r.last_seq > prev.last_seq) view.latest.set(r.tenant_key, r);
    }
  }
  return view;
}

/** Sinks are kept per configuration (one NATS connection per process, not per pass). */
const sinkCache = new Map<string, AnchorSink[]>();

export function sinksFor(cfg: AnchorConfig): AnchorSink[] {
  const k = JSON.stringify(cfg);
  let sinks = sinkCache.get(k);
  if (!sinks) sinkCache.set(k, (sinks = makeSinks(cfg)));
  return sinks;
}

/** Closes the cached sinks (the CLI before it exits, tests). */
export async function closeAnchorSinks(): Promise<void> {
  const all = [...sinkCache.values()].flat();
  sinkCache.clear();
  await Promise.all(all.map((s) => s.close().catch(() => undefined)));
}

async function databaseOf(client: pg.ClientBase): Promise<string> {
  return (await client.query("select current_database() as d")).rows[0].d as string;
}

/** After a sealing pass: anchors its checkpoints with the sinks the environment configures. */
export async function anchorFromEnv(client: pg.ClientBase, config: WardenConfig): Promise<AnchorResult> {
  return anchorCheckpoints(client, sinksFor(anchorConfigFromEnv(config, await databaseOf(client))));
}

/** For verify: the newest valid anchors of this database, from the sinks the environment configures. */
export async function anchorsFromEnv(client: pg.ClientBase, config: WardenConfig, key: SealingKey): Promise<AnchorView> {
  const database = await databaseOf(client);
  return readAnchors(sinksFor(anchorConfigFromEnv(config, database)), database, key);
}
