/**
 * The ingest fast path: `POST /api/v1/audit/events` with a plain JSON body
 * is served straight from Node's request event, before Express. On this
 * route the router, body-parser, type-is and response helpers cost more CPU
 * than everything else the server does per event, and services post here
 * far more often than anywhere else.
 *
 * Same contract as the Express route, and the same code behind it
 * (IngestHandler): trace ids, authentication before the body is read, the
 * 1 MiB limit (413), strict UTF-8, malformed JSON (400), problem+json for
 * every error, the request counter. A request it does not fully understand from its headers alone
 * (a compressed body, another charset or media type, no body length, another
 * path spelling) is left to Express before a byte of the body is read.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import proxyaddr from "proxy-addr";
import type { UsageMeter } from "../usage/meter";
import type { Authenticator } from "../auth/authenticate";
import type { AuthContext } from "../auth/types";
import type { IngestHandler, IngestReply } from "./ingestHandler";
import { problem, problemDocument, problemHeaders, type Problem } from "./problem";
import { problemForError } from "./errorHandler";
import { traceIdFromHeaders } from "./trace";
import { httpRequests } from "../metrics";
import { BODY_LIMIT, INVALID_UTF8, strictUtf8 } from "./body";
import { actorOf, logRequest } from "../observability/httpLog";

const ROUTE = "/api/v1/audit/events";


/** `application/json`, with at most a UTF-8 charset parameter. */
function isPlainJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(";");
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (type !== "application/json") return false;
  if (semi < 0) return true;
  const params = contentType.slice(semi + 1).trim().toLowerCase();
  return params === "" || params === "charset=utf-8" || params === 'charset="utf-8"';
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

export interface IngestFastPathDeps {
  authenticator: Authenticator;
  handler: IngestHandler;
  /** Express's compiled "trust proxy" function, so req.ip reads the same on both paths. */
  trustProxy: (addr: string, i: number) => boolean;
  /** Counts answered requests for usage metering (src/usage/meter.ts). */
  meter?: UsageMeter;
}

/** Returns a request listener that serves the requests it takes and returns false for the rest. */
export function ingestFastPath(deps: IngestFastPathDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== "POST") return false;
    const url = req.url ?? "";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    if (path !== ROUTE && path !== `${ROUTE}/`) return false;
    if (!isPlainJson(req.headers["content-type"])) return false;
    const encoding = req.headers["content-encoding"];
    if (encoding !== undefined && encoding.toLowerCase() !== "identity") return false;
    if (req.headers["content-length"] === undefined) return false;
    serve(deps, req, res);
    return true;
  };
}

/** When each request started and who made it, for its log line. */
const started = new WeakMap<ServerResponse, { start: number; ctx?: AuthContext }>();

function serve(deps: IngestFastPathDeps, req: IncomingMessage, res: ServerResponse): void {
  const traceId = traceIdFromHeaders((name) => header(req, name));
  const meta: { start: number; ctx?: AuthContext } = { start: Date.now() };
  started.set(res, meta);
  req.on("error", () => res.destroy()); // the client went away mid-body: nobody to answer
  authenticated(deps, req, res, traceId)
    .then((ctx) => {
      if (!ctx) return;
      meta.ctx = ctx;
      const declared = Number(req.headers["content-length"]);
      if (!(declared <= BODY_LIMIT)) {
        // Node discards the unread body once the response is finished.
        sendProblem(res, traceId, problemForError({ type: "entity.too.large" }, traceId).problem);
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      req.on("data", (chunk: Buffer) => {
        received += chunk.length;
        chunks.push(chunk);
      });
      req.on("end", () => {
        const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received);
        respond(deps, req, res, traceId, ctx, raw).catch((err) => fail(res, traceId, err));
      });
    })
    .catch((err) => fail(res, traceId, err));
}

/** Only a bug in this module gets here; the handler turns its own failures into replies. */
function fail(res: ServerResponse, traceId: string, err: unknown): void {
  if (res.headersSent) res.destroy();
  else sendProblem(res, traceId, problemForError(err, traceId).problem);
}

/**
 * The credential first, before a byte of the body is read: an anonymous or
 * refused client makes Warden read and parse nothing (the body is left
 * unread; Node discards it after the answer).
 */
async function authenticated(deps: IngestFastPathDeps, req: IncomingMessage, res: ServerResponse, traceId: string): Promise<AuthContext | null> {
  let auth;
  try {
    auth = await deps.authenticator.authenticate(header(req, "authorization"));
  } catch (err) {
    const mapped = problemForError(err, traceId);
    sendProblem(res, traceId, mapped.problem, mapped.headers);
    return null;
  }
  if (!auth.ok) {
    sendProblem(res, traceId, problem(auth.failure.status, auth.failure.code, auth.failure.detail));
    return null;
  }
  if (auth.context.viewer) {
    sendProblem(res, traceId, problem(403, "viewer_token_read_only", "a viewer token may only read the audit trail"));
    return null;
  }
  return auth.context;
}

async function respond(deps: IngestFastPathDeps, req: IncomingMessage, res: ServerResponse, traceId: string, ctx: AuthContext, raw: Buffer): Promise<void> {
  let text: string;
  try {
    text = strictUtf8.decode(raw);
  } catch {
    sendProblem(res, traceId, problemForError({ type: "encoding.invalid_utf8", message: INVALID_UTF8 }, traceId).problem);
    return;
  }
  const reply: IngestReply = await deps.handler.handle({
    ctx,
    text,
    isJson: true,
    header: (name) => header(req, name),
    ip: proxyaddr(req, deps.trustProxy),
    traceId,
  });
  deps.meter?.countRequest(ctx, reply.kind === "problem" ? reply.problem.status : reply.status);
  if (reply.kind === "problem") sendProblem(res, traceId, reply.problem, reply.headers);
  else send(res, traceId, reply.status, "application/json; charset=utf-8", JSON.stringify(reply.body), reply.headers);
}

function send(res: ServerResponse, traceId: string, status: number, contentType: string, body: string, headers: Record<string, string>): void {
  httpRequests.inc({ route: ROUTE, method: "POST", status: String(status) });
  res.writeHead(status, {
    ...headers,
    "X-Trace-Id": traceId,
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
  const meta = started.get(res);
  logRequest({
    trace_id: traceId,
    tenant: meta?.ctx?.tenantId ?? null,
    actor: actorOf(meta?.ctx),
    route: ROUTE,
    path: ROUTE,
    method: "POST",
    status,
    duration_ms: meta ? Date.now() - meta.start : 0,
  });
}

function sendProblem(res: ServerResponse, traceId: string, p: Problem, headers: Record<string, string> = {}): void {
  send(res, traceId, p.status, "application/problem+json; charset=utf-8", JSON.stringify(problemDocument(p, traceId)), { ...headers, ...problemHeaders(p) });
}
