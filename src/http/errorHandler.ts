/**
 * The last middleware: turns anything thrown into problem+json. Client
 * mistakes (malformed JSON, bodies too large, database input errors) are
 * 4xx; only Warden's own failures are 500, and never carry a stack.
 */
import type { NextFunction, Request, Response } from "express";
import { mapPgError } from "../db/errors";
import { problem, sendProblem } from "./problem";

interface HttpishError {
  type?: string;
  status?: number;
  statusCode?: number;
  message?: string;
}

/** An outage fails every request: say so at most every 5 seconds, not once per request. */
let lastUnavailableLog = 0;
function logUnavailable(message: string): void {
  const now = Date.now();
  if (now - lastUnavailableLog < 5000) return;
  lastUnavailableLog = now;
  console.error(`[http] database unavailable: ${message}`);
}

export function notFound(req: Request, res: Response): void {
  sendProblem(res, problem(404, "route_not_found", `no route for ${req.method} ${req.path}`));
}

export function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const e = (err ?? {}) as HttpishError;
  if (e.type === "entity.parse.failed") {
    sendProblem(res, problem(400, "malformed_json", "the request body is not valid JSON"));
    return;
  }
  if (e.type === "encoding.invalid_utf8") {
    sendProblem(res, problem(400, "invalid_utf8", e.message));
    return;
  }
  if (e.type === "entity.too.large") {
    sendProblem(res, problem(413, "body_too_large", "the request body exceeds the size limit"));
    return;
  }
  if (e.type === "encoding.unsupported" || e.type === "charset.unsupported") {
    sendProblem(res, problem(415, "unsupported_encoding", e.message));
    return;
  }
  const status = e.status ?? e.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    sendProblem(res, problem(status, "bad_request", e.message));
    return;
  }
  const mapped = mapPgError(err);
  if (mapped) {
    if (mapped.status === 503) res.setHeader("Retry-After", "1");
    if (mapped.status === 503) logUnavailable((err as Error).message);
    else if (mapped.status >= 500) console.error(`[http] trace ${res.locals.traceId}: ${(err as Error).message}`);
    sendProblem(
      res,
      problem(mapped.status, mapped.code, mapped.message, {
        ...(mapped.missingRole ? { missing_role: mapped.missingRole } : {}),
        ...(mapped.errors ? { errors: mapped.errors } : {}),
      }),
    );
    return;
  }
  console.error(`[http] trace ${res.locals.traceId}:`, err);
  sendProblem(res, problem(500, "internal_error", "an internal error occurred"));
}
