/**
 * `warden start`: database (embedded unless DATABASE_URL), migrations, the
 * HTTP server and the worker in one process, stopped cleanly on SIGINT/SIGTERM.
 */
import type { AddressInfo } from "node:net";
import { loadConfig, type WardenConfig } from "./config";
import { prepareDatabase, type DatabaseUrls } from "./db/bootstrap";
import { makePool } from "./db/pools";
import { Authenticator } from "./auth/authenticate";
import { TokenService } from "./auth/tokens";
import { ViewerTokenService } from "./auth/viewerTokens";
import { AuthInvalidationListener } from "./auth/invalidation";
import { authInvalidationListenerUp, authInvalidations } from "./metrics";
import { jwtSecret } from "./auth/secret";
import { createHttp, type WardenHttp } from "./http/app";
import { startWorker, type WorkerHandle } from "./worker/runner";
import { loadSealingKey } from "./audit/sealingKey";
import { retentionDaysFromEnv } from "./retention/run";
import { flushLogs, getLogger, logger } from "./observability/logger";

export interface RunningWarden {
  url: string;
  urls: DatabaseUrls;
  stop(): Promise<void>;
}

export async function startWarden(
  config: WardenConfig = loadConfig(),
  opts: { worker?: boolean; log?: (line: string) => void } = {},
): Promise<RunningWarden> {
  getLogger(); // an invalid LOG_LEVEL stops the start here, with its message
  const log = opts.log ?? ((line: string) => logger("server").info(line));
  const urls = await prepareDatabase(config, { migrate: true, log });
  // AUDIT_RETENTION_DAYS reaches SQL (warden_private.retention_default_days)
  // on every connection: the occurred_at window of ingest reaches back that far.
  const session: Record<string, string> = process.env.AUDIT_RETENTION_DAYS ? { "warden.retention_default_days": String(retentionDaysFromEnv()) } : {};
  const ownerPool = makePool(urls.ownerUrl, 10, "warden-owner", session);
  const authPool = makePool(urls.authUrl, 20, "warden-api", session);
  const secret = jwtSecret(config);
  const tokens = new TokenService(secret);
  const authenticator = new Authenticator(authPool, tokens, new ViewerTokenService(secret));
  // Revocations NOTIFY every API process (docs/sessions.md).
  const invalidation = new AuthInvalidationListener(urls.authUrl, {
    onInvalidate: (kind) => {
      authenticator.flush();
      authInvalidations.inc({ kind: ["session", "api_key", "membership", "identity_provider", "reconnect"].includes(kind) ? kind : "other" });
    },
    onStateChange: (up) => authInvalidationListenerUp.set(up ? 1 : 0),
    log,
  });
  await invalidation.start();
  const sealingKey = loadSealingKey(config);
  let httpApp: WardenHttp | undefined;
  let worker: WorkerHandle | undefined;
  try {
    httpApp = await createHttp({
      ownerPool,
      authPool,
      authUrl: urls.authUrl,
      authenticator,
      tokens,
      sealingKey,
      cursorSecret: secret,
      production: config.production,
    });
    await new Promise<void>((resolve, reject) => {
      httpApp!.server.once("error", reject);
      httpApp!.server.listen(config.port, config.host, () => resolve());
    });
    if (opts.worker !== false) {
      worker = await startWorker({ pool: ownerPool, concurrency: config.workerConcurrency, sealingKey });
    }
  } catch (err) {
    await httpApp?.close().catch(() => undefined);
    await invalidation.stop();
    await ownerPool.end().catch(() => undefined);
    await authPool.end().catch(() => undefined);
    if (urls.embedded?.startedHere) await urls.embedded.stop();
    throw err;
  }
  const address = httpApp.server.address() as AddressInfo;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${address.port}`;
  logger("server").info({ url, worker: opts.worker !== false }, "listening");
  let stopped = false;
  return {
    url,
    urls,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await worker?.stop().catch(() => undefined);
      const closed = new Promise<void>((resolve) => httpApp!.server.close(() => resolve()));
      // In-flight requests finish; idle keep-alive connections go now.
      httpApp!.server.closeIdleConnections();
      await closed;
      await httpApp!.close();
      await invalidation.stop();
      await ownerPool.end();
      await authPool.end();
      if (urls.embedded?.startedHere) await urls.embedded.stop();
      flushLogs();
    },
  };
}
