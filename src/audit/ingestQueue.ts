/**
 * Group commit for audit ingest: concurrent POSTs wait in a bounded queue;
 * one writer takes whatever is waiting and records it all in a single
 * transaction, one statement and one round trip (warden_private.record_audit_requests: one
 * subtransaction per request, so one bad request fails alone),
 * then acknowledges every request only after that commit. When the queue
 * holds too many events, new requests are refused at once (503) instead of
 * growing memory.
 */
import type pg from "pg";
import type { AuthContext } from "../auth/types";
import { pgSettingsFor, type ClientInfo } from "../db/requestContext";

export interface IngestRequest {
  ctx: AuthContext;
  traceId: string | undefined;
  client: ClientInfo;
  events: unknown;
  count: number;
  idempotencyKey: string | null;
}

export interface IngestResult {
  event_ids: string[];
  replayed: boolean;
}

interface Pending extends IngestRequest {
  resolve(result: IngestResult): void;
  reject(err: unknown): void;
}

export class QueueFull extends Error {}

export interface IngestQueueOptions {
  /** Events waiting at most; beyond it, submit() throws QueueFull. */
  maxQueuedEvents?: number;
  /** Events written per transaction at most. */
  maxBatchEvents?: number;
  /** Parallel writers (transactions in flight) at most. */
  writers?: number;
  /** Events that must be waiting before a writer starts beside a running one (default 256). */
  minExtraWriterEvents?: number;
}

export class IngestQueue {
  private readonly queue: Pending[] = [];
  private queuedEvents = 0;
  private activeWriters = 0;
  private readonly maxQueued: number;
  private readonly maxBatch: number;
  private readonly writers: number;
  private readonly minExtraWriterEvents: number;

  constructor(
    private readonly pool: pg.Pool,
    opts: IngestQueueOptions = {},
  ) {
    this.maxQueued = opts.maxQueuedEvents ?? 50_000;
    this.maxBatch = opts.maxBatchEvents ?? 1000;
    this.writers = opts.writers ?? 4;
    this.minExtraWriterEvents = opts.minExtraWriterEvents ?? 256;
  }

  private waitingEvents(): number {
    let n = 0;
    for (const p of this.queue) {
      n += p.count;
      if (n >= this.minExtraWriterEvents) break;
    }
    return n;
  }

  /** Events waiting or being written. */
  get depth(): number {
    return this.queuedEvents;
  }

  submit(request: IngestRequest): Promise<IngestResult> {
    if (this.queuedEvents + request.count > this.maxQueued) {
      return Promise.reject(new QueueFull("the ingest queue is full"));
    }
    return new Promise<IngestResult>((resolve, reject) => {
      this.queue.push({ ...request, resolve, reject });
      this.queuedEvents += request.count;
      this.pump();
    });
  }

  private pump(): void {
    while (this.activeWriters < this.writers && this.queue.length > 0) {
      // A second (third...) writer only for a backlog worth its own
      // transaction: small requests then wait for the running writer and
      // go out in one larger group, which costs the database far less per
      // event than several small groups committing side by side.
      if (this.activeWriters > 0 && this.waitingEvents() < this.minExtraWriterEvents) break;
      const batch: Pending[] = [];
      let events = 0;
      while (this.queue.length > 0 && (batch.length === 0 || events + this.queue[0].count <= this.maxBatch)) {
        const next = this.queue.shift()!;
        batch.push(next);
        events += next.count;
      }
      this.activeWriters++;
      this.write(batch)
        .catch(() => undefined)
        .finally(() => {
          this.activeWriters--;
          this.queuedEvents -= events;
          this.pump();
        });
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    let outcomes: { ok: boolean; result?: IngestResult; code?: string; message?: string; detail?: string; hint?: string }[];
    let broken = false;
    try {
      // One round trip: a single statement is its own transaction, so every
      // request (each under its own context and subtransaction) commits
      // together, and the reply comes only after that commit.
      const requests = batch.map((p) => {
        const { role: _role, ...settings } = pgSettingsFor(p.ctx, p.traceId, p.client);
        return { settings, events: p.events, idempotency_key: p.idempotencyKey };
      });
      const { rows } = await client.query("select warden_private.record_audit_requests($1::jsonb) as out", [JSON.stringify(requests)]);
      outcomes = rows[0].out;
    } catch (err) {
      // The statement (its transaction) or the connection failed: nothing of it is acknowledged.
      broken = true;
      for (const p of batch) p.reject(err);
      return;
    } finally {
      client.release(broken);
    }
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) p.resolve(o.result!);
      else p.reject(Object.assign(new Error(o.message), { code: o.code, detail: o.detail ?? undefined, hint: o.hint ?? undefined }));
    });
  }
}
