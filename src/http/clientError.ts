/**
 * Requests Node's HTTP parser refuses before any route sees them (headers
 * over 16 KiB, a bad Content-Length, Content-Length with Transfer-Encoding,
 * a bare CR or LF or NUL in a header, a request that is not HTTP) get the
 * same problem+json as every other error, with a stable code and a trace
 * id, wherever the connection can still carry an answer. Without this
 * `clientError` listener Node answers a bare "400 Bad Request" or "431".
 */
import type http from "node:http";
import type { Duplex } from "node:stream";
import { problem, problemDocument, type Problem } from "./problem";
import { traceIdFromHeaders } from "./trace";
import { httpRequests } from "../metrics";

interface ParserError extends Error {
  code?: string;
  /** llhttp's own words, e.g. "Invalid character in Content-Length" */
  reason?: string;
}

const REASONS: Record<number, string> = { 400: "Bad Request", 408: "Request Timeout", 413: "Payload Too Large", 431: "Request Header Fields Too Large" };

/** The problem for a parser error (exported for tests). */
export function clientErrorProblem(err: ParserError): Problem {
  const parser = err.code ?? "unknown";
  switch (parser) {
    case "HPE_HEADER_OVERFLOW":
      return problem(431, "headers_too_large", "the request's headers exceed 16 KiB", { parser_error: parser });
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return problem(413, "chunk_extensions_too_large", "the chunk extensions of the request body are too large", { parser_error: parser });
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return problem(408, "request_timeout", "the request did not arrive in time", { parser_error: parser });
    default:
      return problem(400, "malformed_request", `the request is not valid HTTP/1.1${err.reason ? `: ${err.reason}` : ""}`, { parser_error: parser });
  }
}

/** Registers the listener on an HTTP server. */
export function answerClientErrors(server: http.Server): void {
  server.on("clientError", (err: ParserError, socket: Duplex) => {
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer = () => {
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      const p = clientErrorProblem(err);
      const traceId = traceIdFromHeaders(() => undefined);
      const body = JSON.stringify(problemDocument(p, traceId));
      httpRequests.inc({ route: "(unparsed)", method: "", status: String(p.status) });
      socket.end(
        `HTTP/1.1 ${p.status} ${REASONS[p.status] ?? "Bad Request"}\r\n` +
          "Content-Type: application/problem+json; charset=utf-8\r\n" +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Trace-Id: ${traceId}\r\n` +
          "Connection: close\r\n\r\n" +
          body,
        () => socket.destroy(),
      );
    };
    // The bytes before the bad ones may have been a whole request (a body
    // longer than its Content-Length): its response is written first.
    const inFlight = (socket as Duplex & { _httpMessage?: http.ServerResponse | null })._httpMessage;
    if (inFlight && !inFlight.writableFinished) inFlight.once("finish", answer);
    else answer();
  });
}
