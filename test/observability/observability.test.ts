/**
 * Operations: the alert rules pass their promtool unit tests; the dashboard
 * and the rules name only metrics a running Warden exports (scraped from a
 * real `warden start`, API and worker) or ones listed as coming; and that
 * process's logs are JSON lines with the request fields, log job outcomes,
 * and never carry a credential, even under attack: failed logins with
 * forged tokens, API key creation, token minting, invitation tokens,
 * webhook-like secrets in event bodies, GraphQL variables and job payloads.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { TokenService } from "../../src/auth/tokens";
import { authUrl, closePools, createTenant, createUser, ownerPool, ownerUrl } from "../support/db";
import { runWarden, startWardenProcess, type WardenProcess } from "../support/cli";

const ROOT = path.join(__dirname, "../..");
const RULES = path.join(ROOT, "deploy/prometheus/warden-rules.yml");
const RULE_TESTS = path.join(ROOT, "deploy/prometheus/warden-rules.test.yml");
const DASHBOARD = path.join(ROOT, "deploy/grafana/warden.json");
const COMING = path.join(ROOT, "deploy/coming-metrics.txt");

const PROMTOOL_MISSING =
  "promtool is not installed: it comes with Debian's prometheus package (apt-get install -y --no-install-recommends prometheus); .ci/run installs it";

function promtool(args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync("promtool", args, { input, encoding: "utf8" });
  if (r.error) throw new Error(PROMTOOL_MISSING);
  return { status: r.status, out: r.stdout + r.stderr };
}

// Every credential this run creates or forges: none may reach a log line.
const JWT_SECRET = `jwt-${randomBytes(24).toString("hex")}`;
const METRICS_TOKEN = `metrics-${randomBytes(16).toString("hex")}`;
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString("base64url")}`;
const FORGED_KEY = `wk_${randomBytes(24).toString("hex")}`;
const JOB_SECRET = `job-${randomBytes(16).toString("hex")}`;
const secrets: Record<string, string> = { JWT_SECRET, METRICS_TOKEN, WEBHOOK_SECRET, FORGED_KEY, JOB_SECRET };

let warden: WardenProcess;
let base: string;
let exposition: string;
let stderr: string;
let tenantId: string;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-ops-"));

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call(method: string, url: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

beforeAll(async () => {
  const db = new URL(ownerUrl());
  if (db.password) secrets.DATABASE_PASSWORD = decodeURIComponent(db.password);
  const auth = new URL(authUrl());
  if (auth.password) secrets.AUTH_DATABASE_PASSWORD = decodeURIComponent(auth.password);
  warden = startWardenProcess({
    ...process.env,
    DATABASE_URL: ownerUrl(),
    AUTH_DATABASE_URL: authUrl(),
    WARDEN_JWT_SECRET: JWT_SECRET,
    WARDEN_METRICS_TOKEN: METRICS_TOKEN,
    WARDEN_STATE_DIR: stateDir,
    PORT: "0",
    LOG_LEVEL: "debug",
  });
  const first = await warden.firstLine(60_000);
  if (!first) throw new Error(`warden start did not come up:\n${warden.stderr()}`);
  base = JSON.parse(first).url;

  const c = await ownerPool().connect();
  let ownerId: string;
  try {
    tenantId = await createTenant(c, "ops observability");
    ownerId = await createUser(c, tenantId, "owner");
  } finally {
    c.release();
  }
  // token minting: by the CLI (`warden token create`) and by the same signer in the test
  const minted = await runWarden({ WARDEN_JWT_SECRET: JWT_SECRET, WARDEN_STATE_DIR: stateDir, LOG_LEVEL: "debug" }, "token", "create", "--tenant", tenantId, "--user", ownerId, "--json");
  expect(minted.code).toBe(0);
  const cliToken = JSON.parse(minted.stdout).token as string;
  secrets.CLI_TOKEN = cliToken;
  expect(minted.stderr.includes(cliToken)).toBe(false);
  // the CLI's token opened a session (warden.user_sessions): the API accepts it
  const ownerToken = cliToken;
  secrets.OWNER_TOKEN = ownerToken;
  const forgedJwt = await new TokenService(`not-${JWT_SECRET}`).sign({ tenantId, userId: ownerId, sessionId: randomUUID() }, 600);
  secrets.FORGED_JWT = forgedJwt;

  // failed authentication: a forged JWT, an unknown API key, a token in the query string
  expect((await call("GET", "/api/v1/me", forgedJwt)).status).toBe(401);
  expect((await call("GET", "/api/v1/me", FORGED_KEY)).status).toBe(401);
  expect((await call("GET", `/api/v1/me?access_token=${FORGED_KEY}`, undefined)).status).toBe(401);
  expect((await call("POST", "/api/v1/audit/events", FORGED_KEY, { event_type: "x.y" })).status).toBe(401);
  expect((await call("GET", "/metrics", FORGED_KEY)).status).toBe(401);

  // API key creation: the key is in the response only
  const created = await call("POST", "/api/v1/api-keys", cliToken, { name: "gateway", role: "member" });
  expect(created.status).toBe(201);
  const apiKey = ((await created.json()) as { key: string }).key;
  secrets.API_KEY = apiKey;
  // an invitation token, and a failed acceptance of a forged one
  const invited = await call("POST", "/api/v1/invitations", ownerToken, { email: "new@example.test" });
  expect(invited.status).toBe(201);
  secrets.INVITATION_TOKEN = ((await invited.json()) as { token: string }).token;
  expect((await call("POST", "/api/v1/invitations/accept", ownerToken, { token: `inv_${FORGED_KEY}` })).status).toBeGreaterThanOrEqual(400);

  // webhook-like secrets in event bodies: fast path, Express path, a refused event, GraphQL variables
  const event = { event_type: "billing.webhook.received", outcome: "success", service: "billing", data: { webhook_secret: WEBHOOK_SECRET } };
  const posted = await call("POST", "/api/v1/audit/events", apiKey, event);
  if (posted.status !== 201) throw new Error(`ingest: ${posted.status} ${await posted.text()}`);
  expect((await call("POST", "/api/v1/audit/events", apiKey, [event], { "content-type": "application/json; charset=latin1" })).status).toBe(415);
  expect((await call("POST", "/api/v1/audit/events", apiKey, { ...event, outcome: WEBHOOK_SECRET })).status).toBe(400);
  expect((await call("POST", "/api/v1/audit/events", apiKey, `{"event_type": "${WEBHOOK_SECRET}`)).status).toBe(400);
  const gqlRes = await call("POST", "/graphql", ownerToken, { query: "query ($s: String!) { nope(s: $s) }", variables: { s: WEBHOOK_SECRET } });
  expect(gqlRes.status).toBeLessThan(500);
  expect((await call("GET", "/api/v1/audit/events?limit=5", ownerToken)).status).toBe(200);

  // a job whose payload carries a secret, and that the worker refuses
  await ownerPool().query("select graphile_worker.add_job('dq_run', json_build_object('secret', $1::text), max_attempts => 1)", [JOB_SECRET]);

  // the worker logs job outcomes: wait for the refused dq_run and a loop task
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !(/"task":"dq_run"/.test(warden.stderr()) && /"task":"promote_capture"/.test(warden.stderr()))) await wait(200);
  const scraped = await call("GET", "/metrics", METRICS_TOKEN);
  expect(scraped.status).toBe(200);
  exposition = await scraped.text();
  warden.child.kill("SIGTERM");
  expect(await warden.exited).toBe(0);
  stderr = warden.stderr();
}, 120_000);

afterAll(async () => {
  if (warden && warden.child.exitCode === null) warden.child.kill("SIGKILL");
  fs.rmSync(stateDir, { recursive: true, force: true });
  await closePools();
});

/** Metric names (histogram families give _bucket, _sum and _count) in an exposition. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const m = /^# TYPE (\S+) (\S+)/.exec(line);
    if (!m) continue;
    names.add(m[1]);
    if (m[2] === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(m[1] + s);
    if (m[2] === "summary") for (const s of ["_sum", "_count"]) names.add(m[1] + s);
  }
  return names;
}

function comingNames(): Set<string> {
  return new Set(
    fs
      .readFileSync(COMING, "utf8")
      .split("\n")
      .filter((l) => l.trim() && !l.startsWith("#"))
      .map((l) => l.trim().split(/\s+/)[0]),
  );
}

function dashboardExprs(): string[] {
  const dash = JSON.parse(fs.readFileSync(DASHBOARD, "utf8"));
  const exprs: string[] = [];
  const walk = (panels: any[]) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) exprs.push(t.expr);
      walk(p.panels);
    }
  };
  walk(dash.panels);
  for (const v of dash.templating?.list ?? []) if (v.type === "query") exprs.push(v.definition.replace(/^label_values\((.*), \w+\)$/, "$1"));
  return exprs;
}

const metricNames = (expr: string) => [...new Set(expr.match(/\bwarden_[a-z0-9_]+/g) ?? [])];

describe("alert rules", () => {
  test("promtool: the rules file is valid and every rule's firing and non-firing series pass", () => {
    expect(promtool(["check", "rules", RULES])).toMatchObject({ status: 0 });
    const run = promtool(["test", "rules", RULE_TESTS]);
    expect(run).toEqual({ status: 0, out: expect.stringContaining("SUCCESS") });
  });

  test("every rule the issue names is there and has a unit test", () => {
    const rules = fs.readFileSync(RULES, "utf8");
    const tests = fs.readFileSync(RULE_TESTS, "utf8");
    const names = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    expect(names).toEqual(
      expect.arrayContaining([
        "WardenAuditWriteFailures",
        "WardenHTTP5xxRatioHigh",
        "WardenQueryLatencyP95High",
        "WardenIngestQueueSaturated",
        "WardenCaptureLagHigh",
        "WardenSealingStalled",
        "WardenVerifyFailed",
        "WardenVerifyStale",
        "WardenCaptureGap",
      ]),
    );
    for (const name of names) {
      // one evaluation where it fires (a non-empty exp_alerts) and one where it does not
      const blocks = tests.split("- eval_time:").filter((b) => b.includes(`alertname: ${name}\n`));
      expect({ name, fires: blocks.some((b) => /exp_alerts:\s*\n\s*- exp_labels/.test(b)) }).toEqual({ name, fires: true });
      expect({ name, quiet: blocks.some((b) => /exp_alerts: \[\]/.test(b)) }).toEqual({ name, quiet: true });
    }
  });
});

describe("dashboard and rules against a running Warden's /metrics", () => {
  test("every metric the dashboard and the rules use is exported (or listed as coming)", () => {
    const exported = exportedNames(exposition);
    const coming = comingNames();
    const rules = fs.readFileSync(RULES, "utf8");
    const used = new Set([...dashboardExprs().flatMap(metricNames), ...metricNames(rules)]);
    const unknown = [...used].filter((n) => !exported.has(n) && !coming.has(n));
    expect(unknown).toEqual([]);
    // the panels the issue names
    for (const n of [
      "warden_events_ingested_total",
      "warden_audit_write_duration_seconds_bucket",
      "warden_audit_query_duration_seconds_bucket",
      "warden_ingest_queued_events",
      "warden_capture_backlog_events",
      "warden_capture_lag_seconds",
      "warden_sealing_lag_seconds",
      "warden_verify_last_success_timestamp_seconds",
      "warden_retention_last_run_timestamp_seconds",
      "warden_redactions_total",
    ]) {
      expect({ n, used: used.has(n) }).toEqual({ n, used: true });
    }
  });

  test("every dashboard expression is valid PromQL (checked by promtool as recording rules)", () => {
    const exprs = dashboardExprs().map((e) => e.replace(/\$__rate_interval/g, "5m").replace(/\$(job|instance)\b/g, ".*"));
    const file = path.join(stateDir, "dashboard-exprs.yml");
    fs.writeFileSync(
      file,
      JSON.stringify({ groups: [{ name: "dashboard", rules: exprs.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr })) }] }),
    );
    expect(promtool(["check", "rules", file])).toMatchObject({ status: 0 });
  });

  test("ingested events carry source, service and operation labels; posted and captured both count", () => {
    expect(exposition).toMatch(/warden_events_ingested_total\{source="api",service="billing",operation="received",outcome="success"\} 1\b/);
    expect(exposition).toMatch(/# TYPE warden_ingest_queue_capacity_events gauge/);
  });
});

describe("logs", () => {
  let lines: any[];
  beforeAll(() => {
    lines = stderr
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => {
        try {
          return JSON.parse(l);
        } catch {
          return { unparsable: l };
        }
      });
  });

  test("every line on stderr is a JSON object with a level, a time and a message", () => {
    expect(lines.filter((l) => l.unparsable)).toEqual([]);
    for (const l of lines) expect(l).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
  });

  test("every request line carries trace_id, tenant, actor, route, status and duration", () => {
    const requests = lines.filter((l) => l.component === "http" && l.msg.startsWith("request"));
    expect(requests.length).toBeGreaterThanOrEqual(10);
    for (const r of requests) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(["trace_id", "tenant", "actor", "route", "status", "duration_ms"]));
      expect(r.trace_id).toMatch(/^\S+$/);
      expect(typeof r.duration_ms).toBe("number");
    }
    // authenticated requests name their tenant and actor, on the fast path and through Express
    const ingest = requests.find((r) => r.route === "/api/v1/audit/events" && r.status === 201);
    expect(ingest).toMatchObject({ tenant: tenantId, actor: expect.stringMatching(/^api_key:/), method: "POST" });
    const query = requests.find((r) => r.route === "/api/v1/audit/events" && r.method === "GET");
    expect(query).toMatchObject({ tenant: tenantId, actor: expect.stringMatching(/^user:/), status: 200 });
    // refused credentials: a line with no tenant, never the path's query string
    const refused = requests.filter((r) => r.status === 401);
    expect(refused.length).toBeGreaterThanOrEqual(4);
    for (const r of refused) expect(r).toMatchObject({ tenant: null, actor: null });
  });

  test("the worker logs each job's outcome", () => {
    const jobs = lines.filter((l) => l.component === "worker" && l.task);
    expect(jobs.find((l) => l.task === "promote_capture" && l.outcome === "success")).toBeTruthy();
    expect(jobs.find((l) => l.task === "dq_run")).toMatchObject({ outcome: "success", attempt: 1, duration_ms: expect.any(Number) });
  });

  test("no credential or secret reaches the logs", () => {
    const found = Object.entries(secrets)
      .filter(([, v]) => v && stderr.includes(v))
      .map(([k]) => k);
    expect(found).toEqual([]);
    expect(stderr).not.toMatch(/authorization/i);
    expect(stderr).not.toMatch(/Bearer /);
  });
});
