/**
 * Ingest rules attacked (issue 13, section 5): occurred_at has a window and
 * backfill is explicit and marked (defect 5), the envelope's keys are
 * Warden's (defect 6), an Idempotency-Key belongs to the credential that
 * used it and a client event id to the tenant that wrote it (defect 17).
 * REST and GraphQL answer alike: the rules live in SQL.
 */
import { closePools, testSealingKey } from "../support/db";
import { sealOnce } from "../../src/audit/sealer";
import { gql, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "Ingest rules tenant");
});

afterAll(async () => {
  await server.close();
  await closePools();
});

async function post(body: unknown, token = t.apiKey.key, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/api/v1/audit/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const RECORD = `mutation($e: JSON!, $k: String) { recordAuditEvents(input: {events: $e, idempotencyKey: $k}) { result } }`;
const at = (ms: number) => new Date(Date.now() + ms).toISOString();
const MIN = 60_000;
const DAY = 86_400_000;

async function eventData(id: string): Promise<any> {
  const { rows } = await server.ownerPool.query("select event_data from warden.audit_events where event_id = $1", [id]);
  return rows[0]?.event_data;
}

describe("occurred_at window (defect 5)", () => {
  test("the future beyond 5 minutes and the past beyond the tenant's retention are refused with occurred_at_out_of_window, on REST and GraphQL", async () => {
    const ok = await post([
      { event_type: "window.ok.sent", outcome: "success", occurred_at: at(4 * MIN) },
      { event_type: "window.ok.sent", outcome: "success", occurred_at: at(-29 * DAY) },
    ]);
    expect(ok.status).toBe(201);
    for (const [when, reason] of [
      [at(10 * MIN), /^later than .*: at most 00:05:00 ahead of the server's clock$/],
      ["2099-01-01T00:00:00Z", /^later than /],
      [at(-31 * DAY), /^earlier than .*, the oldest this tenant accepts \(its retention\); older events need an API key with the backfill scope$/],
      ["1970-01-01T00:00:00Z", /^earlier than /],
    ] as const) {
      const r = await post([{ event_type: "window.ok.sent", outcome: "success" }, { event_type: "window.bad.sent", outcome: "success", occurred_at: when }]);
      expect({ status: r.status, code: r.body.code, pointer: r.body.errors?.[0]?.pointer }).toEqual({ status: 400, code: "occurred_at_out_of_window", pointer: "/1/occurred_at" });
      expect(r.body.errors[0].reason).toMatch(reason);
      const g = await gql(server, t.apiKey.key, RECORD, { e: { event_type: "window.bad.sent", outcome: "success", occurred_at: when } });
      expect(g.body.errors[0].extensions).toMatchObject({ code: "occurred_at_out_of_window", status: 400, errors: [{ pointer: "/occurred_at" }] });
    }
    const { rows } = await server.ownerPool.query("select count(*)::int as n from warden.audit_events where tenant_id = $1 and event_type = 'window.bad.sent'", [t.tenantId]);
    expect(rows[0].n).toBe(0);
  });

  test("the past reaches as far back as the tenant's longest retention, and an operator can set the window (a governance event)", async () => {
    const u = await tenantFixture(server, "Window tenant");
    const c = await server.ownerPool.connect();
    try {
      await c.query("insert into warden_private.retention_policies (tenant_id, event_type_pattern, days) values ($1, 'billing.*', 400)", [u.tenantId]);
      const { rows } = await c.query("select earliest, latest from warden_private.occurred_at_window($1)", [u.tenantId]);
      const days = (Date.now() - rows[0].earliest.getTime()) / DAY;
      expect(days).toBeGreaterThan(399.9);
      expect(days).toBeLessThan(400.1);
      expect(await post({ event_type: "window.old.ok", outcome: "success", occurred_at: at(-300 * DAY) }, u.apiKey.key)).toMatchObject({ status: 201 });
      // Sealed while still inside the window: an unsealed event the sealer
      // finds outside a window narrowed since is set aside as suspect, and
      // that would fail a later global `warden verify` of another test file.
      await sealOnce(c, testSealingKey());
      await c.query("select warden_private.set_occurred_at_window($1, interval '1 hour', interval '2 days')", [u.tenantId]);
      expect(await post({ event_type: "window.set.ok", outcome: "success", occurred_at: at(50 * MIN) }, u.apiKey.key)).toMatchObject({ status: 201 });
      expect(await post({ event_type: "window.set.bad", outcome: "success", occurred_at: at(-3 * DAY) }, u.apiKey.key)).toMatchObject({ status: 400, body: { code: "occurred_at_out_of_window" } });
      const gov = await c.query(
        "select event_data -> 'after' as after from warden.audit_events where tenant_id = $1 and event_type = 'governance.occurred_at_window.changed'",
        [u.tenantId],
      );
      expect(gov.rows).toHaveLength(1);
      expect(gov.rows[0].after).toMatchObject({ max_future: "01:00:00", max_past: "2 days" });
      // other tenants keep the default
      expect(await post({ event_type: "window.other.ok", outcome: "success", occurred_at: at(-3 * DAY) })).toMatchObject({ status: 201 });
    } finally {
      c.release();
    }
  });

  test("backfill is explicit: an API key with the backfill scope (given by an owner, audited) may post older events, each marked by the server", async () => {
    const create = (token: string, body: unknown) =>
      fetch(`${server.url}/api/v1/api-keys`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    const byAdmin = await create(t.tokens.admin, { name: "importer", scopes: ["backfill"] });
    expect(byAdmin.status).toBe(403);
    expect(((await byAdmin.json()) as any).missing_role).toBe("owner");
    expect((await create(t.tokens.owner, { name: "importer", scopes: ["everything"] })).status).toBe(400);
    const res = await create(t.tokens.owner, { name: "importer", scopes: ["backfill"] });
    expect(res.status).toBe(201);
    const importer = (await res.json()) as any;
    expect(importer.scopes).toEqual(["backfill"]);

    const old = at(-400 * DAY);
    const r = await post([{ event_type: "backfill.old.sent", outcome: "success", occurred_at: old }, { event_type: "backfill.recent.sent", outcome: "success" }], importer.key);
    expect(r.status).toBe(201);
    const marked = await eventData(r.body.event_ids[0]);
    expect(marked.backfill).toMatchObject({ by: { type: "api_key", id: importer.id } });
    expect(Date.now() - Date.parse(marked.backfill.at)).toBeLessThan(10 * MIN);
    expect((await eventData(r.body.event_ids[1])).backfill).toBeUndefined();
    // the future stays closed; nobody writes the marker themselves
    expect(await post({ event_type: "backfill.future", outcome: "success", occurred_at: at(10 * MIN) }, importer.key)).toMatchObject({ status: 400, body: { code: "occurred_at_out_of_window" } });
    expect(await post({ event_type: "backfill.forged", outcome: "success", data: { backfill: { by: "me" } } })).toMatchObject({
      status: 400,
      body: { code: "validation_failed", errors: [{ pointer: "/data/backfill", reason: "reserved for the envelope Warden writes" }] },
    });
    // a key without the scope, and the scope taken away again
    expect(await post({ event_type: "backfill.old.sent", outcome: "success", occurred_at: old })).toMatchObject({ status: 400 });
    const off = await gql(server, t.tokens.owner, `mutation($id: UUID!) { setApiKeyScopes(input: {apiKeyId: $id, scopes: []}) { result } }`, { id: importer.id });
    expect(off.body.errors).toBeUndefined();
    expect(off.body.data.setApiKeyScopes.result).toEqual([]);
    expect(await post({ event_type: "backfill.old.sent", outcome: "success", occurred_at: old }, importer.key)).toMatchObject({ status: 400 });
    const gov = await server.ownerPool.query(
      "select actor_id, event_data -> 'before' as before, event_data -> 'after' as after from warden.audit_events where tenant_id = $1 and event_type = 'governance.api_key.changed' and resource_id = $2 order by recorded_at",
      [t.tenantId, importer.id],
    );
    expect(gov.rows).toEqual([
      { actor_id: t.users.owner, before: { scopes: [] }, after: { scopes: ["backfill"] } },
      { actor_id: t.users.owner, before: { scopes: ["backfill"] }, after: { scopes: [] } },
    ]);
  });
});

describe("the envelope (defect 6)", () => {
  test("data can not overwrite version, operation, status or any other envelope key; attempt, retry_reason and source_payload are fields of the event", async () => {
    const r = await post({ event_type: "envelope.check.done", outcome: "failure", service: "svc", data: { version: 9, operation: "x", status: "ok", attempt: 3 } });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: any) => e.pointer)).toEqual(["/data/attempt", "/data/operation", "/data/status", "/data/version"]);
    const ok = await post({
      event_type: "envelope.check.done",
      outcome: "FAILURE",
      service: "svc",
      attempt: 3,
      retry_reason: "upstream timeout",
      source_payload: { raw: "<xml/>", empty: null },
      data: { http: { status: 502 } },
    });
    expect(ok.status).toBe(201);
    expect(await eventData(ok.body.event_ids[0])).toEqual({
      version: 1,
      service: "svc",
      operation: "done",
      status: "failure",
      attempt: 3,
      retry_reason: "upstream timeout",
      source_payload: { raw: "<xml/>", empty: null },
      http: { status: 502 },
    });
  });
});

describe("idempotency keys and event ids (defect 17)", () => {
  test("an Idempotency-Key replays only for the credential that used it", async () => {
    const body = [{ event_type: "idem.scoped.sent", outcome: "success" }];
    const owner = await post(body, t.tokens.owner, { "idempotency-key": "shared-key-1" });
    expect(owner.status).toBe(201);
    expect(await post(body, t.tokens.owner, { "idempotency-key": "shared-key-1" })).toMatchObject({ status: 200, body: { replayed: true, event_ids: owner.body.event_ids } });
    // the auditor re-sending the owner's key and body: no replay (and an auditor may not write)
    const auditor = await post(body, t.tokens.auditor, { "idempotency-key": "shared-key-1" });
    expect(auditor).toMatchObject({ status: 403, body: { code: "forbidden", missing_role: "admin" } });
    // another credential that may write: its own request, its own events
    const key = await post(body, t.apiKey.key, { "idempotency-key": "shared-key-1" });
    expect(key.status).toBe(201);
    expect(key.body.event_ids).not.toEqual(owner.body.event_ids);
    expect(await post(body, t.apiKey.key, { "idempotency-key": "shared-key-1" })).toMatchObject({ status: 200, body: { event_ids: key.body.event_ids } });
    // over GraphQL too
    const g = await gql(server, t.tokens.admin, RECORD, { e: body, k: "shared-key-1" });
    expect(g.body.errors).toBeUndefined();
    expect(g.body.data.recordAuditEvents.result).toMatchObject({ replayed: false });
    const { rows } = await server.ownerPool.query("select count(*)::int as n from warden.audit_events where tenant_id = $1 and event_type = 'idem.scoped.sent'", [t.tenantId]);
    expect(rows[0].n).toBe(3);
  });

  test("a client event id is one event: another tenant reusing it gets 409 event_id_taken, on REST and GraphQL", async () => {
    const other = await tenantFixture(server, "Event id attacker");
    const mine = await post({ event_type: "ids.mine.sent", outcome: "success", event_id: "3b0c2a56-6e8f-4a1d-9b7c-5d4e3f2a1b0c" });
    expect(mine.status).toBe(201);
    const taken = await post({ event_type: "ids.theirs.sent", outcome: "success", event_id: "3b0c2a56-6e8f-4a1d-9b7c-5d4e3f2a1b0c" }, other.apiKey.key);
    expect(taken).toMatchObject({ status: 409, body: { code: "event_id_taken", errors: [{ pointer: "/event_id" }] } });
    const g = await gql(server, other.apiKey.key, RECORD, { e: { event_type: "ids.theirs.sent", outcome: "success", event_id: "3b0c2a56-6e8f-4a1d-9b7c-5d4e3f2a1b0c" } });
    expect(g.body.errors[0].extensions).toMatchObject({ code: "event_id_taken", status: 409 });
    // the owner's retry is still a retry
    expect(await post({ event_type: "ids.mine.sent", outcome: "success", event_id: "3b0c2a56-6e8f-4a1d-9b7c-5d4e3f2a1b0c" })).toMatchObject({ status: 201 });
    const { rows } = await server.ownerPool.query("select tenant_id::text from warden.audit_events where event_id = '3b0c2a56-6e8f-4a1d-9b7c-5d4e3f2a1b0c'");
    expect(rows).toEqual([{ tenant_id: t.tenantId }]);
  });
});
