/**
 * Viewer tokens (POST /api/v1/viewer-tokens), by attack: who may mint
 * them, and that a scoped token reads nothing outside its scope on any
 * read path (events with any filter or cursor, one event by id, a
 * correlation, the export, row history), can not write or use GraphQL,
 * and can not be forged, stretched, or reused across tenants.
 */
import { SignJWT } from "jose";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { closePools } from "../support/db";
import { afterInvalidation, gql, startTestServer, type TestServer } from "../support/server";
import { EMAIL, mintViewerToken, viewerFixture, type ViewerFixture } from "../support/viewerFixture";

let server: TestServer;
let t: ViewerFixture;
let other: ViewerFixture;

beforeAll(async () => {
  server = await startTestServer();
  t = await viewerFixture(server, "Viewer token tenant", "vt_app");
  other = await viewerFixture(server, "Other viewer token tenant", "vt_other");
});

afterAll(async () => {
  await server.close();
  await closePools();
});

async function api(path: string, token: string, init: RequestInit = {}): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
  const text = await res.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* jsonl, csv */
  }
  return { status: res.status, body, text };
}

async function mint(scope?: Record<string, string>, ttl?: string, by = t.tokens.owner): Promise<string> {
  const r = await mintViewerToken(server, by, { ...(scope ? { scope } : {}), ...(ttl ? { ttl } : {}) });
  expect(r.status).toBe(201);
  return r.body.token;
}

describe("minting", () => {
  test("owners and admins mint; auditors, support, members and API keys of lesser roles are refused", async () => {
    for (const role of ["owner", "admin"]) {
      const r = await mintViewerToken(server, t.tokens[role], { scope: { actor_id: "alice" }, ttl: "10m" });
      expect(r.status).toBe(201);
      expect(r.body.token).toMatch(/^wdv_/);
      expect(r.body).toMatchObject({ tenant_id: t.tenantId, scope: { actor_id: "alice" } });
      const life = Date.parse(r.body.expires_at) - Date.now();
      expect(life).toBeGreaterThan(8 * 60_000);
      expect(life).toBeLessThanOrEqual(10 * 60_000);
      expect(r.body.viewer_url).toBe(`/viewer/#token=${r.body.token}`);
    }
    for (const token of [t.tokens.auditor, t.tokens.support, t.tokens.member, t.apiKey.key]) {
      const r = await mintViewerToken(server, token, {});
      expect(r.status).toBe(403);
      expect(r.body.code).toBe("missing_role");
    }
  });

  test("a bad scope or ttl is a 400 naming it; a ttl over an hour is refused", async () => {
    const r = await mintViewerToken(server, t.tokens.owner, { scope: { actor_id: "", tenant_id: other.tenantId, event_type: "Bad Type" }, ttl: "2h", extra: 1 });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("validation_failed");
    expect(r.body.errors.map((e: any) => e.pointer).sort()).toEqual(["/extra", "/scope/actor_id", "/scope/event_type", "/scope/tenant_id", "/ttl"]);
    expect((await mintViewerToken(server, t.tokens.owner, { scope: ["actor_id"] })).status).toBe(400);
  });
});

describe("a token scoped to one actor", () => {
  let token: string;
  beforeAll(async () => {
    token = await mint({ actor_id: "alice" });
  });

  test("lists only that actor's events, whatever the filters ask", async () => {
    const all = await api("/api/v1/audit/events?limit=1000", token);
    expect(all.status).toBe(200);
    expect(all.body.data).toHaveLength(30);
    expect(new Set(all.body.data.map((e: any) => e.actor_id))).toEqual(new Set(["alice"]));
    // asking for another actor, or another tenant's data, finds nothing
    expect((await api("/api/v1/audit/events?actor_id=bob", token)).body.data).toEqual([]);
    expect((await api(`/api/v1/audit/events?correlation_id=vt_other-corr-1`, token)).body.data).toEqual([]);
  });

  test("keyset paging stays inside the scope to the last page", async () => {
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; body: any } = await api(`/api/v1/audit/events?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, token);
      expect(r.status).toBe(200);
      seen.push(...r.body.data);
      cursor = r.body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(30);
    expect(seen.every((e) => e.actor_id === "alice")).toBe(true);
  });

  test("a cursor minted by an unscoped reader does not widen it", async () => {
    const wide = await api("/api/v1/audit/events?limit=5", t.tokens.auditor);
    const r = await api(`/api/v1/audit/events?limit=5&cursor=${encodeURIComponent(wide.body.next_cursor)}`, token);
    if (r.status === 200) expect(r.body.data.every((e: any) => e.actor_id === "alice")).toBe(true);
    else expect(r.status).toBe(400);
  });

  test("an event outside the scope is not found by id; one inside is", async () => {
    const bobs = await api("/api/v1/audit/events?actor_id=bob&limit=1", t.tokens.auditor);
    const alices = await api("/api/v1/audit/events?actor_id=alice&limit=1", t.tokens.auditor);
    const outside = await api(`/api/v1/audit/events/${bobs.body.data[0].event_id}`, token);
    expect(outside.status).toBe(404);
    expect(outside.text).not.toContain("bob");
    expect((await api(`/api/v1/audit/events/${alices.body.data[0].event_id}`, token)).status).toBe(200);
    const foreign = await api("/api/v1/audit/events?limit=1", other.tokens.auditor);
    expect((await api(`/api/v1/audit/events/${foreign.body.data[0].event_id}`, token)).status).toBe(404);
  });

  test("a correlation shows only the scope's events of it", async () => {
    const full = await api("/api/v1/audit/correlations/vt_app-corr-1", t.tokens.auditor);
    const mine = await api("/api/v1/audit/correlations/vt_app-corr-1", token);
    expect(full.body.events.some((e: any) => e.actor_id === "bob")).toBe(true);
    expect(mine.body.events.length).toBeGreaterThan(0);
    expect(mine.body.events.every((e: any) => e.actor_id === "alice")).toBe(true);
  });

  test("the export (JSONL and CSV) holds only the scope", async () => {
    const jsonl = await api("/api/v1/audit/export?format=jsonl", token);
    expect(jsonl.status).toBe(200);
    const lines = jsonl.text.trim().split("\n").map((l) => JSON.parse(l));
    const manifest = lines.pop();
    expect(manifest.manifest.count).toBe(30);
    expect(lines.every((e) => e.actor_id === "alice")).toBe(true);
    const bobExport = await api("/api/v1/audit/export?format=jsonl&actor_id=bob", token);
    expect(bobExport.text.trim().split("\n")).toHaveLength(1); // the manifest alone
    const csv = await api("/api/v1/audit/export?format=csv", token);
    expect(csv.text.trim().split("\r\n")).toHaveLength(31);
    expect(csv.text).not.toContain(",bob,");
  });

  test("reads are redacted (a viewer token is never raw, even when it asks)", async () => {
    const r = await api("/api/v1/audit/events?limit=1&include_redacted=true", token);
    expect(r.status).toBe(200);
    expect(r.text).not.toContain(EMAIL);
    expect(r.body.data[0].redacted_fields).toMatchObject({ "event_data.customer.email": "mask", "event_data.customer.ssn": "remove" });
  });

  test("the tenant's chain state is refused to a scoped token", async () => {
    const r = await api("/api/v1/audit/verify", token);
    expect(r.status).toBe(403);
    expect(r.body.code).toBe("outside_viewer_scope");
  });
});

describe("row history under a scope", () => {
  test("a token scoped to the admin sees only the admin's version, without the folded row", async () => {
    const pk = encodeURIComponent(JSON.stringify({ id: t.customerId }));
    const full = await api(`/api/v1/audit/row-history?table=${t.table}&pk=${pk}`, t.tokens.auditor);
    expect(full.status).toBe(200);
    expect(full.body.versions.map((v: any) => v.action)).toEqual(["insert", "update"]);
    expect(full.body.versions[1].row_data).toMatchObject({ tier: "gold" });
    const token = await mint({ actor_id: t.users.admin });
    const scoped = await api(`/api/v1/audit/row-history?table=${t.table}&pk=${pk}`, token);
    expect(scoped.status).toBe(200);
    expect(scoped.body.scoped).toBe(true);
    expect(scoped.body.versions.map((v: any) => v.action)).toEqual(["update"]);
    expect(scoped.body.versions[0].row_data).toBeNull();
    expect(scoped.text).not.toContain(EMAIL);
    // a token scoped to another table sees none of this one
    const elsewhere = await mint({ table_name: "vt_app.nothing" });
    expect((await api(`/api/v1/audit/row-history?table=${t.table}&pk=${pk}`, elsewhere)).body.versions).toEqual([]);
  });

  test("another tenant's row has no history for this tenant's token", async () => {
    const token = await mint();
    const pk = encodeURIComponent(JSON.stringify({ id: other.customerId }));
    const r = await api(`/api/v1/audit/row-history?table=${other.table}&pk=${pk}`, token);
    expect(r.status).toBe(200);
    expect(r.body.versions).toEqual([]);
  });

  test("bad parameters are a 400", async () => {
    const token = await mint();
    expect((await api(`/api/v1/audit/row-history?table=${t.table}&pk=not-json`, token)).status).toBe(400);
    expect((await api(`/api/v1/audit/row-history?pk={}`, token)).status).toBe(400);
    expect((await api(`/api/v1/audit/row-history?table=nope.nope&pk=${encodeURIComponent('{"id":1}')}`, token)).status).toBe(400);
  });
});

test("responses match the OpenAPI document's schemas", async () => {
  const doc: any = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: "openapi", components: doc.components });
  const check = (name: string, body: unknown) => {
    const validate = ajv.getSchema(`openapi#/components/schemas/${name}`)!;
    expect({ name, errors: validate(body) ? null : validate.errors }).toEqual({ name, errors: null });
  };
  const minted = await mintViewerToken(server, t.tokens.owner, { scope: { actor_id: t.users.admin, event_type: "db.*" } });
  check("ViewerToken", minted.body);
  const pk = encodeURIComponent(JSON.stringify({ id: t.customerId }));
  check("RowHistory", (await api(`/api/v1/audit/row-history?table=${t.table}&pk=${pk}`, t.tokens.owner)).body);
  check("RowHistory", (await api(`/api/v1/audit/row-history?table=${t.table}&pk=${pk}`, minted.body.token)).body);
  check("Me", (await api("/api/v1/me", minted.body.token)).body);
  expect(doc.paths["/api/v1/viewer-tokens"].post).toBeDefined();
  const list = (await api("/api/v1/viewer-tokens", t.tokens.owner)).body;
  check("ViewerTokenList", list);
  expect(list.viewer_tokens.map((v: any) => v.id)).toContain(minted.body.token_id);
  const extra = await mintViewerToken(server, t.tokens.owner, {});
  check("ViewerTokenRecord", (await api(`/api/v1/viewer-tokens/${extra.body.token_id}`, t.tokens.owner, { method: "DELETE" })).body);
});

describe("a scope on type and resource", () => {
  test("an event_type prefix and a resource_type confine every read", async () => {
    const token = await mint({ event_type: "shop.*", resource_type: "order" });
    const r = await api("/api/v1/audit/events?limit=1000", token);
    expect(r.body.data.length).toBe(40);
    expect(r.body.data.every((e: any) => e.event_type.startsWith("shop.") && e.resource_type === "order")).toBe(true);
    expect((await api("/api/v1/audit/events?event_type=auth.login", token)).body.data).toEqual([]);
  });
});

describe("what a viewer token can not do", () => {
  let token: string;
  beforeAll(async () => {
    token = await mint(); // unscoped: the whole tenant, read-only
  });

  test("an unscoped token reads the tenant and its chain state", async () => {
    const wide = await api("/api/v1/audit/events?limit=1000", t.tokens.auditor);
    expect((await api("/api/v1/audit/events?limit=1000", token)).body.data).toEqual(wide.body.data);
    const v = await api("/api/v1/audit/verify", token);
    expect(v.status).toBe(200);
    expect(v.body.tenant_id).toBe(t.tenantId);
    const me = await api("/api/v1/me", token);
    expect(me.body).toMatchObject({ tenant_id: t.tenantId, tenant_role: "auditor", viewer_token: { scope: {} } });
  });

  test("no writes: ingest (fast path and Express), API keys, invitations, more viewer tokens", async () => {
    const event = JSON.stringify({ event_type: "evil.write", outcome: "success" });
    const ingest = await api("/api/v1/audit/events", token, { method: "POST", headers: { "content-type": "application/json" }, body: event });
    expect(ingest.status).toBe(403);
    expect(ingest.body.code).toBe("viewer_token_read_only");
    const odd = await api("/api/v1/audit/events", token, { method: "POST", headers: { "content-type": "application/json; charset=utf-8", "content-encoding": "identity" }, body: event });
    expect(odd.status).toBe(403);
    for (const [method, path] of [["POST", "/api/v1/api-keys"], ["POST", "/api/v1/invitations"], ["POST", "/api/v1/viewer-tokens"], ["DELETE", `/api/v1/api-keys/${t.apiKey.id}`]]) {
      const r = await api(path, token, { method, headers: { "content-type": "application/json" }, body: method === "POST" ? JSON.stringify({ name: "x", role: "owner" }) : undefined });
      expect([path, r.status, r.body.code]).toEqual([path, 403, "viewer_token_read_only"]);
    }
    const n = await server.ownerPool.query("select count(*)::int as n from warden.audit_events where tenant_id = $1 and event_type = 'evil.write'", [t.tenantId]);
    expect(n.rows[0].n).toBe(0);
  });

  test("GraphQL is refused", async () => {
    const r = await gql(server, token, "{ auditEvents(first: 1) { nodes { eventType } } }");
    expect(r.status).toBe(403);
    expect(r.body.code).toBe("viewer_token_read_only");
  });

  test("a tampered scope, a user token dressed as one, or another key's signature is refused", async () => {
    const [h, p, s] = (await mint({ actor_id: "alice" })).slice(4).split(".");
    const payload = JSON.parse(Buffer.from(p, "base64url").toString());
    payload.scope = {};
    const tampered = `wdv_${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`;
    expect((await api("/api/v1/audit/events", tampered)).status).toBe(401);
    expect((await api("/api/v1/audit/events", `wdv_${t.tokens.owner}`)).status).toBe(401);
    const wrongKey = await new SignJWT({ tid: t.tenantId, aty: "user", scope: {} })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(t.users.owner)
      .setJti("x")
      .setIssuer("warden")
      .setAudience("warden-viewer")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("another-secret-another-secret-another-secret"));
    expect((await api("/api/v1/audit/events", `wdv_${wrongKey}`)).status).toBe(401);
    // a viewer token is no user token either
    expect((await api("/api/v1/audit/events", token.slice(4))).status).toBe(401);
  });

  test("an expired token is refused", async () => {
    const expired = await new SignJWT({ tid: t.tenantId, aty: "user", scope: {} })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(t.users.owner)
      .setJti("y")
      .setIssuer("warden")
      .setAudience("warden-viewer")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(new TextEncoder().encode(server.secret));
    const r = await api("/api/v1/audit/events", `wdv_${expired}`);
    expect(r.status).toBe(401);
    expect(r.body.code).toBe("token_expired");
  });

  test("a token dies with its minter's owner or admin role", async () => {
    const c = await server.ownerPool.connect();
    try {
      const issuer = t.users.admin;
      const r = await mintViewerToken(server, t.tokens.admin, {});
      expect((await api("/api/v1/audit/events?limit=1", r.body.token)).status).toBe(200);
      await c.query("update warden.tenant_memberships set role = 'member' where tenant_id = $1 and user_id = $2", [t.tenantId, issuer]);
      server.authenticator.flush();
      const after = await api("/api/v1/audit/events?limit=1", r.body.token);
      expect(after.status).toBe(401);
      expect(after.body.code).toBe("not_a_member");
      await c.query("update warden.tenant_memberships set role = 'admin' where tenant_id = $1 and user_id = $2", [t.tenantId, issuer]);
      server.authenticator.flush();
    } finally {
      c.release();
    }
  });
});

describe("the registry: minting is audited, tokens are listed and revoked", () => {
  async function governance(tokenId: string): Promise<{ event_type: string; actor_id: string; event_data: any }[]> {
    await server.ownerPool.query("select warden.flush_capture()");
    const { rows } = await server.ownerPool.query(
      `select event_type, actor_id, event_data from warden.audit_events
       where tenant_id = $1 and resource_type = 'viewer_token' and resource_id = $2 order by occurred_at, event_id`,
      [t.tenantId, tokenId],
    );
    return rows;
  }

  test("minting writes governance.viewer_token.created with the minter, the scope and the expiry", async () => {
    const r = await mintViewerToken(server, t.tokens.admin, { scope: { resource_type: "order" }, ttl: "5m" });
    expect(r.status).toBe(201);
    const events = await governance(r.body.token_id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event_type: "governance.viewer_token.created", actor_id: t.users.admin });
    expect(JSON.stringify(events[0].event_data)).toContain('"resource_type":"order"');
  });

  test("owners and admins list the tenant's tokens; other roles and other tenants see none of them", async () => {
    const r = await mintViewerToken(server, t.tokens.owner, { scope: { actor_id: "bob" } });
    const list = await api("/api/v1/viewer-tokens", t.tokens.admin);
    expect(list.status).toBe(200);
    const mine = list.body.viewer_tokens.find((v: any) => v.id === r.body.token_id);
    expect(mine).toMatchObject({ tenant_id: t.tenantId, scope: { actor_id: "bob" }, active: true, revoked_at: null });
    expect(list.body.viewer_tokens.every((v: any) => v.tenant_id === t.tenantId)).toBe(true);
    const foreign = await api("/api/v1/viewer-tokens", other.tokens.owner);
    expect(foreign.status).toBe(200);
    expect(foreign.body.viewer_tokens.map((v: any) => v.id)).not.toContain(r.body.token_id);
    for (const token of [t.tokens.auditor, t.tokens.member]) {
      const denied = await api("/api/v1/viewer-tokens", token);
      expect(denied.status).toBe(403);
    }
    // the visitor role reads no other tenant's rows even without the API's filters
    const c = await server.ownerPool.connect();
    try {
      await c.query("begin");
      await c.query("select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.actor_id', $2, true), set_config('jwt.claims.tenant_role', 'owner', true)", [other.tenantId, other.users.owner]);
      await c.query("set local role warden_visitor");
      const { rows } = await c.query("select id from warden.viewer_tokens where id = $1", [r.body.token_id]);
      expect(rows).toEqual([]);
      await c.query("rollback");
    } finally {
      c.release();
    }
  });

  test("a revoked token is refused on the next request, and the revocation is audited", async () => {
    const r = await mintViewerToken(server, t.tokens.owner, {});
    const token: string = r.body.token;
    expect((await api("/api/v1/audit/events?limit=1", token)).status).toBe(200); // now cached
    // another tenant's owner can not revoke it; a viewer token can not revoke anything
    const foreign = await api(`/api/v1/viewer-tokens/${r.body.token_id}`, other.tokens.owner, { method: "DELETE" });
    expect(foreign.status).toBe(404);
    const byViewer = await api(`/api/v1/viewer-tokens/${r.body.token_id}`, token, { method: "DELETE" });
    expect(byViewer.status).toBe(403);
    expect((await api(`/api/v1/viewer-tokens/${r.body.token_id}`, t.tokens.auditor, { method: "DELETE" })).status).toBe(403);
    expect((await api("/api/v1/viewer-tokens/not-a-uuid", t.tokens.owner, { method: "DELETE" })).body.code).toBe("invalid_token_id");
    expect((await api("/api/v1/audit/events?limit=1", token)).status).toBe(200);

    let revoked: { status: number; body: any } | undefined;
    await afterInvalidation(server, async () => {
      revoked = await api(`/api/v1/viewer-tokens/${r.body.token_id}`, t.tokens.admin, { method: "DELETE" });
    });
    expect(revoked!.status).toBe(200);
    expect(revoked!.body).toMatchObject({ id: r.body.token_id, active: false });
    const after = await api("/api/v1/audit/events?limit=1", token);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe("viewer_token_revoked");
    // twice: the first revocation stands, one event
    expect((await api(`/api/v1/viewer-tokens/${r.body.token_id}`, t.tokens.owner, { method: "DELETE" })).body.revoked_at).toBe(revoked!.body.revoked_at);
    const events = await governance(r.body.token_id);
    expect(events.map((e) => e.event_type)).toEqual(["governance.viewer_token.created", "governance.viewer_token.revoked"]);
    expect(events[1].actor_id).toBe(t.users.admin);
  });

  test("a token signed with the server's key but never registered is refused (a leaked key mints nothing usable)", async () => {
    const unregistered = await new SignJWT({ tid: t.tenantId, aty: "user", scope: {} })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(t.users.owner)
      .setJti("0b7d6c5e-4f3a-4b2c-9d1e-0f9e8d7c6b5a")
      .setIssuer("warden")
      .setAudience("warden-viewer")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(server.secret));
    const r = await api("/api/v1/audit/events", `wdv_${unregistered}`);
    expect(r.status).toBe(401);
    expect(r.body.code).toBe("viewer_token_unknown");
  });

  test("the registry is written only through the functions: the visitor can not insert or update rows", async () => {
    const c = await server.ownerPool.connect();
    try {
      await c.query("begin");
      await c.query("select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.actor_id', $2, true), set_config('jwt.claims.tenant_role', 'owner', true)", [t.tenantId, t.users.owner]);
      await c.query("set local role warden_visitor");
      await c.query("savepoint s");
      await expect(
        c.query("insert into warden.viewer_tokens (id, tenant_id, minted_by, expires_at) values (gen_random_uuid(), $1, '{}', now() + interval '1 day')", [t.tenantId]),
      ).rejects.toMatchObject({ code: "42501" });
      await c.query("rollback to savepoint s");
      await expect(c.query("update warden.viewer_tokens set revoked_at = null, revoked_by = null")).rejects.toMatchObject({ code: "42501" });
      await c.query("rollback to savepoint s");
      // and a token can not be registered for more than an hour
      await expect(c.query("select warden.record_viewer_token(gen_random_uuid(), '{}', now() + interval '1 day')")).rejects.toMatchObject({ code: "22023" });
      await c.query("rollback");
    } finally {
      c.release();
    }
  });
});
