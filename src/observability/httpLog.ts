/**
 * One JSON line per HTTP request (pino-http): trace_id, tenant, actor,
 * route (the matched pattern; "unmatched" when the request was answered
 * before routing, e.g. a refused credential), path (never the query string,
 * where a token could travel), method, status and duration_ms. Nothing of the
 * request's headers or body is logged. The ingest fast path, which answers
 * before Express, logs the same line through logRequest.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Request, Response } from "express";
import { pinoHttp } from "pino-http";
import type { AuthContext } from "../auth/types";
import { getLogger } from "./logger";

export interface RequestLine {
  trace_id: string;
  tenant: string | null;
  actor: string | null;
  route: string;
  path: string;
  method: string;
  status: number;
  duration_ms: number;
}

function levelFor(status: number): "info" | "warn" | "error" {
  return status >= 500 ? "error" : status >= 400 ? "warn" : "info";
}

export function actorOf(ctx: AuthContext | undefined): string | null {
  return ctx ? `${ctx.actorType}:${ctx.actorId}` : null;
}

/** Logs one request line (the ingest fast path). */
export function logRequest(line: RequestLine): void {
  const log = getLogger();
  const level = levelFor(line.status);
  if (!log.isLevelEnabled(level)) return;
  log[level]({ component: "http", ...line }, "request completed");
}

/** Express middleware; mount it after the trace middleware. */
export function httpLogger(routeOf: (req: Request) => string) {
  return pinoHttp({
    logger: getLogger().child({ component: "http" }),
    // the trace id is the request id; no req/res objects (and so no headers) on the line
    genReqId: (_req: IncomingMessage, res: ServerResponse) => (res as Response).locals?.traceId ?? "",
    customAttributeKeys: { reqId: "trace_id", responseTime: "duration_ms" },
    quietReqLogger: true,
    quietResLogger: true,
    wrapSerializers: false,
    serializers: { req: () => undefined, res: () => undefined, err: () => undefined },
    customLogLevel: (_req, res, err) => (err ? "error" : levelFor(res.statusCode)),
    customSuccessMessage: () => "request completed",
    customErrorMessage: () => "request failed",
    customSuccessObject: (req, res, val: Record<string, unknown>) => fields(req as Request, res as Response, routeOf, val),
    customErrorObject: (req, res, _err, val: Record<string, unknown>) => fields(req as Request, res as Response, routeOf, val),
  });
}

function fields(req: Request, res: Response, routeOf: (req: Request) => string, val: Record<string, unknown>): Record<string, unknown> {
  const ctx = req.warden;
  return {
    tenant: ctx?.tenantId ?? null,
    actor: actorOf(ctx),
    route: routeOf(req),
    // the path without its query string (where a token could travel); a request refused before routing has no route
    path: req.originalUrl.split("?", 1)[0],
    method: req.method,
    status: res.statusCode,
    duration_ms: val.duration_ms,
  };
}
