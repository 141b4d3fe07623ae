/**
 * RFC 7807 problem details: every error Warden's HTTP API returns has this
 * shape, with a stable `code` and the request's `trace_id`.
 */
import type { Response } from "express";

export interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  431: "Request Header Fields Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function problem(status: number, code: string, detail?: string, extra: Record<string, unknown> = {}): Problem {
  return { status, code, title: TITLES[status] ?? "Error", detail, ...extra };
}

/** The problem+json document for `p` (what every error response carries). */
export function problemDocument(p: Problem, traceId: string | undefined): Record<string, unknown> {
  return {
    type: `https://warden.dev/problems/${p.code.replace(/_/g, "-")}`,
    ...p,
    trace_id: traceId,
  };
}

/** Headers a problem response adds beside its content type. */
export function problemHeaders(p: Problem): Record<string, string> {
  return p.status === 401 ? { "WWW-Authenticate": 'Bearer realm="warden"' } : {};
}

export function sendProblem(res: Response, p: Problem): void {
  const traceId: string | undefined = res.locals.traceId;
  for (const [name, value] of Object.entries(problemHeaders(p))) res.setHeader(name, value);
  res.status(p.status).type("application/problem+json").send(JSON.stringify(problemDocument(p, traceId)));
}
