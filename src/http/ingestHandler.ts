/**
 * POST /api/v1/audit/events, independent of the HTTP framework: one event
 * object or an array of up to 1,000. Validation and writing happen in
 * warden.record_audit_events (the rules live there, shared with GraphQL);
 * this adds what only HTTP knows: parsing the body (exact numbers), refusing
 * what PostgreSQL could not store (src/http/jsonInput.ts) so that it never
 * fails a group commit shared with other requests, header defaults, the
 * Idempotency-Key, rate limits, and group commit through the ingest queue
 * (acknowledged only after commit). Both the Express route and the ingest
 * fast path (src/http/ingestFastPath.ts) call it, so the two cannot drift.
 */
import type { AuthContext } from "../auth/types";
import { IngestQueue, QueueFull } from "../audit/ingestQueue";
import type { RateLimiter } from "./rateLimit";
import { problem, type Problem } from "./problem";
import { problemForError } from "./errorHandler";
import { inspectJson, parseJson } from "./jsonInput";
import { eventsIngested, ingestInFlight, ingestLabels, ingestOverloaded, rateLimited, timed, writeDuration, writeFailures } from "../metrics";
import { postedOperation } from "../observability/labels";
import type { UsageMeter } from "../usage/meter";
import { quotaProblem, quotaWarningHeaders } from "./quota";

const DEFAULT_RATE = 500;

/** What the handler needs to know about one request. */
export interface IngestHttpRequest {
  ctx: AuthContext;
  /** The body as text, decoded as strict UTF-8 (undefined when it was not JSON). */
  text: string | undefined;
  isJson: boolean;
  /** A request header by lower-case name. */
  header(name: string): string | undefined;
  ip: string | undefined;
  traceId: string | undefined;
}

/** A response to send: a JSON document or a problem. */
export type IngestReply =
  | { kind: "json"; status: number; headers: Record<string, string>; body: unknown }
  | { kind: "problem"; problem: Problem; headers: Record<string, string> };

const HEADER_DEFAULTS: [string, (item: Record<string, unknown>, v: string) => void][] = [
  ["x-event-type", (item, v) => (item.event_type ??= v)],
  ["x-service", (item, v) => (item.service ??= v)],
  ["x-correlation-id", (item, v) => (item.correlation_id ??= v)],
  ["x-outcome", (item, v) => (item.outcome ??= v)],
  [
    "x-resource-type",
    (item, v) => {
      if (item.resource === undefined) item.resource = { type: v };
      else if (item.resource && typeof item.resource === "object" && !Array.isArray(item.resource)) {
        (item.resource as Record<string, unknown>).type ??= v;
      }
    },
  ],
];

const OUTCOMES = new Set(["success", "failure", "unknown"]);
/** The outcome label: the database accepted the event, so it is one of its three outcomes (case aside). */
function outcomeLabel(v: unknown): string {
  const o = typeof v === "string" ? v.toLowerCase() : "success";
  return OUTCOMES.has(o) ? o : "unknown";
}

const invalid = (detail: string, errors: { pointer: string; reason: string }[]): IngestReply => ({
  kind: "problem",
  problem: problem(400, "validation_failed", detail, { errors }),
  headers: {},
});

export class IngestHandler {
  constructor(
    private readonly queue: IngestQueue,
    private readonly limiter: RateLimiter,
    /** Usage metering and the monthly event quota (src/usage/meter.ts); none in isolated tests. */
    private readonly meter?: UsageMeter,
  ) {}

  async handle(req: IngestHttpRequest): Promise<IngestReply> {
    const { ctx, text } = req;
    if (!req.isJson || text === undefined) {
      return { kind: "problem", problem: problem(415, "unsupported_media_type", "send the events as application/json"), headers: {} };
    }
    let body: unknown;
    try {
      body = parseJson(text);
    } catch {
      return { kind: "problem", problem: problemForError({ type: "entity.parse.failed" }, req.traceId).problem, headers: {} };
    }
    if (body === null || typeof body !== "object") {
      return invalid("the body must be an event object or an array of events", [{ pointer: "", reason: "an object or an array" }]);
    }
    const isBatch = Array.isArray(body);
    const items = (isBatch ? body : [body]) as unknown[];
    if (items.length === 0 || items.length > 1000) {
      return invalid(`a batch holds 1 to 1000 events, got ${items.length}`, [{ pointer: "", reason: "1 to 1000 events" }]);
    }
    // What PostgreSQL would refuse, or too deep to serialise, fails this
    // request here: it never reaches a group commit shared with others.
    // U+0000 and lone surrogates can only arrive escaped (\u....).
    const unstorable = inspectJson(body, { fieldDepth: isBatch ? 3 : 2, scanStrings: text.includes("\\u") });
    if (unstorable.length) return invalid("the body holds values that cannot be stored as sent", unstorable);
    const defaults: [string, (item: Record<string, unknown>, v: string) => void][] = [];
    for (const [header, apply] of HEADER_DEFAULTS) {
      const v = req.header(header);
      if (v) defaults.push([v, apply]);
    }
    if (defaults.length) {
      for (const item of items) {
        if (!item || typeof item !== "object" || Array.isArray(item)) continue; // reported by the database's rules
        for (const [v, apply] of defaults) apply(item as Record<string, unknown>, v);
      }
    }
    const idempotencyKey = req.header("idempotency-key");
    if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > 255)) {
      return { kind: "problem", problem: problem(400, "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 characters"), headers: {} };
    }
    const decision = this.limiter.take(`${ctx.actorType}:${ctx.actorId}`, ctx.rateLimitPerSecond ?? DEFAULT_RATE, items.length);
    const headers: Record<string, string> = {
      "RateLimit-Limit": String(decision.limit),
      "RateLimit-Remaining": String(decision.remaining),
      "RateLimit-Reset": String(decision.reset),
    };
    if (!decision.allowed) {
      rateLimited.inc();
      headers["Retry-After"] = String(decision.retryAfter);
      return {
        kind: "problem",
        problem: problem(429, "rate_limited", `at most ${decision.limit} events per second for this credential; this request is admitted after ${decision.retryAfter} s`, {
          retry_after: decision.retryAfter,
        }),
        headers,
      };
    }
    if (this.meter) {
      // the monthly event quota: a warning past the soft limit, 429 past the hard one
      const verdict = await this.meter.checkQuota(ctx.tenantId, items.length);
      if (verdict.state === "hard") {
        const refused = quotaProblem(verdict);
        return { kind: "problem", problem: refused.problem, headers: { ...headers, ...refused.headers } };
      }
      Object.assign(headers, quotaWarningHeaders(verdict, items.length));
    }
    ingestInFlight.inc();
    try {
      const result = await timed(writeDuration, () =>
        this.queue.submit({
          ctx,
          traceId: req.traceId,
          client: { ip: req.ip, userAgent: req.header("user-agent") },
          eventsJson: JSON.stringify(isBatch ? items : items[0]),
          count: items.length,
          idempotencyKey: idempotencyKey ?? null,
        }),
      );
      if (!result.replayed) {
        this.meter?.countAccepted(ctx.tenantId, result.event_ids.length);
        for (const item of items as Record<string, unknown>[]) {
          eventsIngested.inc({
            source: "api",
            service: ingestLabels.service(item.service),
            operation: ingestLabels.operation(postedOperation(item)),
            outcome: outcomeLabel(item.outcome),
          });
        }
      }
      return {
        kind: "json",
        status: result.replayed ? 200 : 201,
        headers,
        body: { event_ids: result.event_ids, count: result.event_ids.length, replayed: result.replayed },
      };
    } catch (err) {
      if (err instanceof QueueFull) {
        ingestOverloaded.inc();
        return { kind: "problem", problem: problem(503, "overloaded", "the ingest queue is full; retry shortly"), headers: { ...headers, "Retry-After": "1" } };
      }
      // validation problems map to 400 validation_failed with their pointers (src/db/errors.ts)
      const mapped = problemForError(err, req.traceId);
      if (mapped.problem.status >= 500) writeFailures.inc({ reason: mapped.problem.status === 503 ? "database_unavailable" : "error" });
      return { kind: "problem", problem: mapped.problem, headers: { ...headers, ...mapped.headers } };
    } finally {
      ingestInFlight.dec();
    }
  }
}
