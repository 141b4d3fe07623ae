/**
 * POST /api/v1/audit/events: one event object or an array of up to 1,000.
 * Validation and writing happen in warden.record_audit_events (the rules
 * live there, shared with GraphQL); this route adds what only HTTP knows:
 * header defaults, the Idempotency-Key, NUL checks, rate limits, and group
 * commit through the ingest queue (acknowledged only after commit).
 */
import { Router } from "express";
import { IngestQueue, QueueFull } from "../../audit/ingestQueue";
import type { RateLimiter } from "../rateLimit";
import { problem, sendProblem } from "../problem";
import { eventsIngested, ingestInFlight, rateLimited, timed, writeDuration } from "../../metrics";

const DEFAULT_RATE = 500;
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

/** JSON pointers of strings (values or keys) that contain U+0000, which PostgreSQL cannot store. */
function nulPointers(value: unknown, pointer = ""): string[] {
  if (typeof value === "string") return value.includes("\u0000") ? [pointer || "/"] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulPointers(v, `${pointer}/${i}`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) =>
      k.includes("\u0000") ? [`${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`] : nulPointers(v, `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`),
    );
  }
  return [];
}

export function auditIngestRoutes(queue: IngestQueue, limiter: RateLimiter): Router {
  const router = Router();
  router.post("/audit/events", async (req, res, next) => {
    const ctx = req.warden!;
    const body: unknown = req.body;
    const isBatch = Array.isArray(body);
    if (!req.is("application/json")) {
      sendProblem(res, problem(415, "unsupported_media_type", "send the events as application/json"));
      return;
    }
    if (body === null || typeof body !== "object") {
      sendProblem(res, problem(400, "validation_failed", "the body must be an event object or an array of events", { errors: [{ pointer: "", reason: "an object or an array" }] }));
      return;
    }
    const items = (isBatch ? body : [body]) as unknown[];
    if (items.length === 0 || items.length > 1000) {
      sendProblem(res, problem(400, "validation_failed", `a batch holds 1 to 1000 events, got ${items.length}`, { errors: [{ pointer: "", reason: "1 to 1000 events" }] }));
      return;
    }
    const nul = req.mayHoldNul === false ? [] : nulPointers(body);
    if (nul.length) {
      sendProblem(res, problem(400, "validation_failed", "strings must not contain U+0000", { errors: nul.map((pointer) => ({ pointer, reason: "contains U+0000" })) }));
      return;
    }
    const defaults = HEADER_DEFAULTS.map(([header, apply]) => [req.get(header), apply] as const).filter(([v]) => v);
    if (defaults.length) {
      for (const item of items) {
        if (!item || typeof item !== "object" || Array.isArray(item)) continue; // reported by the database's rules
        for (const [v, apply] of defaults) apply(item as Record<string, unknown>, v!);
      }
    }
    const idempotencyKey = req.get("idempotency-key");
    if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > 255)) {
      sendProblem(res, problem(400, "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 characters"));
      return;
    }
    const decision = limiter.take(`${ctx.actorType}:${ctx.actorId}`, ctx.rateLimitPerSecond ?? DEFAULT_RATE, items.length);
    res.setHeader("RateLimit-Limit", String(decision.limit));
    res.setHeader("RateLimit-Remaining", String(decision.remaining));
    res.setHeader("RateLimit-Reset", String(decision.retryAfter));
    if (!decision.allowed) {
      rateLimited.inc();
      res.setHeader("Retry-After", String(decision.retryAfter));
      sendProblem(res, problem(429, "rate_limited", `at most ${decision.limit} events per second for this credential`));
      return;
    }
    ingestInFlight.inc();
    try {
      const result = await timed(writeDuration, () =>
        queue.submit({
          ctx,
          traceId: res.locals.traceId,
          client: { ip: req.ip, userAgent: req.get("user-agent") },
          events: isBatch ? items : items[0],
          count: items.length,
          idempotencyKey: idempotencyKey ?? null,
        }),
      );
      if (!result.replayed) {
        for (const item of items as Record<string, unknown>[]) eventsIngested.inc({ outcome: String(item.outcome ?? "unknown").toLowerCase() });
      }
      res.status(result.replayed ? 200 : 201).json({ event_ids: result.event_ids, count: result.event_ids.length, replayed: result.replayed });
    } catch (err) {
      if (err instanceof QueueFull) {
        res.setHeader("Retry-After", "1");
        sendProblem(res, problem(503, "overloaded", "the ingest queue is full; retry shortly"));
        return;
      }
      next(err); // validation problems map to 400 validation_failed with their pointers (src/db/errors.ts)
    } finally {
      ingestInFlight.dec();
    }
  });
  return router;
}
