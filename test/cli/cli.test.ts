/**
 * The `warden` command, run as a user would (compiled, in a child process,
 * against the test database): JSON output, bad arguments exit 2 with one line.
 */
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { TokenService } from "../../src/auth/tokens";
import { authUrl, closePools, ownerPool, ownerUrl } from "../support/db";
import { runWarden, startWardenProcess, type CliResult } from "../support/cli";
import { TcpProxy } from "../support/tcpProxy";

const SECRET = "cli-test-secret-cli-test-secret-0123456789";
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-cli-"));


function warden(...args: string[]): Promise<CliResult> {
  return runWarden({ WARDEN_JWT_SECRET: SECRET, WARDEN_STATE_DIR: stateDir }, ...args);
}

afterAll(async () => {
  await closePools();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

test("tenant, user, token and API key creation with --json", async () => {
  const tenant = await warden("tenant", "create", "CLI Corp", "--json");
  expect(tenant).toMatchObject({ code: 0, stderr: "" });
  const { id: tenantId } = JSON.parse(tenant.stdout);
  expect(tenantId).toMatch(/^[0-9a-f-]{36}$/);

  const user = await warden("user", "create", "--tenant", tenantId, "--email", "Bob@CLI.test", "--role", "admin", "--json");
  expect(user.code).toBe(0);
  const { id: userId } = JSON.parse(user.stdout);
  const membership = await ownerPool().query("select role from warden.tenant_memberships where tenant_id = $1 and user_id = $2", [tenantId, userId]);
  expect(membership.rows[0].role).toBe("admin");

  const token = await warden("token", "create", "--tenant", tenantId, "--user", userId, "--ttl", "15m", "--json");
  expect(token.code).toBe(0);
  const parsed = JSON.parse(token.stdout);
  const verified = await new TokenService(SECRET).verify(parsed.token);
  expect(verified).toEqual({ ok: true, claims: { tenantId, userId, sessionId: parsed.session_id } });
  // the token belongs to a session, whose opening is a governance event
  const session = await ownerPool().query("select tenant_id, user_id, expires_at from warden.user_sessions where id = $1", [parsed.session_id]);
  expect(session.rows[0]).toMatchObject({ tenant_id: tenantId, user_id: userId });
  expect(session.rows[0].expires_at.toISOString()).toBe(parsed.expires_at);
  const created = await ownerPool().query(
    "select count(*)::int as n from warden.audit_events where event_type = 'governance.session.created' and resource_id = $1",
    [parsed.session_id],
  );
  expect(created.rows[0].n).toBe(1);
  const ttl = (Date.parse(parsed.expires_at) - Date.now()) / 1000;
  expect(ttl).toBeGreaterThan(800);
  expect(ttl).toBeLessThanOrEqual(900);

  const key = await warden("apikey", "create", "--tenant", tenantId, "--name", "gateway", "--json");
  expect(key.code).toBe(0);
  const k = JSON.parse(key.stdout);
  expect(k.key).toMatch(/^wdn_[0-9a-f]{12}_[0-9a-f]{64}$/);
  const stored = await ownerPool().query("select tenant_id, name from warden.api_keys where id = $1", [k.id]);
  expect(stored.rows[0]).toEqual({ tenant_id: tenantId, name: "gateway" });

  // without --json: just the value, for shell scripts
  const plain = await warden("tenant", "create", "Plain Corp");
  expect(plain.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
});

test.each([
  [["tenant", "create"], /usage: warden tenant create NAME/],
  [["user", "create", "--tenant", "nope", "--email", "a@b.c"], /--tenant must be a uuid/],
  [["user", "create", "--tenant", "00000000-0000-4000-8000-000000000000"], /--email is required/],
  [["user", "create", "--tenant", "00000000-0000-4000-8000-000000000000", "--email", "a@b.c", "--role", "king"], /--role must be one of/],
  [["token", "create", "--tenant", "00000000-0000-4000-8000-000000000000", "--user", "00000000-0000-4000-8000-000000000000", "--ttl", "forever"], /--ttl must look like/],
  [["apikey", "create", "--tenant", "00000000-0000-4000-8000-000000000000"], /--name is required/],
  [["tenant", "create", "x", "--bogus"], /unknown option --bogus/],
  [["frobnicate"], /unknown command/],
])("bad arguments %j exit 2 with one line", async (args, message) => {
  const r = await warden(...(args as string[]));
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stdout).toBe("");
});

test("a token for a non-member is refused; an unknown tenant is a clear error", async () => {
  const r = await warden("token", "create", "--tenant", "00000000-0000-4000-8000-000000000000", "--user", "00000000-0000-4000-8000-000000000001");
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/is not a member of tenant/);
  const u = await warden("user", "create", "--tenant", "00000000-0000-4000-8000-000000000000", "--email", "x@y.z");
  expect(u.code).toBe(1);
  expect(u.stderr.trim()).toMatch(/^warden: tenant 00000000-0000-4000-8000-000000000000 does not exist$/);
});

test("migrate is idempotent and reports success", async () => {
  const r = await warden("migrate", "--json");
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ migrated: true });
});

test("seal, verify and coverage from the shell", async () => {
  const seal = await warden("seal", "--json");
  expect(seal.code).toBe(0);
  const s = JSON.parse(seal.stdout);
  expect(s).toMatchObject({ skipped: false });
  expect(typeof s.sealed).toBe("number");
  const verify = await warden("verify", "--json");
  expect(verify.code).toBe(0);
  const v = JSON.parse(verify.stdout);
  expect(v).toMatchObject({ ok: true, first_bad: null });
  expect(v.events_verified).toBeGreaterThan(0);
  expect((await warden("verify", "--tenant", "nope")).code).toBe(2);

  await ownerPool().query(`create schema if not exists cli_cov;
    create table if not exists cli_cov.a (id int); create table if not exists cli_cov.b (id int);
    select warden.enable_auditing('cli_cov.a');`);
  const low = await warden("coverage", "--schema", "cli_cov", "--min", "0.9", "--json");
  expect(low.code).toBe(1);
  expect(JSON.parse(low.stdout)).toMatchObject({ coverage_ratio: 0.5, ok: false, min: 0.9 });
  const ok = await warden("coverage", "--schema", "cli_cov", "--min", "0.5");
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/NOT AUDITED cli_cov\.b/);
  expect((await warden("coverage", "--min", "2", "--schema", "x")).code).toBe(2);
});

test("warden start serves health, readiness and GraphQL on PORT, and stops on SIGTERM", async () => {
  const port = 31000 + Math.floor(Math.random() * 2000);
  const warden = startWardenProcess({
    ...process.env,
    DATABASE_URL: ownerUrl(),
    AUTH_DATABASE_URL: authUrl(),
    WARDEN_JWT_SECRET: SECRET,
    WARDEN_STATE_DIR: stateDir,
    PORT: String(port),
  });
  try {
    const info = JSON.parse((await warden.firstLine(30_000)) ?? "null");
    expect(info).toMatchObject({ graphql: `http://127.0.0.1:${port}/graphql`, embedded: false });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as any;
    expect(ready.status).toBe("ready");
    const unauth = await fetch(`http://127.0.0.1:${port}/graphql`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(unauth.status).toBe(401);
  } finally {
    warden.child.kill("SIGTERM");
    expect(await warden.exited).toBe(0);
  }
});

test("warden start survives its database vanishing, restarts its worker when it returns, and still exits on SIGTERM without it", async () => {
  // The database reached through a proxy the test can cut: the worker's
  // jobs fail, graphile-worker gives up its pool, and a clean stop may
  // never finish.
  const owner = new URL(ownerUrl());
  const auth = new URL(authUrl());
  const proxy = new TcpProxy(owner.hostname, Number(owner.port || 5432));
  await proxy.start();
  owner.hostname = auth.hostname = "127.0.0.1";
  owner.port = auth.port = String(proxy.port);
  const port = 31000 + Math.floor(Math.random() * 2000);
  const { child, exited, stderr, firstLine } = startWardenProcess({
    ...process.env,
    DATABASE_URL: owner.toString(),
    AUTH_DATABASE_URL: auth.toString(),
    WARDEN_JWT_SECRET: SECRET,
    WARDEN_STATE_DIR: stateDir,
    PORT: String(port),
    SHUTDOWN_TIMEOUT_SECONDS: "2",
  });
  try {
    await firstLine(30_000);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // graphile-migrate keeps its own pool 200 ms after migrating (and exits
    // the process if that pool fails): the outage comes after that.
    await new Promise((r) => setTimeout(r, 1_000));
    await proxy.cut();
    // the sealer runs every second: its jobs fail on the dead connection,
    // and graphile-worker may give up its pool
    const crashed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
    expect({ crashed, stderr: crashed ? stderr() : "" }).toEqual({ crashed: false, stderr: "" });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200); // the HTTP side still answers
    // the database comes back: the worker seals new events again by itself
    await proxy.start();
    const c = await ownerPool().connect();
    let eventId: string;
    try {
      await c.query("begin");
      await c.query("select warden.set_context(null, 'outage-test', 'service')");
      eventId = (
        await c.query(`insert into warden.audit_events (event_type, category, action, actor_type, actor_id) values ('cli.outage.after', 'cli', 'after', 'service', 'outage-test') returning event_id`)
      ).rows[0].event_id;
      await c.query("commit");
    } finally {
      c.release();
    }
    const sealed = async () =>
      (await ownerPool().query("select exists (select 1 from warden_private.seal_blocks where $1::uuid = any (event_ids)) as ok", [eventId])).rows[0].ok as boolean;
    const until = Date.now() + 60_000;
    while (!(await sealed()) && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
    expect(await sealed()).toBe(true);
    // and goes away for good: SIGTERM still ends the process
    await proxy.cut();
    child.kill("SIGTERM");
    const code = await exited;
    // either a clean stop (0) or the deadline (1, said so on stderr)
    expect(code === 0 || (code === 1 && /did not stop within 2 s/.test(stderr()))).toBe(true);
  } finally {
    child.kill("SIGKILL");
    await proxy.cut().catch(() => undefined);
  }
}, 90_000);

/** A new tenant with one event whose actor (and event_data.who) is `subject`; returns the tenant id. */
async function tenantWithSubjectEvent(name: string, subject: string): Promise<string> {
  const c = await ownerPool().connect();
  try {
    const tenant = (await c.query("select warden_private.create_tenant($1) as id", [name])).rows[0].id as string;
    await c.query("begin");
    await c.query("select warden.set_context($1, $2, 'service')", [tenant, subject]);
    await c.query(
      `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, user_agent, event_data)
       values ($1, 'cli.subject.acted', 'cli', 'act', 'service', $2, 'ua', jsonb_build_object('who', $2::text))`,
      [tenant, subject],
    );
    await c.query("commit");
    return tenant;
  } finally {
    c.release();
  }
}

test("sign-records: what was erased from plain SQL waits unsigned (verify fails) until the operator signs it", async () => {
  const subject = `sql-subject-${Date.now()}`;
  const tenant = await tenantWithSubjectEvent("cli sign-records", subject);
  expect((await warden("seal", "--json")).code).toBe(0);
  await ownerPool().query("select warden.erase_subject($1, $2, 'ticket 9 (DBA)')", [tenant, subject]);
  expect((await warden("seal", "--json")).code).toBe(0);
  const before = await warden("verify", "--tenant", tenant, "--json");
  expect(before.code).toBe(1);
  // not tampering: its own status, with the next step
  expect(JSON.parse(before.stdout)).toMatchObject({
    ok: false,
    status: "pending_signature",
    first_bad: { reason: "modified" },
    pending_signatures: { erasure_records: 1 },
  });
  const human = await warden("verify", "--tenant", tenant);
  expect(human.stdout).toMatch(/^PENDING SIGNATURE: .*warden sign-records/);
  expect(human.stdout).not.toContain("TAMPERED");

  const listed = await warden("sign-records", "--dry-run", "--json");
  expect(listed.code).toBe(0);
  const list = JSON.parse(listed.stdout);
  expect(list).toMatchObject({ dry_run: true, prune_records_signed: 0, erasure_records_signed: 0 });
  expect(list.erasure_records.filter((r: { tenant_id: string }) => r.tenant_id === tenant)).toHaveLength(1);
  expect((await warden("verify", "--tenant", tenant, "--json")).code).toBe(1); // a dry run signs nothing

  const signed = await warden("sign-records", "--json");
  expect(signed.code).toBe(0);
  expect(JSON.parse(signed.stdout).erasure_records_signed).toBeGreaterThanOrEqual(1);
  const after = await warden("verify", "--tenant", tenant, "--json");
  expect(after.code).toBe(0);
  expect(JSON.parse(after.stdout)).toMatchObject({ status: "ok", pending_signatures: { erasure_records: 0, prune_records: 0 } });
  expect((await warden("sign-records", "--bogus")).code).toBe(2);
});

test("subject export and erase from the shell: receipt, records signed, verify still ok", async () => {
  const subject = `cli-subject-${Date.now()}`;
  const tenant = await tenantWithSubjectEvent("cli gdpr", subject);
  expect((await warden("seal", "--json")).code).toBe(0);
  const exported = await warden("subject", "export", "--tenant", tenant, "--subject", subject, "--json");
  expect(exported.code).toBe(0);
  expect(JSON.parse(exported.stdout).events).toHaveLength(1);
  const erased = await warden("subject", "erase", "--tenant", tenant, "--subject", subject, "--reason", "cli test", "--json");
  expect(erased.code).toBe(0);
  const receipt = JSON.parse(erased.stdout);
  expect(receipt).toMatchObject({ events_rewritten: 1, erasure_records: 1, records_signed: 1 });
  const left = await ownerPool().query("select count(*)::int as n from warden.audit_events e where strpos(e::text, $1) > 0", [subject]);
  expect(left.rows[0].n).toBe(0);
  const verify = await warden("verify", "--tenant", tenant, "--json");
  expect(verify.code).toBe(0);
  expect(JSON.parse(verify.stdout).ok).toBe(true);
  expect((await warden("subject", "erase", "--tenant", tenant, "--subject", subject)).code).toBe(2); // no --reason
  expect((await warden("subject", "export", "--tenant", "nope", "--subject", subject)).code).toBe(2);
});
