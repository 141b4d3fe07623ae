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

/** What warden_private.record_audit_requests answers per request. */
interface Outcome {
  ok: boolean;
  result?: IngestResult;
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
}

/** Requests written together in one statement. */
interface Group {
  requests: Pending[];
  events: number;
}

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
      const group = this.take()!;
      this.activeWriters++;
      this.runWriter(group)
        .catch(() => undefined)
        .finally(() => {
          this.activeWriters--;
          this.pump();
        });
    }
  }

  /** The next group: whatever is waiting, up to maxBatch events (at least one request). */
  private take(): Group | undefined {
    if (this.queue.length === 0) return undefined;
    const requests: Pending[] = [];
    let events = 0;
    while (this.queue.length > 0 && (requests.length === 0 || events + this.queue[0].count <= this.maxBatch)) {
      const next = this.queue.shift()!;
      requests.push(next);
      events += next.count;
    }
    return { requests, events };
  }

  /**
   * One writer: a connection kept while there is work, one group per
   * statement. As soon as a group's statement returns, the next group goes
   * out on the same connection, and only then are the finished group's
   * requests answered: the database never idles while this process writes
   * HTTP responses, and no group waits for a pool checkout.
   */
  private async runWriter(first: Group): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      this.fail(first, err);
      return;
    }
    let broken = false;
    try {
      let group: Group | undefined = first;
      let inFlight = this.send(client, first);
      while (group) {
        let outcomes: Outcome[];
        try {
          outcomes = await inFlight;
        } catch (err) {
          // The statement (its transaction) or the connection failed: nothing of it is acknowledged.
          broken = true;
          this.fail(group, err);
          return;
        }
        const next = this.take();
        if (next) inFlight = this.send(client, next);
        this.settle(group, outcomes);
        group = next;
      }
    } finally {
      client.release(broken);
    }
  }

  /**
   * One round trip: a single statement is its own transaction, so every
   * request (each under its own context and subtransaction) commits
   * together, and the reply comes only after that commit.
   */
  private async send(client: pg.PoolClient, group: Group): Promise<Outcome[]> {
    const requests = group.requests.map((p) => {
      const { role: _role, ...settings } = pgSettingsFor(p.ctx, p.traceId, p.client);
      return { settings, events: p.events, idempotency_key: p.idempotencyKey };
    });
    const { rows } = await client.query("select warden_private.record_audit_requests($1::jsonb) as out", [JSON.stringify(requests)]);
    return rows[0].out;
  }

  /** Answers every request of a group with its own outcome. */
  private settle(group: Group, outcomes: Outcome[]): void {
    if (!Array.isArray(outcomes) || outcomes.length !== group.requests.length) {
      // never leave a request unanswered, whatever came back
      this.fail(group, new Error(`record_audit_requests answered ${Array.isArray(outcomes) ? outcomes.length : "no list"} for ${group.requests.length} requests`));
      return;
    }
    this.queuedEvents -= group.events;
    group.requests.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) p.resolve(o.result!);
      else p.reject(Object.assign(new Error(o.message), { code: o.code, detail: o.detail ?? undefined, hint: o.hint ?? undefined }));
    });
  }

  /** Fails every request of a group with the error that failed the group as a whole. */
  private fail(group: Group, err: unknown): void {
    this.queuedEvents -= group.events;
    for (const p of group.requests) p.reject(err);
  }
}
