/**
 * The last middleware: turns anything thrown into problem+json. Client
 * mistakes (malformed JSON, bodies too large, database input errors) are
 * 4xx; only Warden's own failures are 500, and never carry a stack.
 */
import type { NextFunction, Request, Response } from "express";
import { mapPgError } from "../db/errors";
import { problem, sendProblem, type Problem } from "./problem";
import { errorFields, logger } from "../observability/logger";

interface HttpishError {
  type?: string;
  status?: number;
  statusCode?: number;
  message?: string;
}

const log = () => logger("http");

/** An outage fails every request: say so at most every 5 seconds, not once per request. */
let lastUnavailableLog = 0;
function logUnavailable(message: string): void {
  const now = Date.now();
  if (now - lastUnavailableLog < 5000) return;
  lastUnavailableLog = now;
  log().error({ err: { message } }, "database unavailable");
}

export function notFound(req: Request, res: Response): void {
  sendProblem(res, problem(404, "route_not_found", `no route for ${req.method} ${req.path}`));
}

/**
 * The problem for anything thrown while serving a request (and the headers
 * it needs), logging what is Warden's own fault. Shared by the Express error
 * handler and the ingest fast path.
 */
export function problemForError(err: unknown, traceId: string | undefined): { problem: Problem; headers: Record<string, string> } {
  const e = (err ?? {}) as HttpishError;
  const plain = (p: Problem) => ({ problem: p, headers: {} });
  if (e.type === "entity.parse.failed") return plain(problem(400, "malformed_json", "the request body is not valid JSON"));
  if (e.type === "encoding.invalid_utf8") return plain(problem(400, "invalid_utf8", e.message));
  if (e.type === "entity.too.large") return plain(problem(413, "body_too_large", "the request body exceeds the size limit"));
  if (e.type === "encoding.unsupported" || e.type === "charset.unsupported") return plain(problem(415, "unsupported_encoding", e.message));
  const status = e.status ?? e.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) return plain(problem(status, "bad_request", e.message));
  const mapped = mapPgError(err);
  if (mapped) {
    if (mapped.status === 503) logUnavailable((err as Error).message);
    else if (mapped.status >= 500) log().error({ trace_id: traceId, err: errorFields(err) }, "request failed");
    return {
      problem: problem(mapped.status, mapped.code, mapped.message, {
        ...(mapped.missingRole ? { missing_role: mapped.missingRole } : {}),
        ...(mapped.errors ? { errors: mapped.errors } : {}),
      }),
      headers: mapped.status === 503 ? { "Retry-After": "1" } : {},
    };
  }
  log().error({ trace_id: traceId, err: errorFields(err) }, "request failed");
  return plain(problem(500, "internal_error", "an internal error occurred"));
}

export function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const { problem: p, headers } = problemForError(err, res.locals.traceId);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  sendProblem(res, p);
}
