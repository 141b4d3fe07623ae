/**
 * GET /metrics: the series the issue names exist and move, and the
 * exposition passes `promtool check metrics` (required in CI, where
 * .ci/run installs promtool and sets WARDEN_REQUIRE_PROMTOOL=1; on a
 * machine without promtool the structural check below still runs).
 */
import { spawnSync } from "node:child_process";
import pg from "pg";
import { closePools, rootOnTestDatabase, withPlansLogged } from "../support/db";
import { startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "Metrics tenant");
});

afterAll(async () => {
  await server.close();
  await closePools();
});

async function metrics(): Promise<string> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/text\/plain/);
  return res.text();
}

function value(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(series + " ") || l.startsWith(series + "{") && l.includes(series));
  return line ? Number(line.split(" ").pop()) : 0;
}

test("the named series exist and move with traffic", async () => {
  const before = await metrics();
  const post = await fetch(`${server.url}/api/v1/audit/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.apiKey.key}`, "content-type": "application/json" },
    body: JSON.stringify([{ event_type: "m.one", outcome: "failure" }, { event_type: "m.two", outcome: "failure" }]),
  });
  expect(post.status).toBe(201);
  await fetch(`${server.url}/api/v1/audit/events?limit=1`, { headers: { authorization: `Bearer ${t.tokens.auditor}` } });
  await fetch(`${server.url}/nope`);
  const after = await metrics();
  for (const name of [
    "warden_events_ingested_total",
    "warden_audit_write_duration_seconds_bucket",
    "warden_audit_query_duration_seconds_bucket",
    "warden_http_requests_total",
    "warden_ingest_queue_depth",
    "warden_rate_limited_requests_total",
    "warden_worker_jobs_total",
    "warden_sealing_lag_seconds",
  ]) {
    expect({ name, present: after.includes(name) }).toEqual({ name, present: true });
  }
  // labelled by source, service and operation too (test/observability/metrics.test.ts)
  const failures = (text: string) =>
    text
      .split("\n")
      .filter((l) => l.startsWith("warden_events_ingested_total{") && l.includes('outcome="failure"') && l.includes('source="api"'))
      .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
  expect(failures(after) - failures(before)).toBe(2);
  expect(after).toMatch(/warden_http_requests_total\{route="\/api\/v1\/audit\/events",method="POST",status="201"\} \d+/);
  expect(after).toMatch(/warden_http_requests_total\{route="unmatched",method="GET",status="404"\} \d+/);
  expect(after).not.toMatch(/route="\/api\/v1\/audit\/events\/[0-9a-f-]{36}"/); // ids never become labels
});

test("the exposition is valid Prometheus text format", async () => {
  const text = await metrics();
  // structural check: every sample line is name{labels} value, every family has HELP and TYPE
  for (const line of text.split("\n").filter((l) => l && !l.startsWith("#"))) {
    expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.eE+-]+|NaN|Nan|[+-]Inf)$/);
  }
  const promtool = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  if (promtool.error) {
    // promtool is a Debian package, not an npm one: CI installs it and requires it.
    expect(process.env.WARDEN_REQUIRE_PROMTOOL).not.toBe("1");
    return;
  }
  expect({ status: promtool.status, out: promtool.stdout + promtool.stderr }).toEqual({ status: 0, out: "" });
});

test("capture backlog, lag and promotions; audit coverage by schema and capture gaps (the worker's coverage check finds a trigger dropped while event triggers were off)", async () => {
  const schema = `mcap_${Date.now().toString(36)}`;
  await server.ownerPool.query(`select warden.flush_capture()`);
  await server.ownerPool.query(`create schema ${schema}; create table ${schema}.a (id int primary key, v text); create table ${schema}.b (id int primary key)`);
  await server.ownerPool.query(`select warden.enable_auditing('${schema}.a')`);
  await server.ownerPool.query(`insert into ${schema}.a select g, 'x' from generate_series(1, 25) g`);
  const waiting = await metrics();
  expect(value(waiting, "warden_capture_backlog_events")).toBeGreaterThanOrEqual(25);
  expect(value(waiting, "warden_capture_lag_seconds")).toBeGreaterThan(0);
  expect(value(waiting, `warden_audit_coverage_ratio{schema="${schema}"}`)).toBe(0.5);
  const promotedBefore = value(waiting, "warden_capture_promoted_total");
  await server.ownerPool.query(`select warden.flush_capture()`);
  const promoted = await metrics();
  expect(value(promoted, "warden_capture_promoted_total") - promotedBefore).toBeGreaterThanOrEqual(25);
  expect(value(promoted, "warden_capture_backlog_events")).toBe(0);
  expect(value(promoted, "warden_capture_lag_seconds")).toBe(0);
  // a capture trigger dropped with event triggers off (as a superuser can): only the coverage check sees it
  const su = new pg.Client({ connectionString: rootOnTestDatabase() });
  await su.connect();
  try {
    await su.query("begin");
    await su.query("set local session_replication_role = replica");
    await su.query(`alter event trigger warden_ddl_drop_capture disable`);
    await su.query(`drop trigger _900_audit_delete on ${schema}.a`);
    await su.query(`alter event trigger warden_ddl_drop_capture enable`);
    await su.query("commit");
  } finally {
    await su.end();
  }
  const gapsBefore = value(await metrics(), "warden_capture_gaps");
  const found = await server.ownerPool.query("select table_name, gap_reason from warden_private.capture_check_coverage()");
  expect(found.rows).toContainEqual({ table_name: `${schema}.a`, gap_reason: "trigger_missing" });
  const after = await metrics();
  expect(value(after, "warden_capture_gaps")).toBe(gapsBefore + 1);
  expect(value(after, `warden_audit_coverage_ratio{schema="${schema}"}`)).toBe(0);
  const event = await server.ownerPool.query(
    "select severity from warden.audit_events where event_type = 'governance.capture_gap_detected' and resource_id = $1",
    [`${schema}.a`],
  );
  expect(event.rows).toEqual([{ severity: "critical" }]);
  // putting capture back closes the gap
  await server.ownerPool.query(`select warden.enable_auditing('${schema}.a')`);
  expect((await server.ownerPool.query("select count(*)::int as n from warden.capture_gaps() where table_name = $1", [`${schema}.a`])).rows[0].n).toBe(0);
  expect(value(await metrics(), "warden_capture_gaps")).toBe(gapsBefore);
});

test("a scrape reads the store through the txid BRIN index: no sequential scan of the store for the sealing lag or the capture tally (auto_explain)", async () => {
  // Attack: both read a txid range of the store, and the planner scanned
  // whole partitions for it (0.8 s per scrape at a million events, growing
  // with the store). auto_explain shows the plans of a scrape's statements.
  const schema = `mplan_${Date.now().toString(36)}`;
  await server.ownerPool.query(`create schema ${schema}; create table ${schema}.a (id int primary key, v text)`);
  await server.ownerPool.query(`select warden.enable_auditing('${schema}.a')`);
  await server.ownerPool.query(`insert into ${schema}.a select g, 'x' from generate_series(1, 2000) g`);
  await server.ownerPool.query(`select warden.flush_capture()`);
  const { result, plans: notices } = await withPlansLogged(async (c) => ({
    lag: (await c.query("select warden_private.sealing_lag_seconds() as lag")).rows[0].lag as number,
    tally: (await c.query<{ service: string; operation: string; n: string }>("select service, operation, n::text as n from warden_private.capture_ingest_counts_refresh()")).rows,
  }));
  const { lag, tally } = result;
  expect(lag).toBeGreaterThanOrEqual(0);
  expect(tally.some((r) => r.operation === "insert" && Number(r.n) >= 2000)).toBe(true);
  const storeReads = notices.filter((m) => /on audit_events_\w+ /.test(m));
  // the lag and the tally (which counted the 2,000 inserts since the last scrape) both read the store
  expect(storeReads.filter((m) => /recorded_at/.test(m)).length).toBeGreaterThan(0);
  expect(storeReads.filter((m) => /capture_ingest_counts/.test(m)).length).toBeGreaterThan(0);
  expect(storeReads.join("\n")).not.toMatch(/Seq Scan on audit_events/);
  expect(storeReads.every((m) => /Bitmap Index Scan on audit_events_\w+_txid_idx/.test(m))).toBe(true);
});
