/**
 * The CLI's governance actions, run as an operator would: `warden user
 * create` never changes an existing membership (re-running it used to
 * demote an owner); `warden user role` is the explicit, audited way to
 * change a role; API keys, subject requests and `sign-records` each leave
 * exactly one governance event with the database role as actor (and
 * service warden-cli); sign-records signs nothing when its event cannot be
 * written.
 */
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { closePools, ownerPool } from "../support/db";
import { runWarden, type CliResult } from "../support/cli";

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-gov-cli-"));

function warden(...args: string[]): Promise<CliResult> {
  return runWarden({ WARDEN_JWT_SECRET: "gov-cli-secret-gov-cli-secret-0123456789", WARDEN_STATE_DIR: stateDir }, ...args);
}

afterAll(async () => {
  await closePools();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

async function events(tenantId: string | null, type: string, resourceId?: string): Promise<any[]> {
  const { rows } = await ownerPool().query(
    `select actor_type::text, actor_id, service, trace_id, resource_id, event_data -> 'before' as before, event_data -> 'after' as after, event_data
     from warden.audit_events where tenant_id is not distinct from $1 and event_type = $2 and ($3::text is null or resource_id = $3)
     order by recorded_at, event_id`,
    [tenantId, type, resourceId ?? null],
  );
  return rows;
}

const CLI_ACTOR = { actor_type: "db_role", actor_id: "warden_owner", service: "warden-cli", trace_id: null };

async function role(tenant: string, user: string): Promise<string | undefined> {
  return (await ownerPool().query("select role from warden.tenant_memberships where tenant_id = $1 and user_id = $2", [tenant, user])).rows[0]?.role;
}

test("user create never changes an existing membership; user role changes it, audited, and keeps an owner", async () => {
  const tenant = JSON.parse((await warden("tenant", "create", "gov cli", "--json")).stdout).id;
  const email = `owner-${randomUUID().slice(0, 8)}@gov.test`;
  const created = await warden("user", "create", "--tenant", tenant, "--email", email, "--role", "owner", "--json");
  expect(created.code).toBe(0);
  const user = JSON.parse(created.stdout);
  expect(user).toMatchObject({ role: "owner", membership: "created" });
  expect(await events(tenant, "governance.membership.added")).toEqual([
    expect.objectContaining({ ...CLI_ACTOR, after: { user_id: user.id, role: "owner", joined_via: "operator" } }),
  ]);

  // re-running it (the default role is member) used to demote the owner
  const again = await warden("user", "create", "--tenant", tenant, "--email", email.toUpperCase(), "--json");
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ id: user.id, role: "owner", membership: "existing" });
  // asking for another role explicitly fails, naming the command that does it
  const other = await warden("user", "create", "--tenant", tenant, "--email", email, "--role", "member");
  expect(other.code).toBe(1);
  expect(other.stderr.trim().split("\n")).toHaveLength(1);
  expect(other.stderr).toMatch(/already a member .* with role owner; nothing changed .*warden user role/);
  expect((await warden("user", "create", "--tenant", tenant, "--email", email, "--role", "owner")).code).toBe(0);
  expect(await role(tenant, user.id)).toBe("owner");
  expect(await events(tenant, "governance.membership.role_changed")).toEqual([]);
  expect(await events(tenant, "governance.membership.added")).toHaveLength(1);

  // the explicit command: the last owner cannot be demoted
  const last = await warden("user", "role", "--tenant", tenant, "--user", user.id, "--role", "admin");
  expect(last.code).toBe(1);
  expect(last.stderr).toMatch(/must keep at least one owner/);
  const second = JSON.parse((await warden("user", "create", "--tenant", tenant, "--email", `two-${email}`, "--json")).stdout);
  const promote = await warden("user", "role", "--tenant", tenant, "--user", second.id, "--role", "owner", "--json");
  expect(promote.code).toBe(0);
  expect(JSON.parse(promote.stdout)).toEqual({ tenant_id: tenant, user_id: second.id, role: "owner", previous_role: "member", changed: true });
  const demote = await warden("user", "role", "--tenant", tenant, "--user", user.id, "--role", "admin");
  expect(demote.code).toBe(0);
  expect(demote.stdout).toMatch(/owner -> admin/);
  expect(await role(tenant, user.id)).toBe("admin");
  expect((await events(tenant, "governance.membership.role_changed")).map((e) => [e.actor_id, e.service, e.before, e.after])).toEqual([
    ["warden_owner", "warden-cli", { role: "member" }, { role: "owner" }],
    ["warden_owner", "warden-cli", { role: "owner" }, { role: "admin" }],
  ]);
  // the same role again changes nothing and writes nothing
  const same = await warden("user", "role", "--tenant", tenant, "--user", user.id, "--role", "admin", "--json");
  expect(JSON.parse(same.stdout)).toMatchObject({ changed: false });
  expect(await events(tenant, "governance.membership.role_changed")).toHaveLength(2);

  const notMember = await warden("user", "role", "--tenant", tenant, "--user", randomUUID(), "--role", "admin");
  expect(notMember.code).toBe(1);
  expect(notMember.stderr).toMatch(/is not a member of tenant/);
  for (const args of [
    ["user", "role", "--tenant", tenant, "--user", user.id, "--role", "god"],
    ["user", "role", "--tenant", tenant, "--user", "bob", "--role", "admin"],
    ["user", "role", "--tenant", tenant, "--role", "admin"],
    ["user", "create", "--tenant", tenant, "--email", email, "--role", "root"],
  ]) {
    const r = await warden(...args);
    expect({ args, code: r.code, lines: r.stderr.trim().split("\n").length }).toEqual({ args, code: 2, lines: 1 });
  }
});

test("apikey create and revoke: one event each, a second revoke changes nothing", async () => {
  const tenant = JSON.parse((await warden("tenant", "create", "gov keys", "--json")).stdout).id;
  const key = JSON.parse((await warden("apikey", "create", "--tenant", tenant, "--name", "ci", "--role", "admin", "--json")).stdout);
  expect(await events(tenant, "governance.api_key.created", key.id)).toEqual([
    expect.objectContaining({ ...CLI_ACTOR, after: expect.objectContaining({ name: "ci", role: "admin", created_by: null }) }),
  ]);
  const revoked = await warden("apikey", "revoke", "--id", key.id, "--json");
  expect(revoked.code).toBe(0);
  expect(JSON.parse(revoked.stdout)).toMatchObject({ id: key.id, already_revoked: false });
  const twice = await warden("apikey", "revoke", "--id", key.id, "--json");
  expect(JSON.parse(twice.stdout)).toMatchObject({ id: key.id, already_revoked: true });
  expect(await events(tenant, "governance.api_key.revoked", key.id)).toEqual([expect.objectContaining({ ...CLI_ACTOR, before: { revoked_at: null } })]);
  expect((await warden("apikey", "revoke", "--id", randomUUID())).code).toBe(1);
  expect((await warden("apikey", "revoke", "--id", "nope")).code).toBe(2);
  expect((await warden("apikey", "revoke")).code).toBe(2);
});

/** A new tenant with one event whose actor is `subject`; returns the tenant id. */
async function tenantWithSubject(subject: string): Promise<string> {
  const c = await ownerPool().connect();
  try {
    const tenant = (await c.query("select warden_private.create_tenant('gov subjects') as id")).rows[0].id as string;
    await c.query("begin");
    await c.query("select warden.set_context($1, $2, 'service')", [tenant, subject]);
    await c.query(`insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id) values ($1, 'app.thing.done', 'app', 'done', 'service', $2)`, [
      tenant,
      subject,
    ]);
    await c.query("commit");
    return tenant;
  } finally {
    c.release();
  }
}

async function pseudonym(tenant: string, subject: string): Promise<string> {
  return (await ownerPool().query("select warden_private.keyed_hash($1, $2) as p", [tenant, subject])).rows[0].p;
}

test("subject export and erase from the shell: one event each", async () => {
  const subject = `gov-cli-${randomUUID()}`;
  const tenant = await tenantWithSubject(subject);
  expect((await warden("subject", "export", "--tenant", tenant, "--subject", subject, "--json")).code).toBe(0);
  const p = await pseudonym(tenant, subject);
  const exported = await events(tenant, "governance.subject.exported", p);
  expect(exported).toEqual([expect.objectContaining(CLI_ACTOR)]);
  expect(exported[0].event_data.counts.events).toBe(1);
  expect((await warden("subject", "erase", "--tenant", tenant, "--subject", subject, "--reason", "gov cli", "--json")).code).toBe(0);
  expect(await events(tenant, "governance.subject.erased", p)).toEqual([expect.objectContaining({ actor_type: "db_role", actor_id: "warden_owner" })]);
});

test("sign-records: one governance.records.signed per tenant it signed for; nothing signed when the event cannot be written", async () => {
  const subject = `gov-sign-${randomUUID()}`;
  const tenant = await tenantWithSubject(subject);
  // an erasure from plain SQL: its record waits for an operator's signature
  const erasure = (await ownerPool().query("select warden.erase_subject($1, $2, 'sql') as r", [tenant, subject])).rows[0].r;
  const pending = async () =>
    (
      await ownerPool().query(
        `select count(*)::int as n from warden_private.erasure_records r
         where r.erasure_id = $1 and not exists (select 1 from warden_private.erasure_record_signatures s where s.event_id = r.event_id)`,
        [erasure.erasure_id],
      )
    ).rows[0].n;
  expect(await pending()).toBe(1);

  // the event cannot be written (a trigger refuses it): the signatures roll back with it
  await ownerPool().query(`create function warden_private.test_refuse_signed() returns trigger language plpgsql as $$
    begin raise exception 'test: the signing event cannot be written' using errcode = 'P0001'; end $$;
    create trigger _000_test_refuse_signed before insert on warden.audit_events for each row
    when (new.event_type = 'governance.records.signed') execute function warden_private.test_refuse_signed()`);
  try {
    const refused = await warden("sign-records", "--json");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/signing event cannot be written/);
  } finally {
    await ownerPool().query("drop trigger _000_test_refuse_signed on warden.audit_events; drop function warden_private.test_refuse_signed()");
  }
  expect(await pending()).toBe(1);
  expect(await events(tenant, "governance.records.signed")).toEqual([]);

  // a dry run signs nothing and writes nothing
  expect((await warden("sign-records", "--dry-run", "--json")).code).toBe(0);
  expect(await events(tenant, "governance.records.signed")).toEqual([]);

  const signed = await warden("sign-records", "--json");
  expect(signed.code).toBe(0);
  const keyId = JSON.parse(signed.stdout).key_id;
  expect(await pending()).toBe(0);
  expect(await events(tenant, "governance.records.signed")).toEqual([
    expect.objectContaining({
      ...CLI_ACTOR,
      resource_id: keyId,
      after: { prune_record_ids: [], prune_record_events: 0, erasure_ids: [erasure.erasure_id], erasure_records: 1 },
    }),
  ]);
  // nothing left to sign: no event
  expect((await warden("sign-records", "--json")).code).toBe(0);
  expect(await events(tenant, "governance.records.signed")).toHaveLength(1);
});
