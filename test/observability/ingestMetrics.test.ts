/**
 * warden_events_ingested_total: posted events by service, operation and
 * outcome (source="api"), trigger-captured ones once promoted
 * (source="capture", tallied in the database), both with bounded label
 * values; the ingest queue's capacity and 503s.
 */
import pg from "pg";
import { BoundedLabel, IngestLabels, OTHER } from "../../src/observability/labels";
import { closePools, ownerUrl } from "../support/db";
import { startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;

beforeAll(async () => {
  server = await startTestServer({ ingest: { maxQueuedEvents: 40 } });
  t = await tenantFixture(server, "Ingest metrics tenant");
});

afterAll(async () => {
  await server.close();
  await closePools();
});

async function scrape(): Promise<string> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** Sum of the samples of `name` whose labels include every one of `labels`. */
function sum(text: string, name: string, labels: Record<string, string> = {}): number {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .reduce((s, l) => s + Number(l.split(" ").pop()), 0);
}

const post = (body: unknown) =>
  fetch(`${server.url}/api/v1/audit/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.apiKey.key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

test("bounded labels: the first N values keep their name, later ones are other, and a value never changes label", () => {
  const b = new BoundedLabel(2);
  expect([b.value("a"), b.value("b"), b.value("c"), b.value("a"), b.value("c"), b.value(undefined), b.value("")]).toEqual([
    "a",
    "b",
    OTHER,
    "a",
    OTHER,
    "unknown",
    "unknown",
  ]);
  expect(new BoundedLabel(1).value("x".repeat(200))).toHaveLength(64);
  expect(() => IngestLabels.fromEnv()).not.toThrow();
});

test("trigger-captured events count by the writer's service and the operation once promoted", async () => {
  const schema = `opsm_${Date.now().toString(36)}`;
  await server.ownerPool.query(`create schema ${schema}; create table ${schema}.items (id int primary key, v text)`);
  await server.ownerPool.query(`select warden.enable_auditing('${schema}.items')`);
  await server.ownerPool.query("select warden.flush_capture()");
  const before = await scrape();
  const writer = new pg.Client({ connectionString: ownerUrl(), application_name: "ops-writer" });
  await writer.connect();
  try {
    await writer.query(`insert into ${schema}.items select g, 'x' from generate_series(1, 12) g`);
    await writer.query(`update ${schema}.items set v = 'y' where id <= 5`);
    await writer.query(`delete from ${schema}.items where id = 1`);
  } finally {
    await writer.end();
  }
  await server.ownerPool.query("select warden.flush_capture()");
  const after = await scrape();
  const d = (operation: string) =>
    sum(after, "warden_events_ingested_total", { source: "capture", service: "ops-writer", operation }) -
    sum(before, "warden_events_ingested_total", { source: "capture", service: "ops-writer", operation });
  expect({ insert: d("insert"), update: d("update"), delete: d("delete") }).toEqual({ insert: 12, update: 5, delete: 1 });
  // a second scrape counts nothing twice
  const again = await scrape();
  expect(sum(again, "warden_events_ingested_total", { source: "capture", service: "ops-writer" })).toBe(
    sum(after, "warden_events_ingested_total", { source: "capture", service: "ops-writer" }),
  );
});

test("posted events count by service, operation and outcome; services beyond the bound are other", async () => {
  const before = await scrape();
  const res = await post([
    { event_type: "billing.invoice.paid", outcome: "success", service: "billing" },
    { event_type: "billing.invoice.paid", outcome: "failure", service: "billing" },
    { event_type: "auth.login", action: "login", outcome: "success", service: "auth" },
  ]);
  expect(res.status).toBe(201);
  const after = await scrape();
  const d = (labels: Record<string, string>) => sum(after, "warden_events_ingested_total", labels) - sum(before, "warden_events_ingested_total", labels);
  expect(d({ source: "api", service: "billing", operation: "paid", outcome: "success" })).toBe(1);
  expect(d({ source: "api", service: "billing", operation: "paid", outcome: "failure" })).toBe(1);
  expect(d({ source: "api", service: "auth", operation: "login", outcome: "success" })).toBe(1);

  // 40 more services than the bound allows (25 by default) in one batch: the label set stays bounded
  const many = Array.from({ length: 40 }, (_, i) => ({ event_type: "svc.op", outcome: "success", service: `svc-${i}` }));
  expect((await post(many.slice(0, 20))).status).toBe(201);
  expect((await post(many.slice(20))).status).toBe(201);
  const bounded = await scrape();
  const services = new Set(
    bounded
      .split("\n")
      .filter((l) => l.startsWith("warden_events_ingested_total{") && l.includes('source="api"'))
      .map((l) => /service="([^"]*)"/.exec(l)![1]),
  );
  expect(services.size).toBeLessThanOrEqual(26);
  expect(services.has(OTHER)).toBe(true);
  expect(sum(bounded, "warden_events_ingested_total", { source: "api", operation: "op" }) - sum(after, "warden_events_ingested_total", { source: "api", operation: "op" })).toBe(40);
});

test("the ingest queue reports its capacity, and a full queue's 503s are counted", async () => {
  const before = await scrape();
  expect(sum(before, "warden_ingest_queue_capacity_events")).toBe(40);
  expect(sum(before, "warden_ingest_queued_events")).toBe(0);
  // more events in one POST than the queue holds: refused with 503 overloaded
  const res = await post(Array.from({ length: 41 }, () => ({ event_type: "q.full", outcome: "success" })));
  expect(res.status).toBe(503);
  const after = await scrape();
  expect(sum(after, "warden_ingest_overloaded_total") - sum(before, "warden_ingest_overloaded_total")).toBe(1);
  expect(sum(after, "warden_http_requests_total", { status: "503" }) - sum(before, "warden_http_requests_total", { status: "503" })).toBe(1);
});
