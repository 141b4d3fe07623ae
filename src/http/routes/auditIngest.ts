/**
 * POST /api/v1/audit/events through Express. The fast path
 * (src/http/ingestFastPath.ts) takes the usual request before Express sees
 * it; this route serves the rest (compressed bodies, other charsets, bodies
 * without a length) with the same handler (src/http/ingestHandler.ts). It
 * runs after requireAuth and reads the body itself, as text: the handler
 * parses it the one way both paths share (src/http/jsonInput.ts).
 */
import express, { Router, type Response } from "express";
import type { IngestHandler, IngestReply } from "../ingestHandler";
import { sendProblem } from "../problem";
import { BODY_LIMIT, INVALID_UTF8, strictUtf8 } from "../body";

function sendIngestReply(res: Response, reply: IngestReply): void {
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  if (reply.kind === "problem") sendProblem(res, reply.problem);
  else res.status(reply.status).json(reply.body);
}

/** A JSON body as text (inflated, decoded from a utf-* charset, at most 1 MiB; UTF-8 strictly). */
const jsonText = express.text({
  type: "application/json",
  limit: BODY_LIMIT,
  defaultCharset: "utf-8",
  verify: (_req, _res, buf, encoding) => {
    const charset = (encoding ?? "utf-8").toLowerCase();
    if (!charset.startsWith("utf-")) {
      throw Object.assign(new Error(`unsupported charset "${charset.toUpperCase()}"`), { status: 415, type: "charset.unsupported" });
    }
    if (charset !== "utf-8" && charset !== "utf8") return;
    try {
      strictUtf8.decode(buf);
    } catch {
      throw Object.assign(new Error(INVALID_UTF8), { status: 400, type: "encoding.invalid_utf8" });
    }
  },
});

export function auditIngestRoutes(handler: IngestHandler): Router {
  const router = Router();
  router.post("/audit/events", jsonText, async (req, res) => {
    const isJson = Boolean(req.is("application/json"));
    const reply = await handler.handle({
      ctx: req.warden!,
      // no body at all reads as an empty one (an empty object, as on the fast path)
      text: isJson ? (typeof req.body === "string" ? req.body : "") : undefined,
      isJson,
      header: (name) => req.get(name),
      ip: req.ip,
      traceId: res.locals.traceId,
    });
    sendIngestReply(res, reply);
  });
  return router;
}
