/**
 * Bench section "redaction": reading the same page of audit events masked
 * (the tenant's rules applied by warden.audit_events_redacted) versus raw
 * (an owner with include_redacted=true), through GET /api/v1/audit/events
 * on a real server (4 clients) and as bare SQL on one connection. Also: a
 * tenant with no rules read by an auditor (should cost nothing), and the
 * write-time cost of the BEFORE INSERT redaction trigger (enforce) against
 * the same INSERT with the trigger absent.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { makePool } from "../src/db/pools";
import { Authenticator } from "../src/auth/authenticate";
import { TokenService } from "../src/auth/tokens";
import { mintSessionToken } from "../src/auth/sessions";
import { createHttp } from "../src/http/app";
import type { BenchContext, BenchSection } from "./types";
import { authenticatorUrl } from "./httpClient";
import { envInt, fmtInt, fmtRatio, withClient, benchSealingKey } from "./util";

const SECONDS = envInt("BENCH_REDACTION_SECONDS", 3);
const ROUNDS = envInt("BENCH_REDACTION_ROUNDS", 3);
const EVENTS = envInt("BENCH_REDACTION_EVENTS", 20_000);
const PAGE = 100;
const RULES = [
  { field: "event_data", path: "customer.email", method: "mask" },
  { field: "event_data", path: "customer.phone", method: "hash" },
  { field: "actor_ip", method: "mask" },
  { field: "user_agent", method: "mask" },
];

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

/** GETs of one page from `clients` loops for SECONDS; pages per second. */
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

const seedSql = (n: number) => `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, user_agent, service, event_data, occurred_at)
  select $1, 'bench.redaction.read', 'bench', 'read', 'user', 'u-' || (g % 100), ('203.0.113.' || (g % 250))::inet, 'Mozilla/5.0 (bench ' || g || ')', 'shop',
         jsonb_build_object('customer', jsonb_build_object('email', 'user' || g || '@example.com', 'phone', '+44 20 7946 ' || g, 'name', 'Name ' || g),
                            'order', jsonb_build_object('id', g, 'total', g * 1.5)),
         now() - make_interval(secs => g)
  from generate_series(1, ${n}) g`;

export const redactionSection: BenchSection = {
  name: "redaction",
  async run(ctx: BenchContext): Promise<void> {
    const authUrl = await authenticatorUrl(ctx);
    const secret = randomBytes(32).toString("base64url");
    const tokens = new TokenService(secret);

    const fx = await withClient(ctx.ownerUrl, async (c) => {
      const mk = async (name: string) => {
        const tenant = (await c.query("select warden_private.create_tenant($1) as id", [name])).rows[0].id as string;
        const owner = (await c.query("select warden_private.create_user($1, $2, 'owner') as id", [tenant, `owner-${randomBytes(4).toString("hex")}@bench.test`])).rows[0].id;
        const auditor = (await c.query("select warden_private.create_user($1, $2, 'auditor') as id", [tenant, `auditor-${randomBytes(4).toString("hex")}@bench.test`])).rows[0].id;
        await c.query(seedSql(EVENTS), [tenant]);
        const token = async (userId: string) => (await mintSessionToken(c, tokens, { tenantId: tenant, userId, ttlSeconds: 3600 })).token;
        return { tenant, owner: await token(owner), auditor: await token(auditor) };
      };
      const ruled = await mk("bench redaction (rules)");
      const plain = await mk("bench redaction (no rules)");
      await c.query("select warden.set_redaction_policy('off', $1::jsonb, $2)", [JSON.stringify(RULES), ruled.tenant]);
      await c.query("vacuum analyze warden.audit_events");
      return { ruled, plain };
    });
    ctx.log(`${fmtInt(EVENTS)} events in each of two tenants; ${RULES.length} rules on one (read-time only), none on the other; pages of ${PAGE}`);

    // 1. Bare SQL: the same page through the view, raw (owner + include_redacted) vs masked (auditor).
    const sqlRate = async (tenant: string, role: string, include: boolean) =>
      withClient(authUrl, async (c) => {
        await c.query("begin");
        await c.query(
          `select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.actor_id', 'bench', true),
                  set_config('jwt.claims.actor_type', 'user', true), set_config('jwt.claims.tenant_role', $2, true),
                  set_config('warden.include_redacted', $3, true)`,
          [tenant, role, String(include)],
        );
        await c.query("set local role warden_visitor");
        const sql = `select e.* from warden.audit_events_redacted e where e.event_type = 'bench.redaction.read' order by e.occurred_at desc, e.event_id desc limit ${PAGE}`;
        for (let i = 0; i < 20; i++) await c.query(sql); // warm
        let n = 0;
        const stopAt = Date.now() + SECONDS * 1000;
        while (Date.now() < stopAt) {
          await c.query(sql);
          n++;
        }
        await c.query("rollback");
        return n / SECONDS;
      });
    // alternate, best of ROUNDS each, so drift on a shared machine hits both
    let sqlRaw = 0;
    let sqlMasked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      sqlRaw = Math.max(sqlRaw, await sqlRate(fx.ruled.tenant, "owner", true));
      sqlMasked = Math.max(sqlMasked, await sqlRate(fx.ruled.tenant, "auditor", false));
    }
    const sqlNoRules = await sqlRate(fx.plain.tenant, "auditor", false);
    ctx.log(`SQL page, raw: ${fmtInt(sqlRaw)} pages/s; masked: ${fmtInt(sqlMasked)} pages/s (${fmtRatio(sqlMasked / sqlRaw)}); no-rules tenant: ${fmtInt(sqlNoRules)} pages/s`);

    // 2. Through the API.
    const ownerPool = makePool(ctx.ownerUrl, 4, "bench-owner");
    const authPool = makePool(authUrl, 10, "bench-api");
    const server = await createHttp({
      ownerPool,
      authPool,
      authUrl,
      authenticator: new Authenticator(authPool, tokens),
      sealingKey: benchSealingKey(),
      cursorSecret: secret,
      production: true,
    });
    await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.server.address() as AddressInfo).port;
    const path = `/api/v1/audit/events?event_type=bench.redaction.read&limit=${PAGE}`;
    let httpRaw = 0;
    let httpMasked = 0;
    let httpNoRules = 0;
    try {
      await pages(port, fx.ruled.owner, `${path}&include_redacted=true`, 2); // warm
      // alternate, best of ROUNDS each, so drift on a shared machine hits both
      const raws: number[] = [];
      const masks: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        raws.push(await pages(port, fx.ruled.owner, `${path}&include_redacted=true`));
        masks.push(await pages(port, fx.ruled.auditor, path));
      }
      httpRaw = Math.max(...raws);
      httpMasked = Math.max(...masks);
      httpNoRules = await pages(port, fx.plain.auditor, path);
    } finally {
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => server.server.close(() => resolve()));
      await server.close();
      await ownerPool.end();
      await authPool.end();
    }
    ctx.log(`GET page of ${PAGE}, 4 clients, raw: ${fmtInt(httpRaw)} pages/s; masked: ${fmtInt(httpMasked)} pages/s (${fmtRatio(httpMasked / httpRaw)}); no-rules tenant: ${fmtInt(httpNoRules)} pages/s`);

    // 3. Write time: INSERT ... SELECT of 20,000 events with the trigger absent vs enforce.
    const writeRate = async (tenant: string) =>
      withClient(ctx.ownerUrl, async (c) => {
        await c.query("begin");
        const started = process.hrtime.bigint();
        await c.query(seedSql(20_000), [tenant]);
        const s = Number(process.hrtime.bigint() - started) / 1e9;
        await c.query("rollback");
        return 20_000 / s;
      });
    const noTrigger = Math.max(await writeRate(fx.ruled.tenant), await writeRate(fx.ruled.tenant));
    await withClient(ctx.ownerUrl, (c) => c.query("select warden.set_redaction_policy('enforce', $1::jsonb, $2)", [JSON.stringify(RULES), fx.ruled.tenant]));
    const enforce = Math.max(await writeRate(fx.ruled.tenant), await writeRate(fx.ruled.tenant));
    const otherTenant = Math.max(await writeRate(fx.plain.tenant), await writeRate(fx.plain.tenant));
    await withClient(ctx.ownerUrl, (c) => c.query("select warden.set_redaction_policy('off', $1::jsonb, $2)", [JSON.stringify(RULES), fx.ruled.tenant]));
    ctx.log(
      `INSERT ... SELECT 20,000 events: no trigger ${fmtInt(noTrigger)} rows/s; enforce (4 rules) ${fmtInt(enforce)} rows/s (${fmtRatio(enforce / noTrigger)}); ` +
        `a tenant without a policy while the trigger is installed ${fmtInt(otherTenant)} rows/s (${fmtRatio(otherTenant / noTrigger)})`,
    );

    ctx.record({
      name: `masked vs raw page of ${PAGE}, GET /api/v1/audit/events, 4 clients`,
      value: `${fmtInt(httpMasked)} pages/s`,
      baseline: `${fmtInt(httpRaw)} pages/s raw`,
      ratio: httpMasked / httpRaw,
      target: ">= 0.70x",
      met: httpMasked / httpRaw >= 0.7,
    });
    ctx.record({
      name: `masked vs raw page of ${PAGE}, SQL through the view, 1 connection`,
      value: `${fmtInt(sqlMasked)} pages/s`,
      baseline: `${fmtInt(sqlRaw)} pages/s raw`,
      ratio: sqlMasked / sqlRaw,
      target: ">= 0.70x",
      met: sqlMasked / sqlRaw >= 0.7,
    });
    ctx.record({
      name: "tenant without rules (auditor) vs raw page, GET",
      value: `${fmtInt(httpNoRules)} pages/s`,
      baseline: `${fmtInt(httpRaw)} pages/s raw`,
      ratio: httpNoRules / httpRaw,
    });
    ctx.record({
      name: "write-time enforce (4 rules), INSERT ... SELECT 20,000 events",
      value: `${fmtInt(enforce)} rows/s`,
      baseline: `${fmtInt(noTrigger)} rows/s without the trigger`,
      ratio: enforce / noTrigger,
    });
    ctx.record({
      name: "tenant without a policy while the trigger is installed",
      value: `${fmtInt(otherTenant)} rows/s`,
      baseline: `${fmtInt(noTrigger)} rows/s without the trigger`,
      ratio: otherTenant / noTrigger,
    });
  },
};
