/**
 * Group commit for audit ingest: concurrent POSTs wait in a bounded queue;
 * one writer takes whatever is waiting and records it all in a single
 * transaction, one statement and one round trip
 * (warden_private.record_audit_requests, where one invalid request fails
 * alone), then acknowledges every request only after that commit. When the
 * queue holds too many events or bytes, new requests are refused at once
 * (503) instead of growing memory.
 *
 * One request's input must never fail another's write. The HTTP layer
 * refuses what PostgreSQL would refuse before a request gets here
 * (src/http/jsonInput.ts); should a group's statement fail all the same
 * for anything but a lost connection, its requests are written again in
 * halves, down to the single request that fails, which alone gets the error.
 */
import type pg from "pg";
import type { AuthContext } from "../auth/types";
import { pgSettingsFor, type ClientInfo } from "../db/requestContext";
import { mapPgError } from "../db/errors";
import { observeIngestQueue } from "../metrics";

export interface IngestRequest {
  ctx: AuthContext;
  traceId: string | undefined;
  client: ClientInfo;
  /** The request's event or array of events, already serialised as JSON. */
  eventsJson: string;
  count: number;
  idempotencyKey: string | null;
}

export interface IngestResult {
  event_ids: string[];
  replayed: boolean;
}

interface Pending extends IngestRequest {
  /** The request as one element of record_audit_requests' argument. */
  json: string;
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
  bytes: number;
}

export interface IngestQueueOptions {
  /** Events waiting at most; beyond it, submit() throws QueueFull. */
  maxQueuedEvents?: number;
  /** Events written per transaction at most. */
  maxBatchEvents?: number;
  /** Bytes of JSON written per statement at most (a single larger request goes alone); default 16 MiB. */
  maxBatchBytes?: number;
  /** Bytes of JSON waiting at most; beyond it, submit() throws QueueFull (default 256 MiB). */
  maxQueuedBytes?: number;
  /** Parallel writers (transactions in flight) at most. */
  writers?: number;
  /** Events that must be waiting before a writer starts beside a running one (default 256). */
  minExtraWriterEvents?: number;
}

export class IngestQueue {
  private readonly queue: Pending[] = [];
  private queuedEvents = 0;
  private queuedBytes = 0;
  private activeWriters = 0;
  private readonly maxQueued: number;
  private readonly maxBatch: number;
  private readonly maxBatchBytes: number;
  private readonly maxQueuedBytes: number;
  private readonly writers: number;
  private readonly minExtraWriterEvents: number;

  constructor(
    private readonly pool: pg.Pool,
    opts: IngestQueueOptions = {},
  ) {
    this.maxQueued = opts.maxQueuedEvents ?? 50_000;
    this.maxBatch = opts.maxBatchEvents ?? 1000;
    this.maxBatchBytes = opts.maxBatchBytes ?? 16 * 1024 * 1024;
    this.maxQueuedBytes = opts.maxQueuedBytes ?? 256 * 1024 * 1024;
    this.writers = opts.writers ?? 4;
    this.minExtraWriterEvents = opts.minExtraWriterEvents ?? 256;
    observeIngestQueue(this);
  }

  /** Events the queue holds at most. */
  get capacity(): number {
    return this.maxQueued;
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
    const { role: _role, ...settings } = pgSettingsFor(request.ctx, request.traceId, request.client);
    const json = `{"settings":${JSON.stringify(settings)},"events":${request.eventsJson},"idempotency_key":${JSON.stringify(request.idempotencyKey)}}`;
    if (this.queuedEvents + request.count > this.maxQueued || (this.queuedBytes > 0 && this.queuedBytes + json.length > this.maxQueuedBytes)) {
      return Promise.reject(new QueueFull("the ingest queue is full"));
    }
    return new Promise<IngestResult>((resolve, reject) => {
      this.queue.push({ ...request, json, resolve, reject });
      this.queuedEvents += request.count;
      this.queuedBytes += json.length;
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

  /** The next group: whatever is waiting, up to maxBatch events and maxBatchBytes (at least one request). */
  private take(): Group | undefined {
    if (this.queue.length === 0) return undefined;
    const requests: Pending[] = [];
    let events = 0;
    let bytes = 0;
    while (
      this.queue.length > 0 &&
      (requests.length === 0 || (events + this.queue[0].count <= this.maxBatch && bytes + this.queue[0].json.length <= this.maxBatchBytes))
    ) {
      const next = this.queue.shift()!;
      requests.push(next);
      events += next.count;
      bytes += next.json.length;
    }
    return { requests, events, bytes };
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
          // The statement (its transaction) failed: nothing of it is acknowledged.
          if (isConnectionFailure(err)) {
            broken = true;
            this.fail(group, err);
            return;
          }
          // Something in one request made the whole statement fail: write
          // the group again in halves, so that request alone gets the error.
          if ((await this.split(client, group, err)) !== undefined) {
            broken = true;
            return;
          }
          group = this.take();
          if (group) inFlight = this.send(client, group);
          continue;
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
   * Writes a group whose statement failed as two halves, each again split
   * should it fail, until the request that fails is alone: it gets the
   * error, every other request its own outcome. Returns the connection's
   * error when it was lost meanwhile (every request not yet answered then
   * failed with it), else undefined.
   */
  private async split(client: pg.PoolClient, group: Group, err: unknown): Promise<unknown> {
    if (group.requests.length === 1) {
      this.fail(group, err);
      return undefined;
    }
    const middle = Math.ceil(group.requests.length / 2);
    const halves = [groupOf(group.requests.slice(0, middle)), groupOf(group.requests.slice(middle))];
    for (let i = 0; i < halves.length; i++) {
      let lost: unknown;
      try {
        this.settle(halves[i], await this.send(client, halves[i]));
        continue;
      } catch (halfErr) {
        lost = isConnectionFailure(halfErr) ? halfErr : await this.split(client, halves[i], halfErr);
        if (lost !== undefined && isConnectionFailure(halfErr)) this.fail(halves[i], lost);
      }
      if (lost !== undefined) {
        for (const rest of halves.slice(i + 1)) this.fail(rest, lost);
        return lost;
      }
    }
    return undefined;
  }

  /**
   * One round trip: a single statement is its own transaction, so every
   * request (each under its own context and subtransaction) commits
   * together, and the reply comes only after that commit.
   */
  private async send(client: pg.PoolClient, group: Group): Promise<Outcome[]> {
    const requests = group.requests.length === 1 ? `[${group.requests[0].json}]` : `[${group.requests.map((p) => p.json).join(",")}]`;
    const { rows } = await client.query("select warden_private.record_audit_requests($1::jsonb) as out", [requests]);
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
    this.queuedBytes -= group.bytes;
    group.requests.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) p.resolve(o.result!);
      else p.reject(Object.assign(new Error(o.message), { code: o.code, detail: o.detail ?? undefined, hint: o.hint ?? undefined }));
    });
  }

  /** Fails every request of a group with the error that failed the group as a whole. */
  private fail(group: Group, err: unknown): void {
    this.queuedEvents -= group.events;
    this.queuedBytes -= group.bytes;
    for (const p of group.requests) p.reject(err);
  }
}

/** The database is out of reach or dropped the connection: no statement on it can succeed. */
function isConnectionFailure(err: unknown): boolean {
  return mapPgError(err)?.code === "database_unavailable";
}

function groupOf(requests: Pending[]): Group {
  let events = 0;
  let bytes = 0;
  for (const p of requests) {
    events += p.count;
    bytes += p.json.length;
  }
  return { requests, events, bytes };
}
