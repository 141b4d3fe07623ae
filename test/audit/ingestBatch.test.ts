/**
 * The set-based ingest writer (warden_private.record_audit_batch behind
 * warden.record_audit_events and the REST group commit
 * warden_private.record_audit_requests): per-request outcomes inside one
 * batch, client event ids written once, and the validator's date rule never
 * letting through a time that PostgreSQL can not store.
 */
import type pg from "pg";
import { randomUUID } from "node:crypto";
import { closePools, createTenant, expectFailure, rolledBack } from "../support/db";

afterAll(closePools);

function settings(tenantId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { "jwt.claims.tenant_id": tenantId, "jwt.claims.actor_id": "svc-batch", "jwt.claims.actor_type": "api_key", ...extra };
}

async function recordRequests(client: pg.ClientBase, requests: unknown[]): Promise<any[]> {
  const { rows } = await client.query("select warden_private.record_audit_requests($1::jsonb) as out", [JSON.stringify(requests)]);
  return rows[0].out;
}

async function countIds(client: pg.ClientBase, ids: string[]): Promise<number> {
  const { rows } = await client.query("select count(*)::int as n from warden.audit_events where event_id = any($1::uuid[])", [ids]);
  return rows[0].n;
}

test("one batch of requests: each gets its own outcome, and only the valid ones are written", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    const out = await recordRequests(c, [
      { settings: settings(tenant, { "warden.trace_id": "trace-a", "warden.actor_ip": "10.1.2.3" }), events: { event_type: "batch.ok.one", outcome: "success" } },
      { settings: settings(tenant), events: [{ event_type: "batch.bad", outcome: "maybe" }, { event_type: "batch.ok.two", outcome: "success" }] },
      { settings: { "jwt.claims.actor_id": "nobody" }, events: { event_type: "batch.no.tenant", outcome: "success" } },
      { settings: settings(tenant, { "jwt.claims.actor_type": "user", "jwt.claims.tenant_role": "auditor" }), events: { event_type: "batch.user", outcome: "success" } },
      { settings: settings(tenant), events: [] },
      { settings: settings(tenant, { "warden.user_agent": "curl/8" }), events: [{ event_type: "batch.ok.three", outcome: "failure" }, { event_type: "batch.ok.three", outcome: "success" }] },
    ]);
    expect(out.map((o) => (o.ok ? "ok" : o.code))).toEqual(["ok", "22023", "42501", "42501", "22023", "ok"]);
    expect(JSON.parse(out[1].detail)).toEqual([{ pointer: "/0/outcome", reason: "one of success, failure, unknown" }]);
    expect(out[1].hint).toBe("validation_failed");
    expect(out[3].hint).toBe("missing_role=admin");
    expect(out[5].result.event_ids).toHaveLength(2);

    const written = await c.query(
      `select event_type, actor_id, actor_type::text, host(actor_ip) as ip, user_agent, trace_id, tenant_id::text
       from warden.audit_events where tenant_id = $1 and event_type like 'batch.%' order by event_type, outcome`,
      [tenant],
    );
    expect(written.rows).toEqual([
      { event_type: "batch.ok.one", actor_id: "svc-batch", actor_type: "api_key", ip: "10.1.2.3", user_agent: null, trace_id: "trace-a", tenant_id: tenant },
      { event_type: "batch.ok.three", actor_id: "svc-batch", actor_type: "api_key", ip: null, user_agent: "curl/8", trace_id: null, tenant_id: tenant },
      { event_type: "batch.ok.three", actor_id: "svc-batch", actor_type: "api_key", ip: null, user_agent: "curl/8", trace_id: null, tenant_id: tenant },
    ]);
  });
});

test("a client event id is written once: twice in one request, in two requests of one batch, and again later", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    const id = randomUUID();
    const out = await recordRequests(c, [
      { settings: settings(tenant), events: [{ event_id: id, event_type: "dup.one", outcome: "success" }, { event_id: id, event_type: "dup.one", outcome: "success" }] },
      { settings: settings(tenant), events: { event_id: id, event_type: "dup.one", outcome: "success" } },
    ]);
    expect(out.every((o) => o.ok)).toBe(true);
    expect(out[0].result.event_ids).toEqual([id, id]);
    expect(out[1].result.event_ids).toEqual([id]);
    expect(await countIds(c, [id])).toBe(1);
    const later = await recordRequests(c, [{ settings: settings(tenant), events: { event_id: id, event_type: "dup.one", outcome: "success" } }]);
    expect(later[0].result.event_ids).toEqual([id]);
    expect(await countIds(c, [id])).toBe(1);
  });
});

test("a client event id is one event: another tenant reusing it, stored or earlier in the same group, is refused (409 event_id_taken)", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    const other = await createTenant(c);
    const third = await createTenant(c);
    const stored = randomUUID();
    const fresh = randomUUID();
    await recordRequests(c, [{ settings: settings(tenant), events: { event_id: stored, event_type: "dup.one", outcome: "success" } }]);
    const out = await recordRequests(c, [
      // the attacker, with the id tenant already has, beside an id of its own
      { settings: settings(other), events: [{ event_type: "dup.mine", outcome: "success" }, { event_id: stored, event_type: "dup.one", outcome: "success" }] },
      // a new id used by two tenants in one group: the first request has it
      { settings: settings(tenant), events: { event_id: fresh, event_type: "dup.two", outcome: "success" } },
      { settings: settings(third), events: { event_id: fresh, event_type: "dup.two", outcome: "success" } },
      // the owner's own retry is still a retry
      { settings: settings(tenant), events: { event_id: stored, event_type: "dup.one", outcome: "success" } },
    ]);
    expect(out.map((o) => (o.ok ? "ok" : `${o.code}/${o.hint}`))).toEqual(["23505/event_id_taken", "ok", "23505/event_id_taken", "ok"]);
    expect(JSON.parse(out[0].detail)).toEqual([{ pointer: "/1/event_id", reason: "already the id of an event that is not yours: choose another" }]);
    expect(JSON.parse(out[2].detail)).toEqual([{ pointer: "/event_id", reason: "already the id of an event that is not yours: choose another" }]);
    const { rows } = await c.query("select event_id::text, tenant_id::text from warden.audit_events where event_id = any($1::uuid[]) order by 1", [[stored, fresh]]);
    expect(rows).toEqual([{ event_id: stored, tenant_id: tenant }, { event_id: fresh, tenant_id: tenant }].sort((a, b) => a.event_id.localeCompare(b.event_id)));
    // nothing of the refused requests was written, not even their valid events
    const { rows: mine } = await c.query("select count(*)::int as n from warden.audit_events where tenant_id = any($1::uuid[]) and event_type like 'dup.%'", [[other, third]]);
    expect(mine[0].n).toBe(0);
    // through warden.record_audit_events (GraphQL, SQL) the same refusal, as an error
    await c.query("select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.actor_id', 'svc-x', true), set_config('jwt.claims.actor_type', 'api_key', true)", [other]);
    const err = await expectFailure(c, "select warden.record_audit_events($1::jsonb)", [JSON.stringify({ event_id: stored, event_type: "dup.one", outcome: "success" })]);
    expect({ code: err.code, hint: err.hint }).toEqual({ code: "23505", hint: "event_id_taken" });
  });
});

test("keyed and unkeyed requests in one batch: the keyed ones replay, the others are written", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    const body = [{ event_type: "keyed.event", outcome: "success" }];
    const first = await recordRequests(c, [
      { settings: settings(tenant), events: body, idempotency_key: "k-1" },
      { settings: settings(tenant), events: { event_type: "unkeyed.event", outcome: "success" } },
    ]);
    const second = await recordRequests(c, [
      { settings: settings(tenant), events: { event_type: "unkeyed.event", outcome: "success" } },
      { settings: settings(tenant), events: body, idempotency_key: "k-1" },
      { settings: settings(tenant), events: [{ event_type: "keyed.event", outcome: "failure" }], idempotency_key: "k-1" },
    ]);
    expect(first.map((o) => o.ok)).toEqual([true, true]);
    expect(second[0].ok).toBe(true);
    expect(second[1].result).toEqual({ event_ids: first[0].result.event_ids, replayed: true });
    expect(second[2]).toMatchObject({ ok: false, code: "23505" });
    const { rows } = await c.query(
      "select event_type, count(*)::int as n from warden.audit_events where tenant_id = $1 and event_type like '%keyed.event' group by 1 order by 1",
      [tenant],
    );
    expect(rows).toEqual([
      { event_type: "keyed.event", n: 1 },
      { event_type: "unkeyed.event", n: 2 },
    ]);
  });
});

test("a request may only carry request-context settings", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    const err = await expectFailure(c, "select warden_private.record_audit_requests($1::jsonb)", [
      JSON.stringify([{ settings: { ...settings(tenant), role: "warden_owner" }, events: { event_type: "a.b", outcome: "success" } }]),
    ]);
    expect(err.code).toBe("42501");
    expect(err.message).toMatch(/setting role is not part of a request context/);
  });
});

test("an event type whose category or action would not fit is refused by validation, not by the table", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    const long = "x".repeat(70);
    const out = await recordRequests(c, [
      { settings: settings(tenant), events: { event_type: `${long}.b`, outcome: "success" } },
      { settings: settings(tenant), events: { event_type: `a.${long}`, outcome: "success" } },
      { settings: settings(tenant), events: { event_type: `a.${long}`, outcome: "success", action: "short" } },
    ]);
    expect(out.map((o) => (o.ok ? "ok" : JSON.parse(o.detail)[0].pointer))).toEqual(["/event_type", "/event_type", "ok"]);
  });
});

test("every occurred_at the validator accepts is one PostgreSQL can store, and impossible dates are refused", async () => {
  const candidates: string[] = [];
  for (const day of ["2024-02-29", "2023-02-29", "2026-04-31", "2026-04-30", "2026-12-31", "2026-13-01", "2026-00-10", "0000-01-01", "0001-01-01", "9999-12-31", "2026-01-00"]) {
    for (const time of ["00:00:00", "23:59:59", "23:59:60", "24:00:00", "12:60:00", "10:00:00.123456789"]) {
      for (const zone of ["Z", "+00:00", "-05:30", "+14:00", "+15:59", "+16:00", "+01:60"]) candidates.push(`${day}T${time}${zone}`);
    }
  }
  await rolledBack(async (c) => {
    const { rows } = await c.query(
      "select v, warden_private.rfc3339_is_valid(v) as ok from unnest($1::text[]) v",
      [candidates],
    );
    let accepted = 0;
    for (const r of rows) {
      if (!r.ok) continue;
      accepted++;
      // anything accepted must cast (a failure here would be a 500 at insert time)
      await c.query("savepoint s");
      await expect(c.query("select $1::timestamptz", [r.v])).resolves.toBeTruthy();
      await c.query("release savepoint s");
    }
    const verdict = new Map(rows.map((r) => [r.v as string, r.ok as boolean]));
    expect(verdict.get("2024-02-29T00:00:00Z")).toBe(true);
    expect(verdict.get("2026-12-31T23:59:59-05:30")).toBe(true);
    expect(verdict.get("2023-02-29T00:00:00Z")).toBe(false);
    expect(verdict.get("2026-04-31T00:00:00Z")).toBe(false);
    expect(verdict.get("2026-13-01T00:00:00Z")).toBe(false);
    expect(verdict.get("0000-01-01T00:00:00Z")).toBe(false);
    expect(verdict.get("2026-04-30T24:00:00Z")).toBe(false);
    expect(verdict.get("2026-04-30T00:00:00+16:00")).toBe(false);
    expect(accepted).toBeGreaterThan(50);
  });
});
