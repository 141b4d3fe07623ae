/**
 * A real Warden HTTP server (Express + PostGraphile) on an ephemeral port,
 * against the test database. Fixtures made for it are committed (each
 * test file uses fresh tenants, so files do not see each other's rows).
 */
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { makePool } from "../../src/db/pools";
import { Authenticator } from "../../src/auth/authenticate";
import { TokenService } from "../../src/auth/tokens";
import { ViewerTokenService } from "../../src/auth/viewerTokens";
import { mintSessionToken } from "../../src/auth/sessions";
import { AuthInvalidationListener } from "../../src/auth/invalidation";
import { createHttp, type WardenHttp } from "../../src/http/app";
import type { SealingKey } from "../../src/audit/sealingKey";
import type { IngestQueueOptions } from "../../src/audit/ingestQueue";
import { authUrl, createApiKey, createTenant, createUser, ownerUrl, testSealingKey } from "./db";

export interface TestServer {
  url: string;
  tokens: TokenService;
  secret: string;
  ownerPool: pg.Pool;
  authenticator: Authenticator;
  /** The process's LISTEN connection for authentication cache invalidation. */
  invalidation: AuthInvalidationListener;
  sealingKey: SealingKey;
  /** A token of a new session of a member (warden.user_sessions). */
  signToken(tenantId: string, userId: string, ttlSeconds?: number): Promise<string>;
  /** Writes the usage meter's in-memory counts now and refreshes quotas (src/usage/meter.ts). */
  flushUsage(): Promise<void>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Connect the API through this URL instead (e.g. a proxy the test can cut). */
  authUrl?: string;
  ingest?: IngestQueueOptions;
  /** false: every ingest POST goes through Express (the fast path's reference). */
  ingestFastPath?: boolean;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const secret = randomBytes(32).toString("base64url");
  const tokens = new TokenService(secret);
  const ownerPool = makePool(ownerUrl(), 5, "warden-test-owner");
  const apiUrl = opts.authUrl ?? authUrl();
  const authPool = makePool(apiUrl, 10, "warden-test-api");
  const authenticator = new Authenticator(authPool, tokens, new ViewerTokenService(secret));
  const invalidation = new AuthInvalidationListener(apiUrl, { onInvalidate: () => authenticator.flush() });
  await invalidation.start();
  const sealingKey = testSealingKey();
  const http: WardenHttp = await createHttp({
    ownerPool,
    authPool,
    authUrl: apiUrl,
    authenticator,
    tokens,
    sealingKey,
    cursorSecret: secret,
    ingest: opts.ingest,
    ingestFastPath: opts.ingestFastPath,
    production: false,
  });
  await new Promise<void>((resolve) => http.server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = http.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokens,
    secret,
    ownerPool,
    authenticator,
    invalidation,
    sealingKey,
    signToken: async (tenantId, userId, ttlSeconds = 3600) =>
      (await mintSessionToken(ownerPool, tokens, { tenantId, userId, ttlSeconds })).token,
    flushUsage: () => http.meter.flush(),
    close: async () => {
      await invalidation.stop();
      http.server.closeAllConnections();
      await new Promise<void>((resolve) => http.server.close(() => resolve()));
      await http.close();
      await ownerPool.end();
      await authPool.end();
    },
  };
}

export interface TenantFixture {
  tenantId: string;
  users: Record<string, string>;
  tokens: Record<string, string>;
  apiKey: { id: string; key: string };
}

/** A tenant with one user per tenant role, a token for each, and an API key. */
export async function tenantFixture(server: TestServer, name: string): Promise<TenantFixture> {
  const client = await server.ownerPool.connect();
  try {
    const tenantId = await createTenant(client, name);
    const users: Record<string, string> = {};
    const tokens: Record<string, string> = {};
    for (const role of ["owner", "admin", "auditor", "support", "member"]) {
      users[role] = await createUser(client, tenantId, role);
      tokens[role] = (await mintSessionToken(client, server.tokens, { tenantId, userId: users[role], ttlSeconds: 3600 })).token;
    }
    const apiKey = await createApiKey(client, tenantId, "member");
    return { tenantId, users, tokens, apiKey };
  } finally {
    client.release();
  }
}

export async function gql(
  server: TestServer,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** Promotes trigger-captured changes now (warden.flush_capture()), so API reads see them. */
export async function promoteCaptured(server: TestServer): Promise<void> {
  await server.ownerPool.query("select warden.flush_capture()");
}

/**
 * Runs fn (a change that NOTIFYs warden_auth_invalidate) and resolves once
 * the server's listener has received the notification: PostgreSQL delivers
 * it asynchronously, within milliseconds of the commit. Returns how long that took.
 */
export async function afterInvalidation(server: TestServer, fn: () => Promise<unknown>): Promise<number> {
  const before = server.invalidation.notifications;
  await fn();
  const start = performance.now();
  while (server.invalidation.notifications === before) {
    if (performance.now() - start > 10_000) throw new Error("no authentication cache invalidation arrived within 10 s");
    await new Promise((r) => setTimeout(r, 1));
  }
  return performance.now() - start;
}
