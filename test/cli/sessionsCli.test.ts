/**
 * warden token create | session list | session revoke | idp add | idp list |
 * idp remove, run as a user would (compiled, in a child process): every
 * token belongs to a session, revocation is audited, and providers are
 * added and removed with governance events; bad arguments exit 2.
 */
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { closePools, createTenant, createUser, ownerPool } from "../support/db";
import { runWarden, type CliResult } from "../support/cli";

const SECRET = "sessions-cli-secret-0123456789-0123456789";
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-sessions-cli-"));
const warden = (...args: string[]): Promise<CliResult> => runWarden({ WARDEN_JWT_SECRET: SECRET, WARDEN_STATE_DIR: stateDir }, ...args);

let tenant: string;
let user: string;

beforeAll(async () => {
  const c = await ownerPool().connect();
  try {
    tenant = await createTenant(c, "sessions cli");
    user = await createUser(c, tenant, "member");
  } finally {
    c.release();
  }
});

afterAll(async () => {
  await closePools();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

test("token create opens a session; session list shows it; session revoke revokes it, audited", async () => {
  const minted = JSON.parse((await warden("token", "create", "--tenant", tenant, "--user", user, "--json")).stdout);
  const second = JSON.parse((await warden("token", "create", "--tenant", tenant, "--user", user, "--ttl", "5m", "--json")).stdout);
  const listed = await warden("session", "list", "--tenant", tenant, "--user", user, "--active", "--json");
  expect(listed.code).toBe(0);
  expect(JSON.parse(listed.stdout).sessions.map((s: any) => s.id).sort()).toEqual([minted.session_id, second.session_id].sort());
  const one = await warden("session", "revoke", "--id", minted.session_id, "--json");
  expect(one.code).toBe(0);
  expect(JSON.parse(one.stdout)).toMatchObject({ revoked: 1 });
  const all = await warden("session", "revoke", "--tenant", tenant, "--user", user, "--json");
  expect(JSON.parse(all.stdout)).toMatchObject({ revoked: 1, sessions: [expect.objectContaining({ id: second.session_id })] });
  const { rows } = await ownerPool().query(
    "select resource_id, actor_type from warden.audit_events where tenant_id = $1 and event_type = 'governance.session.revoked'",
    [tenant],
  );
  expect(rows.map((r) => r.resource_id).sort()).toEqual([minted.session_id, second.session_id].sort());
  expect(rows.every((r) => r.actor_type === "db_role")).toBe(true);
  expect((await warden("session", "revoke", "--id", "00000000-0000-4000-8000-000000000000")).code).toBe(1);
  expect((await warden("token", "create", "--tenant", tenant, "--user", "00000000-0000-4000-8000-000000000000")).code).toBe(2);
});

test("idp add, list and remove, with governance events; bad URLs, claims and roles exit 2", async () => {
  const added = await warden(
    "idp", "add", "--tenant", tenant, "--name", "okta", "--issuer", "https://example.okta.com/oauth2/default",
    "--audience", "warden-client", "--claim", "sub", "--auto-provision", "--default-role", "auditor", "--json",
  );
  expect(added.code).toBe(0);
  const p = JSON.parse(added.stdout);
  expect(p).toMatchObject({ name: "okta", user_claim: "sub", auto_provision: true, default_role: "auditor", jwks_url: null, enabled: true });
  const list = JSON.parse((await warden("idp", "list", "--tenant", tenant, "--json")).stdout);
  expect(list.identity_providers.map((x: any) => x.id)).toEqual([p.id]);
  expect((await warden("idp", "add", "--tenant", tenant, "--name", "x", "--issuer", "http://idp.example", "--audience", "a")).code).toBe(2);
  expect((await warden("idp", "add", "--tenant", tenant, "--name", "x", "--issuer", "https://idp.example", "--audience", "a", "--claim", "name")).code).toBe(2);
  expect((await warden("idp", "add", "--tenant", tenant, "--name", "x", "--issuer", "https://idp.example", "--audience", "a", "--default-role", "owner")).code).toBe(2);
  const removed = await warden("idp", "remove", "--id", p.id, "--json");
  expect(JSON.parse(removed.stdout)).toMatchObject({ id: p.id, removed: true });
  const { rows } = await ownerPool().query(
    "select event_type from warden.audit_events where resource_type = 'identity_provider' and resource_id = $1 order by occurred_at",
    [p.id],
  );
  expect(rows.map((r) => r.event_type)).toEqual(["governance.identity_provider.created", "governance.identity_provider.deleted"]);
});
