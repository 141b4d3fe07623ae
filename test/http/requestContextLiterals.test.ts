/**
 * The request context reaches PostgreSQL as data (src/db/requestContext.ts):
 * hostile header values arrive verbatim, never executed.
 */
import { closePools } from "../support/db";
import { startTestServer, tenantFixture, type TestServer } from "../support/server";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
  await closePools();
});

test("a trace id full of quotes, backslashes and statements reaches the database verbatim", async () => {
  const t = await tenantFixture(server, "literal escaping");
  // X-Request-Id allows any printable ASCII without spaces: quotes, backslashes, semicolons, dollars.
  const hostile = `x');drop\\table\\warden.tenants;select('\\'';E'\\\\'$$$q$--`;
  const r = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${t.tokens.owner}`, "x-request-id": hostile } });
  expect(r.status).toBe(200);
  const body = (await r.json()) as { trace_id: string; actor: { trace_id: string; tenant_id: string } };
  expect(body.trace_id).toBe(hostile);
  // What the database saw (warden.current_actor() reads the setting) is the same string.
  expect(body.actor.trace_id).toBe(hostile);
  expect(body.actor.tenant_id).toBe(t.tenantId);
  const tenants = await server.ownerPool.query("select count(*)::int as n from warden.tenants where id = $1", [t.tenantId]);
  expect(tenants.rows[0].n).toBe(1);
});
