/**
 * Bench section "viewer": what a viewer token's server-side scope costs on
 * the read path the audit viewer uses (GET /api/v1/audit/events, a page of
 * 100, 4 clients). Same run, same data, alternating rounds:
 * - an unscoped viewer token vs an auditor's user token (the credential
 *   check and the read-only gate);
 * - a viewer token scoped to one actor (1% of the events) vs the auditor
 *   asking for the same actor with actor_id= (the scope's conditions vs
 *   the same filter given by the caller).
 */
import { mintSessionToken } from "../src/auth/sessions";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { makePool } from "../src/db/pools";
import { Authenticator } from "../src/auth/authenticate";
import { TokenService } from "../src/auth/tokens";
import { ViewerTokenService } from "../src/auth/viewerTokens";
import { createHttp } from "../src/http/app";
import type { BenchContext, BenchSection } from "./types";
import { authenticatorUrl } from "./httpClient";
import { envInt, fmtInt, fmtRatio, withClient, benchSealingKey } from "./util";

const SECONDS = envInt("BENCH_VIEWER_SECONDS", 3);
const ROUNDS = envInt("BENCH_VIEWER_ROUNDS", 3);
const EVENTS = envInt("BENCH_VIEWER_EVENTS", 100_000);
const PAGE = 100;

function get(agent: http.Agent, port: number, token: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method: "GET", agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Pages per second from `clients` keep-alive loops for SECONDS (only 200s count). */
async function pages(port: number, token: string, path: string, clients = 4): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  let ok = 0;
  const stopAt = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < stopAt) if ((await get(agent, port, token, path)) === 200) ok++;
    }),
  );
  agent.destroy();
  return ok / SECONDS;
}

export const viewerSection: BenchSection = {
  name: "viewer",
  async run(ctx: BenchContext): Promise<void> {
    const authUrl = await authenticatorUrl(ctx);
    const secret = randomBytes(32).toString("base64url");
    const tokens = new TokenService(secret);
    const viewerTokens = new ViewerTokenService(secret);
    const fx = await withClient(ctx.ownerUrl, async (c) => {
      const tenant = (await c.query("select warden_private.create_tenant('bench viewer') as id")).rows[0].id as string;
      const owner = (await c.query("select warden_private.create_user($1, $2, 'owner') as id", [tenant, `owner-${randomBytes(4).toString("hex")}@bench.test`])).rows[0].id;
      const auditor = (await c.query("select warden_private.create_user($1, $2, 'auditor') as id", [tenant, `auditor-${randomBytes(4).toString("hex")}@bench.test`])).rows[0].id;
      await c.query(
        `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, resource_type, resource_id, service, event_data, occurred_at)
         select $1, 'bench.viewer.read', 'bench', 'read', 'user', 'u-' || (g % 100), 'order', 'o-' || g, 'shop',
                jsonb_build_object('order', jsonb_build_object('id', g, 'total', g * 1.5)), now() - make_interval(secs => g)
         from generate_series(1, ${EVENTS}) g`,
        [tenant],
      );
      await c.query("vacuum analyze warden.audit_events");
      return { tenant, owner, auditorToken: (await mintSessionToken(c, tokens, { tenantId: tenant, userId: auditor, ttlSeconds: 3600 })).token };
    });
    // Minted as the API mints them: signed, then registered (warden.viewer_tokens).
    const mintViewer = async (scope: Record<string, string>): Promise<string> => {
      const minted = await viewerTokens.sign({ tenantId: fx.tenant, actorId: fx.owner, actorType: "user", scope }, 3600);
      await withClient(ctx.ownerUrl, (c) =>
        c.query("insert into warden.viewer_tokens (id, tenant_id, minted_by, scope, expires_at) values ($1, $2, $3, $4, $5)", [
          minted.tokenId,
          fx.tenant,
          JSON.stringify({ type: "user", id: fx.owner }),
          JSON.stringify(scope),
          minted.expiresAt,
        ]),
      );
      return minted.token;
    };
    const unscoped = await mintViewer({});
    const scoped = await mintViewer({ actor_id: "u-7" });
    ctx.log(`${fmtInt(EVENTS)} events, 100 actors; pages of ${PAGE}, 4 clients, best of ${ROUNDS} alternating rounds of ${SECONDS} s`);

    const ownerPool = makePool(ctx.ownerUrl, 4, "bench-owner");
    const authPool = makePool(authUrl, 10, "bench-api");
    const server = await createHttp({
      ownerPool,
      authPool,
      authUrl,
      authenticator: new Authenticator(authPool, tokens, viewerTokens),
      sealingKey: benchSealingKey(),
      cursorSecret: secret,
      production: true,
    });
    await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.server.address() as AddressInfo).port;
    const all = `/api/v1/audit/events?limit=${PAGE}`;
    const oneActor = `/api/v1/audit/events?limit=${PAGE}&actor_id=u-7`;
    const best = { auditor: 0, viewer: 0, auditorActor: 0, scoped: 0 };
    try {
      await pages(port, fx.auditorToken, all, 2); // warm
      await pages(port, scoped, all, 2);
      for (let round = 0; round < ROUNDS; round++) {
        best.auditor = Math.max(best.auditor, await pages(port, fx.auditorToken, all));
        best.viewer = Math.max(best.viewer, await pages(port, unscoped, all));
        best.auditorActor = Math.max(best.auditorActor, await pages(port, fx.auditorToken, oneActor));
        best.scoped = Math.max(best.scoped, await pages(port, scoped, all));
      }
    } finally {
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => server.server.close(() => resolve()));
      await server.close();
      await ownerPool.end();
      await authPool.end();
    }
    ctx.log(`auditor token: ${fmtInt(best.auditor)} pages/s; unscoped viewer token: ${fmtInt(best.viewer)} pages/s (${fmtRatio(best.viewer / best.auditor)})`);
    ctx.log(`auditor with actor_id=: ${fmtInt(best.auditorActor)} pages/s; viewer token scoped to that actor: ${fmtInt(best.scoped)} pages/s (${fmtRatio(best.scoped / best.auditorActor)})`);
    ctx.record({
      name: `unscoped viewer token vs auditor token, GET page of ${PAGE}`,
      value: `${fmtInt(best.viewer)} pages/s`,
      baseline: `${fmtInt(best.auditor)} pages/s`,
      ratio: best.viewer / best.auditor,
      target: ">= 0.90x",
      met: best.viewer / best.auditor >= 0.9,
    });
    ctx.record({
      name: `viewer token scoped to one actor vs the same actor_id filter, GET page of ${PAGE}`,
      value: `${fmtInt(best.scoped)} pages/s`,
      baseline: `${fmtInt(best.auditorActor)} pages/s`,
      ratio: best.scoped / best.auditorActor,
      target: ">= 0.90x",
      met: best.scoped / best.auditorActor >= 0.9,
    });
  },
};
