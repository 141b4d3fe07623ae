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

/** Random bytes drawn 4 KiB at a time: one system call per 256 trace ids, not one each. */
let entropy = Buffer.alloc(0);
let entropyOffset = 0;
function randomTraceId(): string {
  if (entropyOffset + 16 > entropy.length) {
    entropy = randomBytes(4096);
    entropyOffset = 0;
  }
  const id = entropy.toString("hex", entropyOffset, entropyOffset + 16);
  entropyOffset += 16;
  return id;
}

export function traceIdFromHeaders(get: (name: string) => string | undefined): string {
  const tp = get("traceparent")?.trim().toLowerCase();
  const m = tp ? TRACEPARENT.exec(tp) : null;
  if (m && !/^0+$/.test(m[1])) return m[1];
  for (const name of ["x-request-id", "x-correlation-id"]) {
    const v = get(name)?.trim();
    if (v && PRINTABLE_ID.test(v)) return v;
  }
  return randomTraceId();
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
