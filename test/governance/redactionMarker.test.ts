/**
 * warden.audit_events_redacted marks what it hid (redacted_fields) without a
 * per-row function call for the usual event (migration 000015: the compiled
 * policy's mk and jp). warden_private.redaction_marker stays the one
 * definition: for every shape of event, the view must say exactly what that
 * function says, and what it says must match what was actually hidden.
 */
import { actAs, actAsOwner, closePools, createTenant, rolledBack } from "../support/db";

afterAll(closePools);

const RULES = [
  { field: "event_data", path: "customer.email", method: "mask" },
  { field: "event_data", path: "customer.phone", method: "hash" },
  { field: "event_data", path: "card-number", method: "remove" },
  { field: "actor_ip", method: "mask" },
  { field: "user_agent", method: "mask" },
  { field: "values", table: "marker_app.people", column: "email", method: "hash" },
];

// [label, actor_ip, user_agent, table_name, old_values, new_values, event_data]
const SHAPES: [string, string | null, string | null, string | null, unknown, unknown, unknown][] = [
  ["every path present", "203.0.113.9", "curl/8", null, null, null, { customer: { email: "a@b.example", phone: "+1 555" }, "card-number": "4111" }],
  ["one path missing", "203.0.113.9", "curl/8", null, null, null, { customer: { email: "a@b.example" } }],
  ["no paths present", "203.0.113.9", "curl/8", null, null, null, { order: { id: 7 } }],
  ["no address, no user agent", null, null, null, null, null, { customer: { email: "a@b.example", phone: "1" }, "card-number": "4111" }],
  ["event_data null", "203.0.113.9", null, null, null, null, null],
  ["event_data an array", null, "curl/8", null, null, null, [{ customer: { email: "a@b.example" } }]],
  ["a path through an array", null, null, null, null, null, { customer: [{ email: "a@b.example", phone: "1" }], "card-number": "4111" }],
  ["JSON null at a path", null, null, null, null, null, { customer: { email: null, phone: "1" }, "card-number": null }],
  ["row event on a ruled table", null, null, "marker_app.people", { email: "old@x.example" }, { email: "new@x.example" }, { customer: { email: "a@b.example", phone: "1" }, "card-number": "1" }],
  ["row event on another table", null, null, "marker_app.orders", { email: "old@x.example" }, null, { customer: { email: "a@b.example", phone: "1" }, "card-number": "1" }],
];

/** SQL null for null, JSON text otherwise. */
const json = (v: unknown) => (v === null ? null : JSON.stringify(v));

test("redacted_fields from the view equals redaction_marker() for every shape of event, and names exactly the fields that differ", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    await c.query("select warden.set_redaction_policy('off', $1::jsonb, $2)", [JSON.stringify(RULES), tenant]);
    const compiled = (await c.query("select compiled from warden.redaction_policies where tenant_id = $1", [tenant])).rows[0].compiled;
    expect(compiled.jp).toBe('strict $ ? (exists(@."customer"."email") && exists(@."customer"."phone") && exists(@."card-number"))');

    const ids: Record<string, string> = {};
    for (const [label, ip, ua, table, oldV, newV, data] of SHAPES) {
      ids[label] = (
        await c.query(
          `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, user_agent, table_name, old_values, new_values, event_data)
           values ($1, 'marker.test', 'test', 'test', 'user', 'u1', $2, $3, $4, $5, $6, $7) returning event_id`,
          [tenant, ip, ua, table, json(oldV), json(newV), json(data)],
        )
      ).rows[0].event_id;
    }
    // What the one definition says, computed as the owner with the tenant's compiled policy.
    const expected = new Map<string, unknown>();
    for (const label of Object.keys(ids)) {
      const r = await c.query(
        `select warden_private.redaction_marker(warden_private.policy_with_key(e.tenant_id, p.compiled), e.table_name, e.actor_ip, e.user_agent,
                                                e.old_values, e.new_values, e.event_data) as m, e.event_data, e.old_values, e.actor_ip::text, e.user_agent
         from warden.audit_events e join warden.redaction_policies p using (tenant_id) where e.event_id = $1`,
        [ids[label]],
      );
      expected.set(label, r.rows[0]);
    }

    await actAs(c, { tenantId: tenant, actorId: "auditor-1", tenantRole: "auditor" });
    const seen = new Map<string, any>();
    for (const label of Object.keys(ids)) {
      const r = await c.query("select redacted_fields, event_data, old_values, actor_ip::text, user_agent from warden.audit_events_redacted where event_id = $1", [ids[label]]);
      seen.set(label, r.rows[0]);
    }
    await actAsOwner(c);

    for (const label of Object.keys(ids)) {
      const want = expected.get(label) as any;
      const got = seen.get(label);
      expect({ label, marker: got.redacted_fields }).toEqual({ label, marker: want.m });
      // each marked field really was changed or removed, and nothing else was
      const changed: string[] = [];
      if (want.actor_ip !== null && got.actor_ip !== want.actor_ip) changed.push("actor_ip");
      if (want.user_agent !== null && got.user_agent !== want.user_agent) changed.push("user_agent");
      for (const path of ["customer.email", "customer.phone", "card-number"]) {
        const pick = (d: any) => path.split(".").reduce((v, k) => (v !== null && typeof v === "object" && !Array.isArray(v) ? v[k] : undefined), d);
        const before = pick(want.event_data);
        if (before !== undefined && JSON.stringify(pick(got.event_data)) !== JSON.stringify(before)) changed.push(`event_data.${path}`);
      }
      if (want.old_values?.email !== undefined && got.old_values?.email !== want.old_values.email) changed.push("old_values.email");
      // marked fields, except a JSON null under mask or hash: present (so marked) but left null
      const marked = Object.entries(got.redacted_fields ?? {})
        .filter(([k, method]) => {
          if (k.startsWith("new_values.")) return false; // checked through old_values: same rule
          if (!k.startsWith("event_data.") || method === "remove") return true;
          const raw = k.slice("event_data.".length).split(".").reduce((x: any, key) => (x && typeof x === "object" ? x[key] : undefined), want.event_data);
          return raw !== null;
        })
        .map(([k]) => k);
      expect({ label, changed: changed.sort() }).toEqual({ label, changed: marked.sort() });
    }
  });
});

test("a policy without rules compiles to nothing, so its tenant's reads skip redaction entirely", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    await c.query("select warden.set_redaction_policy('off', '[]'::jsonb, $1)", [tenant]);
    const r = await c.query("select compiled, warden_private.policy_with_key(tenant_id, compiled) as effective from warden.redaction_policies where tenant_id = $1", [tenant]);
    expect(r.rows[0].compiled).toEqual({});
    expect(r.rows[0].effective).toBeNull();
  });
});
