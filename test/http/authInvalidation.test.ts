/**
 * Revocation holds on the very next request of every API process: two real
 * `warden start` processes on the test database; a session, an API key, a
 * membership and a role are taken away through one, and the other refuses
 * (or downgrades) the credential on its next request, because the database
 * NOTIFYs every process's listener (src/auth/invalidation.ts). PostgreSQL
 * delivers a notification asynchronously after the commit (well under a
 * millisecond on an idle host, tens of milliseconds on this busy one), so
 * each test waits until the other process has received it (its
 * warden_auth_invalidations_total) and then sends the next request; the
 * delivery time is printed. Its cache still holds the credential (it was
 * used just before): only the notification refuses it, 5 s before the TTL
 * would. A listener whose connection is killed reconnects and keeps working.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { TokenService } from "../../src/auth/tokens";
import { mintSessionToken } from "../../src/auth/sessions";
import pg from "pg";
import { authUrl, closePools, createApiKey, createTenant, createUser, ownerPool, ownerUrl, rootOnTestDatabase } from "../support/db";
import { WARDEN_BIN } from "../support/cli";

const SECRET = randomBytes(32).toString("base64url");
const tokens = new TokenService(SECRET);
const stateDir = mkdtempSync(path.join(os.tmpdir(), "warden-auth-inval-"));

interface Proc {
  child: ChildProcess;
  url: string;
}

async function startProcess(): Promise<Proc> {
  const port = 27000 + Math.floor(Math.random() * 2000); // below the ephemeral range (32768-60999), see test/db/embedded.test.ts
  const child = spawn(process.execPath, [WARDEN_BIN, "start", "--json", "--no-worker"], {
    env: { ...process.env, DATABASE_URL: ownerUrl(), AUTH_DATABASE_URL: authUrl(), WARDEN_JWT_SECRET: SECRET, WARDEN_STATE_DIR: stateDir, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const deadline = Date.now() + 60_000;
  while (!out.includes("\n") && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!out.includes("\n")) {
    child.kill("SIGKILL"); // never leave a half-started server behind (it would keep jest alive)
    throw new Error(`warden start did not come up: ${err}`);
  }
  return { child, url: `http://127.0.0.1:${port}` };
}

async function stopProcess(p: Proc | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null) return;
  const exited = new Promise((r) => p.child.on("exit", r));
  p.child.kill("SIGTERM");
  await exited;
}

let a: Proc;
let b: Proc;
let tenantId: string;
const users: Record<string, string> = {};

beforeAll(async () => {
  const started = await Promise.allSettled([startProcess(), startProcess()]);
  const up = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await Promise.all(up.map((p) => stopProcess(p)));
    throw failed.reason;
  }
  [a, b] = up;
  const c = await ownerPool().connect();
  try {
    tenantId = await createTenant(c, "Auth invalidation tenant");
    for (const role of ["owner", "admin", "member", "support"]) users[role] = await createUser(c, tenantId, role);
  } finally {
    c.release();
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([stopProcess(a), stopProcess(b)]);
  rmSync(stateDir, { recursive: true, force: true });
  await closePools();
});

const token = async (user: string) => mintSessionToken(ownerPool(), tokens, { tenantId, userId: user, ttlSeconds: 3600 });

function call(p: Proc, credential: string, method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${p.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${credential}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

async function expectProblem(res: Response, status: number, code: string): Promise<void> {
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(await res.json()).toMatchObject({ status, code });
  expect(res.status).toBe(status);
}

async function invalidations(p: Proc, kind: string): Promise<number> {
  const text = await (await fetch(`${p.url}/metrics`)).text();
  const m = new RegExp(`^warden_auth_invalidations_total\\{kind="${kind}"\\} (\\d+)`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

const delivery: Record<string, number> = {};

/** Runs the change through A, then waits until B has received its notification. */
async function throughA(kind: string, change: () => Promise<void>): Promise<void> {
  const before = await invalidations(b, kind);
  await change();
  const start = performance.now();
  while ((await invalidations(b, kind)) === before) {
    if (performance.now() - start > 10_000) throw new Error(`process B received no ${kind} invalidation within 10 s`);
    await new Promise((r) => setTimeout(r, 1));
  }
  delivery[kind] = Math.round((performance.now() - start) * 10) / 10;
}

afterAll(() => {
  console.log(`[auth invalidation] NOTIFY delivered to the other process within (ms, including a /metrics poll): ${JSON.stringify(delivery)}`);
});

async function gql(p: Proc, credential: string, query: string, variables: Record<string, unknown>): Promise<any> {
  const res = await call(p, credential, "POST", "/graphql", { query, variables });
  const body = (await res.json()) as any;
  expect(body.errors).toBeUndefined();
  return body.data;
}

test("a session revoked through one process is refused by the other on its next request", async () => {
  const owner = await token(users.owner);
  const member = await token(users.member);
  // both processes have the member's session cached
  expect((await call(a, member.token, "GET", "/api/v1/me")).status).toBe(200);
  expect((await call(b, member.token, "GET", "/api/v1/me")).status).toBe(200);
  await throughA("session", async () => {
    const revoked = await call(a, owner.token, "DELETE", `/api/v1/sessions/${member.sessionId}`);
    expect(revoked.status).toBe(200);
  });
  await expectProblem(await call(b, member.token, "GET", "/api/v1/me"), 401, "session_revoked");
  await expectProblem(await call(a, member.token, "GET", "/api/v1/me"), 401, "session_revoked");
});

test("an API key revoked through one process is refused by the other on its next request", async () => {
  const owner = await token(users.owner);
  const c = await ownerPool().connect();
  const key = await createApiKey(c, tenantId, "member").finally(() => c.release());
  expect((await call(b, key.key, "GET", "/api/v1/me")).status).toBe(200);
  await throughA("api_key", async () => {
    expect((await call(a, owner.token, "DELETE", `/api/v1/api-keys/${key.id}`)).status).toBe(200);
  });
  await expectProblem(await call(b, key.key, "GET", "/api/v1/me"), 401, "invalid_api_key");
});

test("a member removed through one process is refused by the other on its next request", async () => {
  const owner = await token(users.owner);
  const support = await token(users.support);
  expect((await call(b, support.token, "GET", "/api/v1/me")).status).toBe(200);
  await throughA("membership", () =>
    gql(
      a,
      owner.token,
      `mutation($t: UUID!, $u: UUID!) { deleteTenantMembershipByTenantIdAndUserId(input: {tenantId: $t, userId: $u}) { tenantMembership { role } } }`,
      { t: tenantId, u: users.support },
    ),
  );
  await expectProblem(await call(b, support.token, "GET", "/api/v1/me"), 401, "not_a_member");
});

test("a role downgraded through one process holds on the other's next request", async () => {
  const owner = await token(users.owner);
  const admin = await token(users.admin);
  const me = await call(b, admin.token, "GET", "/api/v1/me");
  expect(((await me.json()) as any).tenant_role).toBe("admin");
  // as admin, B lists another user's sessions
  expect((await call(b, admin.token, "GET", `/api/v1/sessions?user_id=${users.owner}`)).status).toBe(200);
  await throughA("membership", () =>
    gql(
      a,
      owner.token,
      `mutation($t: UUID!, $u: UUID!) { updateTenantMembershipByTenantIdAndUserId(input: {tenantId: $t, userId: $u, patch: {role: member}}) { tenantMembership { role } } }`,
      { t: tenantId, u: users.admin },
    ),
  );
  const after = await call(b, admin.token, "GET", "/api/v1/me");
  expect(((await after.json()) as any).tenant_role).toBe("member");
  await expectProblem(await call(b, admin.token, "DELETE", `/api/v1/sessions?user_id=${users.owner}`), 403, "forbidden");
});

test("a listener whose connection is killed reconnects, and revocations hold on the next request again", async () => {
  const owner = await token(users.owner);
  const member = await token(users.member);
  expect((await call(b, member.token, "GET", "/api/v1/me")).status).toBe(200);
  const appName = `warden-auth-listener-${b.child.pid}`;
  const root = new pg.Client({ connectionString: rootOnTestDatabase() });
  await root.connect();
  try {
    const killed = await root.query(
      "select count(*) filter (where k)::int as n from (select pg_terminate_backend(pid) as k from pg_stat_activity where application_name = $1) t",
      [appName],
    );
    expect(killed.rows[0].n).toBe(1);
  } finally {
    await root.end();
  }
  // wait for the new LISTEN connection (the process reconnects with backoff)
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await ownerPool().query(
      "select count(*)::int as n from pg_stat_activity where application_name = $1 and state = 'idle' and query ilike 'listen%'",
      [appName],
    );
    if (rows[0].n === 1) break;
    if (Date.now() > deadline) throw new Error("the listener did not reconnect");
    await new Promise((r) => setTimeout(r, 50));
  }
  expect((await call(b, member.token, "GET", "/api/v1/me")).status).toBe(200);
  await throughA("session", async () => {
    expect((await call(a, owner.token, "DELETE", `/api/v1/sessions/${member.sessionId}`)).status).toBe(200);
  });
  await expectProblem(await call(b, member.token, "GET", "/api/v1/me"), 401, "session_revoked");
});
