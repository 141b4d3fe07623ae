/**
 * The HTTP surface: trace ids, health, the REST API under /api/v1 and
 * GraphQL at /graphql, with one error shape (problem+json) for all of it.
 */
import http from "node:http";
import express from "express";
import type pg from "pg";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/express/v4";
import type { Authenticator } from "../auth/authenticate";
import { makePreset } from "../graphql/preset";
import { traceMiddleware } from "./trace";
import { requireAuth } from "./auth";
import { healthRoutes } from "./health";
import { openApiDocument } from "./openapi";
import { countRequests, metricsRoutes, routeLabel } from "./metricsRoutes";
import { httpLogger } from "../observability/httpLog";
import { errorHandler, notFound } from "./errorHandler";
import { meRoutes } from "./routes/me";
import { apiKeyRoutes } from "./routes/apiKeys";
import { auditVerifyRoutes } from "./routes/auditVerify";
import { auditQueryRoutes } from "./routes/auditQuery";
import { CursorCodec } from "../audit/cursor";
import { auditIngestRoutes } from "./routes/auditIngest";
import { IngestQueue, type IngestQueueOptions } from "../audit/ingestQueue";
import { auditExportRoutes } from "./routes/auditExport";
import { auditPublicKeyRoutes } from "./routes/auditPublicKey";
import { subjectRoutes } from "./routes/subjects";
import { invitationRoutes } from "./routes/invitations";
import { sessionRoutes } from "./routes/sessions";
import type { TokenService } from "../auth/tokens";
import { subscriptionRoutes } from "./routes/subscriptions";
import { RateLimiter } from "./rateLimit";
import { IngestHandler } from "./ingestHandler";
import { ingestFastPath } from "./ingestFastPath";
import { answerClientErrors } from "./clientError";
import { graphqlBody } from "./graphqlBody";
import { BODY_LIMIT, INVALID_UTF8, strictUtf8 } from "./body";
import type { SealingKey } from "../audit/sealingKey";
import { refuseViewerTokens, viewerGate } from "./viewerScope";
import { viewerTokenRoutes } from "./routes/viewerTokens";
import { auditRowHistoryRoutes } from "./routes/auditRowHistory";
import { viewerRoutes } from "./viewer";
import { UsageMeter, type UsageMeterOptions } from "../usage/meter";
import { countUsage, usageRoutes } from "./routes/usage";
import { graphqlQuota } from "./graphqlQuota";
import { projectActivityRoutes } from "./routes/projectActivity";

export interface AppDeps {
  ownerPool: pg.Pool;
  authPool: pg.Pool;
  authUrl: string;
  authenticator: Authenticator;
  /** Signs session tokens (POST /api/v1/sessions); without it that route answers 503. */
  tokens?: TokenService;
  sealingKey: SealingKey;
  /** Signs pagination cursors. */
  cursorSecret: string;
  /** Group-commit queue bounds (defaults suit one process). */
  ingest?: IngestQueueOptions;
  production: boolean;
  /** Serve plain JSON ingest POSTs before Express (src/http/ingestFastPath.ts); default true. */
  ingestFastPath?: boolean;
  /** Usage meter options (flush interval). */
  usage?: UsageMeterOptions;
}

export interface WardenHttp {
  server: http.Server;
  app: express.Express;
  /** Releases PostGraphile and its pools (not the pools passed in). */
  close(): Promise<void>;
  /** The usage meter (flush() writes its counts now). */
  meter: UsageMeter;
}

export async function createHttp(deps: AppDeps): Promise<WardenHttp> {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");
  const meter = new UsageMeter(deps.ownerPool, deps.usage);
  meter.start();
  const ingest = new IngestHandler(new IngestQueue(deps.authPool, deps.ingest), new RateLimiter(), meter);
  const fastIngest = ingestFastPath({ authenticator: deps.authenticator, handler: ingest, trustProxy: app.get("trust proxy fn"), meter });
  const server = http.createServer(deps.ingestFastPath === false ? app : (req, res) => fastIngest(req, res) || app(req, res));
  answerClientErrors(server);

  app.use(traceMiddleware);
  app.use(httpLogger(routeLabel));
  app.use(countRequests);
  app.use(healthRoutes(deps.ownerPool));
  app.use(metricsRoutes(deps.ownerPool));

  const api = express.Router();
  api.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument);
  });
  // The credential before any body is read or parsed: an anonymous client
  // makes Warden do no parsing work (ingest reads its own body, as text).
  api.use(requireAuth(deps.authenticator));
  api.use(viewerGate); // viewer tokens: audit reads only
  api.use(countUsage(meter));
  // ingest first: the busiest route walks the fewest router layers
  api.use(auditIngestRoutes(ingest));
  api.use(
    express.json({
      limit: BODY_LIMIT,
      strict: false,
      // Refuse bytes that are not UTF-8 instead of silently replacing them.
      verify: (_req, _res, buf) => {
        try {
          strictUtf8.decode(buf);
        } catch {
          throw Object.assign(new Error(INVALID_UTF8), { status: 400, type: "encoding.invalid_utf8" });
        }
      },
    }),
  );
  api.use(meRoutes(deps.authPool));
  api.use(apiKeyRoutes(deps.authPool));
  api.use(invitationRoutes(deps.authPool));
  api.use(sessionRoutes(deps.authPool, deps.tokens));
  api.use(auditVerifyRoutes(deps.ownerPool, deps.sealingKey));
  api.use(auditQueryRoutes(deps.authPool, new CursorCodec(deps.cursorSecret)));
  api.use(auditExportRoutes(deps.authPool, deps.ownerPool, deps.sealingKey));
  api.use(auditPublicKeyRoutes(deps.sealingKey));
  api.use(auditRowHistoryRoutes(deps.authPool));
  api.use(viewerTokenRoutes(deps.authenticator.viewerTokens, deps.authPool));
  api.use(subjectRoutes(deps.authPool, deps.ownerPool, deps.sealingKey));
  api.use(subscriptionRoutes(deps.authPool, deps.ownerPool));
  api.use(usageRoutes(deps.authPool, meter));
  api.use(projectActivityRoutes(deps.authPool));
  app.use("/api/v1", api);
  app.use("/viewer", viewerRoutes());

  // GraphQL needs a credential; Ruru (GraphiQL) itself is a static page.
  app.use("/graphql", requireAuth(deps.authenticator), refuseViewerTokens, countUsage(meter), graphqlBody, graphqlQuota(meter));
  const preset = makePreset({ authUrl: deps.authUrl, production: deps.production });
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  await serv.addTo(app, server);

  app.use(notFound);
  app.use(errorHandler);

  return {
    server,
    app,
    meter,
    close: async () => {
      await meter.close();
      await pgl.release();
      for (const service of preset.pgServices ?? []) {
        await service.release?.();
      }
    },
  };
}
