/**
 * Group commit for audit ingest: concurrent POSTs wait in a bounded queue;
 * one writer takes whatever is waiting and records it all in a single
 * transaction (one savepoint per request, so one bad request fails alone),
 * then acknowledges every request only after that commit. When the queue
 * holds too many events, new requests are refused at once (503) instead of
 * growing memory.
 */
import type pg from "pg";
import type { AuthContext } from "../auth/types";
import { applyRequestSettings, type ClientInfo } from "../db/requestContext";
import { ROLE_VISITOR } from "../config";

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
  /** Parallel writers (transactions in flight). */
  writers?: number;
}

export class IngestQueue {
  private readonly queue: Pending[] = [];
  private queuedEvents = 0;
  private activeWriters = 0;
  private readonly maxQueued: number;
  private readonly maxBatch: number;
  private readonly writers: number;

  constructor(
    private readonly pool: pg.Pool,
    opts: IngestQueueOptions = {},
  ) {
    this.maxQueued = opts.maxQueuedEvents ?? 50_000;
    this.maxBatch = opts.maxBatchEvents ?? 5_000;
    this.writers = opts.writers ?? 2;
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
    const outcomes: ({ ok: true; result: IngestResult } | { ok: false; err: unknown })[] = [];
    let broken = false;
    try {
      await client.query("begin");
      await client.query(`set local role ${client.escapeIdentifier(ROLE_VISITOR)}`);
      for (const p of batch) {
        await client.query("savepoint ingest_request");
        try {
          await applyRequestSettings(client, p.ctx, p.traceId, p.client);
          const { rows } = await client.query("select warden.record_audit_events($1::jsonb, $2) as r", [JSON.stringify(p.events), p.idempotencyKey]);
          await client.query("release savepoint ingest_request");
          outcomes.push({ ok: true, result: rows[0].r });
        } catch (err) {
          await client.query("rollback to savepoint ingest_request");
          outcomes.push({ ok: false, err });
        }
      }
      await client.query("commit");
    } catch (err) {
      // The transaction (or the connection) failed: nothing of it is acknowledged.
      broken = true;
      await client.query("rollback").catch(() => undefined);
      for (const p of batch) p.reject(err);
    } finally {
      client.release(broken);
    }
    if (broken) return;
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) p.resolve(o.result);
      else p.reject(o.err);
    });
  }
}
