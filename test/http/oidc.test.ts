/**
 * External identity providers, attacked: a JWKS and an OpenID configuration
 * served by the test. Tokens of a tenant's trusted issuer act in that tenant
 * (email or sub mapping, auto_provision); a wrong issuer, a wrong audience,
 * an expired token, an unknown key id, `alg: none`, an HS256 token made
 * with the public key as its secret, and a token of tenant A's issuer aimed
 * at tenant B each get 401 problem+json.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWK, type KeyLike } from "jose";
import { closePools, createUser } from "../support/db";
import { afterInvalidation, gql, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let a: TenantFixture;
let b: TenantFixture;
let idp: http.Server;
let base: string;
let rsa: { privateKey: KeyLike; publicKey: KeyLike };
let ec: { privateKey: KeyLike; publicKey: KeyLike };
let stranger: { privateKey: KeyLike; publicKey: KeyLike };
let jwks: { keys: JWK[] };
let discoveryHits = 0;

const issuerA = () => `${base}/tenant-a`;
const issuerB = () => `${base}/tenant-b`;

beforeAll(async () => {
  rsa = await generateKeyPair("RS256");
  ec = await generateKeyPair("ES256");
  stranger = await generateKeyPair("RS256");
  jwks = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
      { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256", use: "sig" },
    ],
  };
  idp = http.createServer((req, res) => {
    if (req.url === "/tenant-a/.well-known/openid-configuration") {
      discoveryHits++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ issuer: issuerA(), jwks_uri: `${base}/keys` }));
    } else if (req.url === "/keys") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(jwks));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", () => resolve()));
  base = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  server = await startTestServer();
  a = await tenantFixture(server, "OIDC tenant A");
  b = await tenantFixture(server, "OIDC tenant B");
  // Managed through GraphQL by tenant owners (audited).
  const create = `mutation($p: IdentityProviderInput!) { createIdentityProvider(input: {identityProvider: $p}) { identityProvider { rowId tenantId } } }`;
  const ra = await gql(server, a.tokens.owner, create, {
    p: { name: "a-idp", issuer: issuerA(), audience: "warden-a", userClaim: "email", autoProvision: true, defaultRole: "member" },
  });
  expect(ra.body.errors).toBeUndefined();
  const rb = await gql(server, b.tokens.owner, create, {
    p: { name: "b-idp", issuer: issuerB(), jwksUrl: `${base}/keys`, audience: "warden-b", userClaim: "sub", autoProvision: true, defaultRole: "auditor" },
  });
  expect(rb.body.errors).toBeUndefined();
});

afterAll(async () => {
  await server.close();
  await new Promise((r) => idp.close(r));
  await closePools();
});

interface TokenOpts {
  iss?: string;
  aud?: string | string[];
  exp?: number;
  claims?: Record<string, unknown>;
  key?: KeyLike | Uint8Array;
  alg?: string;
  kid?: string;
  sub?: string;
}

function token(o: TokenOpts = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: "alice@a.example", ...o.claims })
    .setProtectedHeader({ alg: o.alg ?? "RS256", kid: o.kid ?? "rsa-1", typ: "JWT" })
    .setIssuer(o.iss ?? issuerA())
    .setAudience(o.aud ?? "warden-a")
    .setSubject(o.sub ?? "alice-sub")
    .setIssuedAt(now - 10)
    .setExpirationTime(o.exp ?? now + 600)
    .sign(o.key ?? rsa.privateKey);
}

const me = (t: string) => fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${t}` } });

async function expect401(t: string, code?: string): Promise<void> {
  const res = await me(t);
  expect(res.status).toBe(401);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as any;
  expect(body).toMatchObject({ status: 401, ...(code ? { code } : {}) });
  expect(body.trace_id).toEqual(expect.any(String));
}

test("a good token of tenant A's issuer acts in tenant A as the member its email names (RS256 and ES256)", async () => {
  const c = await server.ownerPool.connect();
  const alice = await createUser(c, a.tenantId, "support", "Alice@A.example").finally(() => c.release());
  const res = await me(await token());
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ tenant_id: a.tenantId, actor_id: alice, actor_type: "user", tenant_role: "support" });
  const es = await me(await token({ alg: "ES256", kid: "ec-1", key: ec.privateKey }));
  expect(es.status).toBe(200);
  // the issuer URL was discovered once (cached)
  expect(discoveryHits).toBe(1);
});

test("wrong issuer, wrong audience, expired, unknown kid, alg none and HS256-with-the-public-key each get 401", async () => {
  await expect401(await token({ iss: `${base}/not-trusted` }), "untrusted_issuer");
  await expect401(await token({ aud: "someone-else" }), "untrusted_issuer");
  await expect401(await token({ exp: Math.floor(Date.now() / 1000) - 120 }), "token_expired");
  await expect401(await token({ kid: "unknown-kid", key: stranger.privateKey }), "invalid_token");
  // a key id the JWKS has, but signed by another key
  await expect401(await token({ key: stranger.privateKey }), "invalid_token");
  // alg: none (no signature)
  const good = await token();
  const [, payload] = good.split(".");
  const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
  await expect401(none, "invalid_token");
  // HS256 with the provider's public key (as PEM and as the JWKS text) for a secret
  for (const secret of [await exportSPKI(rsa.publicKey), JSON.stringify(jwks.keys[0])]) {
    const hs = await token({ alg: "HS256", kid: "rsa-1", key: new TextEncoder().encode(secret) });
    await expect401(hs, "invalid_token");
  }
  // email_verified false
  await expect401(await token({ claims: { email: "alice@a.example", email_verified: false } }), "email_not_verified");
  // and a good token still works
  expect((await me(await token())).status).toBe(200);
});

test("auto_provision makes a first-seen user a member with the default role, once, audited", async () => {
  const email = `new-${randomUUID().slice(0, 8)}@a.example`;
  const t = await token({ claims: { email, name: "New Person" } });
  const first = await me(t);
  expect(first.status).toBe(200);
  const body = (await first.json()) as any;
  expect(body).toMatchObject({ tenant_id: a.tenantId, tenant_role: "member" });
  const { rows } = await server.ownerPool.query(
    `select m.role, m.joined_via, u.email, u.display_name from warden.tenant_memberships m join warden.users u on u.id = m.user_id
     where m.tenant_id = $1 and m.user_id = $2`,
    [a.tenantId, body.actor_id],
  );
  expect(rows).toEqual([{ role: "member", joined_via: "identity_provider", email, display_name: "New Person" }]);
  server.authenticator.flush();
  expect(((await (await me(t)).json()) as any).actor_id).toBe(body.actor_id);
  const events = await server.ownerPool.query(
    "select count(*)::int as n from warden.audit_events where tenant_id = $1 and event_type = 'governance.membership.added' and event_data -> 'after' ->> 'user_id' = $2",
    [a.tenantId, body.actor_id],
  );
  expect(events.rows[0].n).toBe(1);
});

test("sub mapping: one subject is one user of the provider, never an existing account of the same email", async () => {
  const victimEmail = `victim-${randomUUID().slice(0, 8)}@b.example`;
  const c = await server.ownerPool.connect();
  const victim = await createUser(c, b.tenantId, "owner", victimEmail).finally(() => c.release());
  const t = await token({ iss: issuerB(), aud: "warden-b", sub: "b-subject-1", claims: { email: victimEmail } });
  const res = await me(t);
  expect(res.status).toBe(200);
  const body = (await res.json()) as any;
  expect(body).toMatchObject({ tenant_id: b.tenantId, tenant_role: "auditor" });
  expect(body.actor_id).not.toBe(victim);
  server.authenticator.flush();
  const again = (await (await me(await token({ iss: issuerB(), aud: "warden-b", sub: "b-subject-1" }))).json()) as any;
  expect(again.actor_id).toBe(body.actor_id);
});

test("a token of tenant A's issuer cannot act in tenant B", async () => {
  // B's audience under A's issuer: no provider trusts that pair
  await expect401(await token({ aud: "warden-b" }), "untrusted_issuer");
  // A's key claiming to be B's issuer: not B's signature (B's JWKS here is the same set, so use the stranger's key)
  await expect401(await token({ iss: issuerB(), aud: "warden-b", key: stranger.privateKey, kid: "rsa-1" }), "invalid_token");
  // the email of B's owner through A's issuer acts (if at all) in A, never in B
  const bOwnerEmail = (await server.ownerPool.query("select email from warden.users where id = $1", [b.users.owner])).rows[0].email;
  const res = await me(await token({ claims: { email: bOwnerEmail } }));
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ tenant_id: a.tenantId, tenant_role: "member" });
  // one (issuer, audience) belongs to one tenant: B cannot trust A's pair
  const dup = await gql(
    server,
    b.tokens.owner,
    `mutation($p: IdentityProviderInput!) { createIdentityProvider(input: {identityProvider: $p}) { identityProvider { rowId } } }`,
    { p: { name: "steal", issuer: issuerA(), audience: "warden-a" } },
  );
  expect(dup.body.errors?.[0]?.extensions?.code).toBe("conflict");
});

test("providers are managed by tenant owners and admins only, each change audited, and a disabled provider is refused at once", async () => {
  const list = `{ identityProviders { nodes { rowId name tenantId } } }`;
  const seen = await gql(server, a.tokens.member, list);
  expect(seen.body.data.identityProviders.nodes).toEqual([]);
  const mine = await gql(server, a.tokens.admin, list);
  expect(mine.body.data.identityProviders.nodes).toEqual([expect.objectContaining({ name: "a-idp", tenantId: a.tenantId })]);
  const id = mine.body.data.identityProviders.nodes[0].rowId;
  const byMember = await gql(
    server,
    a.tokens.member,
    `mutation($p: IdentityProviderInput!) { createIdentityProvider(input: {identityProvider: $p}) { identityProvider { rowId } } }`,
    { p: { name: "mine", issuer: `${base}/member`, audience: "x" } },
  );
  expect(byMember.body.errors).toBeDefined();
  const good = await token();
  expect((await me(good)).status).toBe(200);
  let off: any;
  await afterInvalidation(server, async () => {
    off = await gql(
      server,
      a.tokens.admin,
      `mutation($id: UUID!) { updateIdentityProvider(input: {rowId: $id, patch: {enabled: false}}) { identityProvider { enabled } } }`,
      { id },
    );
  });
  expect(off.body.errors).toBeUndefined();
  await expect401(good, "untrusted_issuer");
  const events = await server.ownerPool.query(
    "select event_type from warden.audit_events where tenant_id = $1 and resource_type = 'identity_provider' order by occurred_at",
    [a.tenantId],
  );
  expect(events.rows.map((r) => r.event_type)).toEqual(["governance.identity_provider.created", "governance.identity_provider.updated"]);
  await afterInvalidation(server, () =>
    gql(
      server,
      a.tokens.admin,
      `mutation($id: UUID!) { updateIdentityProvider(input: {rowId: $id, patch: {enabled: true}}) { identityProvider { enabled } } }`,
      { id },
    ),
  );
});

test("an identity provider's token is exchanged for a Warden session token (POST /api/v1/sessions)", async () => {
  const res = await fetch(`${server.url}/api/v1/sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json", "user-agent": "oidc-test/1.0" },
    body: JSON.stringify({ ttl: "15m" }),
  });
  expect(res.status).toBe(201);
  const minted = (await res.json()) as any;
  const who = (await (await me(minted.token)).json()) as any;
  expect(who).toMatchObject({ tenant_id: a.tenantId, actor_type: "user" });
  const { rows } = await server.ownerPool.query("select host(ip) as ip, user_agent, user_id from warden.user_sessions where id = $1", [minted.session_id]);
  expect(rows[0]).toEqual({ ip: "127.0.0.1", user_agent: "oidc-test/1.0", user_id: who.actor_id });
});
