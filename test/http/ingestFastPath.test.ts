/**
 * The ingest fast path (src/http/ingestFastPath.ts) against its reference,
 * the Express route: the same requests sent to a server with the fast path
 * and to one without it get the same status, problem code, pointers and
 * headers, and the requests the fast path declines (compressed or chunked
 * bodies, other media types) are still served, by Express.
 */
import http from "node:http";
import { gzipSync } from "node:zlib";
import { closePools } from "../support/db";
import { startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let fast: TestServer;
let reference: TestServer;
let t: TenantFixture;

beforeAll(async () => {
  fast = await startTestServer();
  reference = await startTestServer({ ingestFastPath: false });
  t = await tenantFixture(fast, "Ingest paths tenant");
});

afterAll(async () => {
  await fast.close();
  await reference.close();
  await closePools();
});

interface Case {
  name: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
  auth?: string | null;
}

const ev = (extra: Record<string, unknown> = {}) => ({ event_type: "paths.check.done", outcome: "success", ...extra });

const cases: Case[] = [
  { name: "one valid event", body: JSON.stringify(ev({ data: { n: 1 } })) },
  { name: "a batch with header defaults", body: JSON.stringify([{ outcome: "failure" }, { outcome: "success", severity: "WARN" }]), headers: { "x-event-type": "paths.header.default", "x-service": "svc" } },
  { name: "charset=utf-8 is still plain JSON", body: JSON.stringify(ev()), headers: { "content-type": "application/json; charset=utf-8" } },
  { name: "an invalid item fails the batch", body: JSON.stringify([ev(), { event_type: "Bad", outcome: "maybe", extra: 1 }]) },
  { name: "U+0000 in a string", body: JSON.stringify(ev({ data: { s: "a\u0000b" } })) },
  { name: "a lone surrogate in a key and in a value", body: `[${JSON.stringify(ev())},{"event_type":"paths.x.y","outcome":"success","data":{"\\udc00":"\\ud800"}}]` },
  { name: "data nested past 64 levels", body: JSON.stringify(ev({ data: JSON.parse('{"a":'.repeat(70) + "1" + "}".repeat(70)) })) },
  { name: "a number too long to store", body: '{"event_type":"paths.x.y","outcome":"success","data":{"n":1e5000}}' },
  { name: "exact numbers", body: '{"event_type":"paths.x.y","outcome":"success","data":{"n":9007199254740993,"m":1e400}}' },
  { name: "an envelope key in data", body: JSON.stringify(ev({ data: { status: "forged" } })) },
  { name: "malformed JSON", body: '{"event_type": ' },
  { name: "invalid UTF-8", body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
  { name: "an empty body", body: "" },
  { name: "a JSON string", body: '"event"' },
  { name: "an empty batch", body: "[]" },
  { name: "1,001 events", body: JSON.stringify(Array.from({ length: 1001 }, () => ev())) },
  { name: "over 1 MiB", body: JSON.stringify(ev({ data: { blob: "x".repeat(1_100_000) } })) },
  { name: "no credentials", body: JSON.stringify(ev()), auth: null },
  { name: "an unknown API key", body: JSON.stringify(ev()), auth: `wdn_${"0".repeat(12)}_${"0".repeat(64)}` },
  { name: "an Idempotency-Key too long", body: JSON.stringify(ev()), headers: { "idempotency-key": "k".repeat(256) } },
  { name: "text/plain", body: JSON.stringify(ev()), headers: { "content-type": "text/plain" } },
];

async function send(server: TestServer, c: Case): Promise<{ status: number; type: string | null; body: any; headers: Headers }> {
  const auth = c.auth === undefined ? t.apiKey.key : c.auth;
  const res = await fetch(`${server.url}/api/v1/audit/events`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...c.headers },
    body: c.body as any,
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type"), body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** What must match between the two paths (ids and trace ids differ by nature). */
function comparable(r: Awaited<ReturnType<typeof send>>) {
  const body = r.body ?? {};
  return {
    status: r.status,
    type: r.type,
    code: body.code,
    title: body.title,
    detail: body.detail,
    errors: body.errors,
    count: body.count,
    ids: Array.isArray(body.event_ids) ? body.event_ids.length : undefined,
    traceEchoed: body.trace_id === undefined ? "none" : body.trace_id === r.headers.get("x-trace-id"),
    headers: ["www-authenticate", "ratelimit-limit", "retry-after"].map((h) => [h, r.headers.get(h) !== null]),
  };
}

test.each(cases.map((c) => [c.name, c] as const))("%s: the same answer on both paths", async (_name, c) => {
  const viaFast = await send(fast, c);
  const viaExpress = await send(reference, c);
  expect(comparable(viaFast)).toEqual(comparable(viaExpress));
  expect(viaFast.headers.get("x-trace-id")).toMatch(/^[0-9a-f]{32}$/);
  // nothing here may be a server error
  expect(viaFast.status).toBeLessThan(500);
});

test("the written events are the same on both paths (context, defaults, envelope)", async () => {
  const c: Case = { name: "ctx", body: JSON.stringify(ev({ data: { k: "v" } })), headers: { "x-correlation-id": "paths-corr", "user-agent": "paths/1", "x-request-id": "paths-trace" } };
  const a = await send(fast, c);
  const b = await send(reference, c);
  expect(a.status).toBe(201);
  expect(b.status).toBe(201);
  const { rows } = await fast.ownerPool.query(
    `select event_type, outcome::text, correlation_id, trace_id, user_agent, host(actor_ip) as ip, actor_id, actor_type::text, event_data
     from warden.audit_events where event_id = any($1::uuid[]) order by event_id = $2`,
    [[a.body.event_ids[0], b.body.event_ids[0]], a.body.event_ids[0]],
  );
  expect(rows).toHaveLength(2);
  expect(rows[0]).toEqual(rows[1]);
  expect(rows[0]).toMatchObject({ correlation_id: "paths-corr", trace_id: "paths-trace", user_agent: "paths/1", ip: "127.0.0.1", actor_id: t.apiKey.id });
});

test("an Idempotency-Key retry replays on the fast path as on Express", async () => {
  for (const server of [fast, reference]) {
    const key = `paths-${server === fast ? "fast" : "express"}-${Date.now()}`;
    const c: Case = { name: "idem", body: JSON.stringify(ev()), headers: { "idempotency-key": key } };
    const first = await send(server, c);
    const again = await send(server, c);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual({ event_ids: first.body.event_ids, count: 1, replayed: true });
  }
});

test("requests the fast path declines are served by Express: gzip and chunked bodies", async () => {
  const gz = await fetch(`${fast.url}/api/v1/audit/events`, {
    method: "POST",
    headers: { "content-type": "application/json", "content-encoding": "gzip", authorization: `Bearer ${t.apiKey.key}` },
    body: gzipSync(Buffer.from(JSON.stringify([ev(), ev()]))),
  });
  expect(gz.status).toBe(201);
  expect(((await gz.json()) as { count: number }).count).toBe(2);

  // no Content-Length: Node sends the body chunked
  const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const url = new URL(`${fast.url}/api/v1/audit/events`);
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${t.apiKey.key}` } },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.write(JSON.stringify(ev()).slice(0, 10));
    req.end(JSON.stringify(ev()).slice(10));
  });
  expect(chunked.status).toBe(201);
  expect(JSON.parse(chunked.body).count).toBe(1);
});
