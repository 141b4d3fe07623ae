/**
 * POST /api/v1/audit/events through Express. The fast path
 * (src/http/ingestFastPath.ts) takes the usual request before Express sees
 * it; this route serves the rest (compressed bodies, other charsets, bodies
 * without a length) with the same handler (src/http/ingestHandler.ts).
 */
import { Router, type Response } from "express";
import type { IngestHandler, IngestReply } from "../ingestHandler";
import { sendProblem } from "../problem";

function sendIngestReply(res: Response, reply: IngestReply): void {
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  if (reply.kind === "problem") sendProblem(res, reply.problem);
  else res.status(reply.status).json(reply.body);
}

export function auditIngestRoutes(handler: IngestHandler): Router {
  const router = Router();
  router.post("/audit/events", async (req, res) => {
    const reply = await handler.handle({
      ctx: req.warden!,
      body: req.body,
      isJson: Boolean(req.is("application/json")),
      mayHoldNul: req.mayHoldNul !== false,
      header: (name) => req.get(name),
      ip: req.ip,
      traceId: res.locals.traceId,
    });
    sendIngestReply(res, reply);
  });
  return router;
}
