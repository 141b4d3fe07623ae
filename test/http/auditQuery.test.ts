/**
 * GET /api/v1/audit/events, /events/{id} and /correlations/{id}: every
 * filter, keyset pages that return each event exactly once while inserts
 * continue, forged and stale cursors, bad parameters, role gating and
 * tenant isolation.
 */
import { createHash } from "node:crypto";
import { closePools } from "../support/db";
import { gql, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let a: TenantFixture;
let b: TenantFixture;

interface Seed {
  event_type: string;
  outcome: string;
  severity: string;
  actor_type: string;
  actor_id: string;
  resource_type: string;
  resource_id: string;
  correlation_id: string;
  trace_id: string;
  service: string;
  minutes_ago: number;
  data: object;
}

const seeds: Seed[] = [];
for (let i = 0; i < 120; i++) {
  seeds.push({
    event_type: ["gateway.signal.received", "gateway.signal.dropped", "billing.invoice.paid", "auth.login"][i % 4],
    outcome: ["success", "failure", "unknown"][i % 3],
    severity: ["debug", "info", "notice", "warning", "error", "critical"][i % 6],
    actor_type: i % 5 === 0 ? "user" : "service",
    actor_id: `actor-${i % 7}`,
    resource_type: i % 2 ? "order" : "invoice",
    resource_id: `r-${i % 10}`,
    correlation_id: `corr-${i % 12}`,
    trace_id: `trace-${i % 9}`,
    service: ["gateway", "billing"][i % 2],
    minutes_ago: i * 10, // spread over 20 hours
    data: { http: { status: i % 4 === 1 ? 500 : 200 }, attempt: (i % 3) + 1 },
  });
}

async function insertSeeds(tenantId: string, list: Seed[]): Promise<void> {
  await server.ownerPool.query(
    `insert into warden.audit_events (tenant_id, event_type, category, action, outcome, severity, actor_type, actor_id, resource_type,
       resource_id, correlation_id, trace_id, service, occurred_at, event_data)
     select $1, s.event_type, split_part(s.event_type, '.', 1), coalesce(nullif(split_part(s.event_type, '.', 3), ''), 'event'), s.outcome::warden.audit_outcome,
            s.severity::warden.audit_severity, s.actor_type::warden.actor_type, s.actor_id, s.resource_type, s.resource_id,
            s.correlation_id, s.trace_id, s.service, now() - make_interval(mins => s.minutes_ago), s.data
     from jsonb_to_recordset($2::jsonb) as s(event_type text, outcome text, severity text, actor_type text, actor_id text,
       resource_type text, resource_id text, correlation_id text, trace_id text, service text, minutes_ago int, data jsonb)`,
    [tenantId, JSON.stringify(list)],
  );
}

beforeAll(async () => {
  server = await startTestServer();
  a = await tenantFixture(server, "Query tenant A");
  b = await tenantFixture(server, "Query tenant B");
  await insertSeeds(a.tenantId, seeds);
  await insertSeeds(b.tenantId, seeds.slice(0, 30));
});

afterAll(async () => {
  await server.close();
  await closePools();
});

async function get(path: string, token = a.tokens.auditor): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

/** Every page of a query; only the service-posted seed events (not the fixture's own tenancy row and governance events). */
async function all(query: string, token?: string): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const r = await get(`/audit/events?${query}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, token);
    expect(r.status).toBe(200);
    out.push(...r.body.data);
    cursor = r.body.next_cursor;
  } while (cursor);
  return out.filter((e) => e.category !== "data" && e.category !== "governance");
}

const SEV = ["debug", "info", "notice", "warning", "error", "critical"];

test.each([
  ["correlation_id=corr-3", (s: Seed) => s.correlation_id === "corr-3"],
  ["trace_id=trace-4", (s: Seed) => s.trace_id === "trace-4"],
  ["event_type=billing.invoice.paid", (s: Seed) => s.event_type === "billing.invoice.paid"],
  ["event_type=gateway.*", (s: Seed) => s.event_type.startsWith("gateway.")],
  ["actor_id=actor-2", (s: Seed) => s.actor_id === "actor-2"],
  ["actor_type=user", (s: Seed) => s.actor_type === "user"],
  ["resource_type=order&resource_id=r-3", (s: Seed) => s.resource_type === "order" && s.resource_id === "r-3"],
  ["outcome=failure", (s: Seed) => s.outcome === "failure"],
  ["severity=WARN", (s: Seed) => SEV.indexOf(s.severity) >= SEV.indexOf("warning")],
  ["service=billing", (s: Seed) => s.service === "billing"],
  ["since=5h", (s: Seed) => s.minutes_ago < 300],
  ["data.http.status=500", (s: Seed) => (s.data as any).http.status === 500],
  ["data.attempt=1&outcome=success", (s: Seed) => (s.data as any).attempt === 1 && s.outcome === "success"],
])("filter %s returns exactly the matching events", async (query, match) => {
  const got = await all(query);
  const expected = seeds.filter(match);
  expect(got.length).toBe(expected.length);
  expect(got.length).toBeGreaterThan(0);
  expect(got.every((e) => e.tenant_id === a.tenantId)).toBe(true);
});

test("until and RFC 3339 bounds", async () => {
  const until = new Date(Date.now() - 605 * 60_000).toISOString(); // between two seeds, 10 minutes apart
  const got = await all(`until=${encodeURIComponent(until)}`);
  expect(got.length).toBe(seeds.filter((s) => s.minutes_ago > 605).length);
});

test("pages walk every event exactly once, in order, while inserts continue", async () => {
  const seen: string[] = [];
  let cursor: string | null = null;
  let times: string[] = [];
  let page = 0;
  do {
    const r = await get(`/audit/events?service=gateway&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(r.status).toBe(200);
    seen.push(...r.body.data.map((e: any) => e.event_id));
    times.push(...r.body.data.map((e: any) => e.occurred_at));
    cursor = r.body.next_cursor;
    // new events keep arriving between pages
    await insertSeeds(a.tenantId, [{ ...seeds[0], service: "gateway", minutes_ago: 0 }]);
    page++;
  } while (cursor);
  expect(page).toBeGreaterThan(5);
  expect(new Set(seen).size).toBe(seen.length); // no duplicates
  const sorted = [...times].sort().reverse();
  expect(times).toEqual(sorted); // newest first
  expect(seen.length).toBeGreaterThanOrEqual(seeds.filter((s) => s.service === "gateway").length);
});

test("a forged or stale cursor gets 400", async () => {
  const first = await get("/audit/events?service=gateway&limit=5");
  const cursor: string = first.body.next_cursor;
  expect(cursor).toBeTruthy();
  const [body, mac] = cursor.split(".");
  const forgedBody = Buffer.from(JSON.stringify(["2000-01-01T00:00:00.000000Z", "00000000-0000-4000-8000-000000000000", "x"])).toString("base64url");
  for (const bad of [`${forgedBody}.${mac}`, `${body}.${mac.slice(0, -2)}AA`, "garbage", `${body}`]) {
    const r = await get(`/audit/events?service=gateway&limit=5&cursor=${encodeURIComponent(bad)}`);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("invalid_cursor");
  }
  const stale = await get(`/audit/events?service=billing&limit=5&cursor=${encodeURIComponent(cursor)}`);
  expect(stale.status).toBe(400);
  expect(stale.body.code).toBe("stale_cursor");
});

test("bad parameters get 400 with a pointer and reason for each", async () => {
  const r = await get("/audit/events?limit=5000&since=yesterday&event_type=Bad%20Type&outcome=meh&order=up&bogus=1");
  expect(r.status).toBe(400);
  expect(r.body.code).toBe("invalid_query");
  expect(r.body.errors.map((e: any) => e.pointer).sort()).toEqual(["/bogus", "/event_type", "/limit", "/order", "/outcome", "/since"]);
  const twice = await get("/audit/events?actor_id=a&actor_id=b");
  expect(twice.status).toBe(400);
  const nul = await get("/audit/events?actor_id=a%00b");
  expect(nul.status).toBe(400);
});

test("one event by id; another tenant's id is not found; a bad id is 400", async () => {
  const list = await get("/audit/events?limit=1&event_type=auth.login");
  const id = list.body.data[0].event_id;
  const one = await get(`/audit/events/${id}`);
  expect(one.status).toBe(200);
  expect(one.body).toMatchObject({ event_id: id, event_type: "auth.login", tenant_id: a.tenantId });
  expect(one.body.occurred_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  const fromB = await get(`/audit/events/${id}`, b.tokens.owner);
  expect(fromB.status).toBe(404);
  expect(fromB.body.code).toBe("event_not_found");
  expect((await get("/audit/events/not-a-uuid")).status).toBe(400);
});

test("a correlation's timeline is chronological and tenant-scoped", async () => {
  const r = await get("/audit/correlations/corr-5");
  expect(r.status).toBe(200);
  const expected = seeds.filter((s) => s.correlation_id === "corr-5");
  expect(r.body.count).toBe(expected.length);
  const times = r.body.events.map((e: any) => e.occurred_at);
  expect(times).toEqual([...times].sort());
  const fromB = await get("/audit/correlations/corr-5", b.tokens.admin);
  expect(fromB.body.count).toBe(seeds.slice(0, 30).filter((s) => s.correlation_id === "corr-5").length);
  expect(fromB.body.events.every((e: any) => e.tenant_id === b.tenantId)).toBe(true);
});

test("only owners, admins and auditors read the trail; no tenant parameter can widen it", async () => {
  const member = await get("/audit/events", a.tokens.member);
  expect(member.status).toBe(403);
  expect(member.body).toMatchObject({ code: "missing_role", missing_role: "auditor" });
  const widened = await get(`/audit/events?tenant_id=${b.tenantId}`);
  expect(widened.status).toBe(400); // unknown parameter, never honoured
  const mine = await all("service=billing");
  expect(mine.every((e) => e.tenant_id === a.tenantId)).toBe(true);
});

test("export: JSONL with a manifest line (count, sha256 of the lines before it), CSV, both filtered and tenant-scoped", async () => {
  const res = await fetch(`${server.url}/api/v1/audit/export?format=jsonl&service=billing`, { headers: { authorization: `Bearer ${a.tokens.auditor}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/application\/x-ndjson/);
  const text = await res.text();
  const lines = text.split("\n").filter(Boolean);
  const manifest = JSON.parse(lines[lines.length - 1]).manifest;
  const body = lines.slice(0, -1);
  expect(manifest.count).toBe(body.length);
  expect(manifest.sha256).toBe(createHash("sha256").update(body.map((l) => l + "\n").join("")).digest("hex"));
  const events = body.map((l) => JSON.parse(l));
  expect(events.filter((e) => e.category !== "data").length).toBe(seeds.filter((s) => s.service === "billing").length);
  expect(events.every((e) => e.tenant_id === a.tenantId && e.service === "billing")).toBe(true);
  const times = events.map((e) => e.occurred_at);
  expect(times).toEqual([...times].sort());

  const csv = await fetch(`${server.url}/api/v1/audit/export?format=csv&event_type=auth.login`, { headers: { authorization: `Bearer ${b.tokens.owner}` } });
  expect(csv.status).toBe(200);
  const rows = (await csv.text()).trim().split("\r\n");
  expect(rows[0].split(",").slice(0, 3)).toEqual(["event_id", "occurred_at", "recorded_at"]);
  expect(rows.length - 1).toBe(seeds.slice(0, 30).filter((s) => s.event_type === "auth.login").length);
  expect(rows.slice(1).every((r) => r.includes(b.tenantId))).toBe(true);

  expect((await fetch(`${server.url}/api/v1/audit/export?format=xml`, { headers: { authorization: `Bearer ${a.tokens.auditor}` } })).status).toBe(400);
  expect((await fetch(`${server.url}/api/v1/audit/export`, { headers: { authorization: `Bearer ${a.tokens.member}` } })).status).toBe(403);
});

test("GraphQL offers the same filters with cursor pagination, tenant-scoped", async () => {
  const q = `query($after: Cursor) { auditEvents(first: 11, after: $after, orderBy: [OCCURRED_AT_DESC, EVENT_ID_DESC],
      filter: { eventType: { startsWith: "gateway." }, outcome: { equalTo: failure }, correlationId: { in: ["corr-1", "corr-5", "corr-9"] } }) {
      totalCount pageInfo { hasNextPage endCursor } nodes { eventId tenantId eventType outcome correlationId } } }`;
  const seen: any[] = [];
  let after: string | null = null;
  let total = -1;
  do {
    const r: any = await gql(server, a.tokens.auditor, q, { after });
    expect(r.body.errors).toBeUndefined();
    total = r.body.data.auditEvents.totalCount;
    seen.push(...r.body.data.auditEvents.nodes);
    after = r.body.data.auditEvents.pageInfo.hasNextPage ? r.body.data.auditEvents.pageInfo.endCursor : null;
  } while (after);
  const expected = seeds.filter((s) => s.event_type.startsWith("gateway.") && s.outcome === "failure" && ["corr-1", "corr-5", "corr-9"].includes(s.correlation_id));
  expect(expected.length).toBeGreaterThan(0);
  expect(total).toBe(expected.length);
  expect(seen.length).toBe(expected.length);
  expect(new Set(seen.map((n) => n.eventId)).size).toBe(seen.length);
  expect(seen.every((n) => n.tenantId === a.tenantId)).toBe(true);
});

test("GraphQL filters by event_data containment, like REST's data.<path>=<value>", async () => {
  const r = await gql(
    server,
    a.tokens.auditor,
    `{ auditEvents(filter: { eventData: { contains: { http: { status: 500 } } }, service: { equalTo: "billing" } }) { totalCount nodes { tenantId } } }`,
  );
  expect(r.body.errors).toBeUndefined();
  const expected = seeds.filter((s) => (s.data as any).http.status === 500 && s.service === "billing").length;
  expect(expected).toBeGreaterThan(0);
  expect(r.body.data.auditEvents.totalCount).toBe(expected);
});

test("data filters are applied as written, __proto__, constructor and prototype included, or refused: never silently dropped", async () => {
  const t = await tenantFixture(server, "Query tenant filters");
  // the JSON text of each, so __proto__ is a key and the numbers are exact
  await server.ownerPool.query(
    `insert into warden.audit_events (tenant_id, event_type, category, action, outcome, actor_type, actor_id, occurred_at, event_data)
     select $1, 'filter.special.seeded', 'filter', 'seeded', 'success', 'service', 'seeder', now() - interval '1 minute', d::jsonb
     from unnest($2::text[]) d`,
    [t.tenantId, [
      '{"__proto__": {"x": 1}, "k": "proto"}', '{"constructor": {"name": "c"}, "k": "ctor"}', '{"prototype": 1, "k": "prototype"}',
      '{"n": 9007199254740993, "k": "exact"}', '{"n": 9007199254740992, "k": "rounded"}', '{"a": {"b": 2}, "k": "nested"}',
    ]],
  );
  const ks = async (query: string) => (await all(`event_type=filter.special.seeded&${query}`, t.tokens.auditor)).map((e) => e.event_data.k).sort();
  expect(await ks("data.__proto__.x=1")).toEqual(["proto"]);
  expect(await ks("data.constructor.name=c")).toEqual(["ctor"]);
  expect(await ks("data.prototype=1")).toEqual(["prototype"]);
  expect(await ks("data.constructor=1")).toEqual([]);
  expect(await ks("data.n=9007199254740993")).toEqual(["exact"]);
  expect(await ks("data.a.b=2")).toEqual(["nested"]);
  // a path that would have overwritten another, or a path Warden does not read: 400 naming it
  for (const [query, pointer] of [
    ["data.a=1&data.a.b=2", "/data.a.b"],
    ["data..x=1", "/data..x"],
    ["data.=1", "/data."],
    ["data.a.=1", "/data.a."],
    [`data.${"k".repeat(65)}=1`, `/data.${"k".repeat(65)}`],
  ]) {
    const r = await get(`/audit/events?${query}`, t.tokens.auditor);
    expect({ query, status: r.status, code: r.body.code, pointers: r.body.errors?.map((e: any) => e.pointer) }).toEqual({ query, status: 400, code: "invalid_query", pointers: [pointer] });
  }
});
