/**
 * Trace ids: taken from W3C traceparent, else X-Request-Id or
 * X-Correlation-Id, else generated; echoed as X-Trace-Id. The id is kept in
 * AsyncLocalStorage so code far from the request (GraphQL error masking)
 * can read it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const PRINTABLE_ID = /^[\x21-\x7e]{1,128}$/;

const storage = new AsyncLocalStorage<{ traceId: string }>();

export function traceIdFromHeaders(get: (name: string) => string | undefined): string {
  const tp = get("traceparent")?.trim().toLowerCase();
  const m = tp ? TRACEPARENT.exec(tp) : null;
  if (m && !/^0+$/.test(m[1])) return m[1];
  for (const name of ["x-request-id", "x-correlation-id"]) {
    const v = get(name)?.trim();
    if (v && PRINTABLE_ID.test(v)) return v;
  }
  return randomBytes(16).toString("hex");
}

export function currentTraceId(): string | undefined {
  return storage.getStore()?.traceId;
}

export function traceMiddleware(req: Request, res: Response, next: NextFunction): void {
  const traceId = traceIdFromHeaders((n) => req.get(n));
  res.locals.traceId = traceId;
  res.setHeader("X-Trace-Id", traceId);
  storage.run({ traceId }, next);
}
