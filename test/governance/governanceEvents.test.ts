/**
 * The one writer of governance.* events: who (from the request context, or
 * the database role without one), which tenant, before and after, in the
 * transaction of the change, and nothing an API request can call directly.
 */
import { actAs, actAsOwner, closePools, createTenant, createUser, expectFailure, rolledBack } from "../support/db";

afterAll(closePools);

const RECORD = `select warden_private.record_governance_event($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb) as id`;

test("records actor, tenant, trace, before and after from the request context", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    const user = await createUser(c, tenant, "owner");
    await c.query("select warden.set_context($1, $2, 'user', 'trace-gov-1', $3)", [
      tenant,
      user,
      { ip: "203.0.113.9", user_agent: "ua/1", correlation_id: "corr-1" },
    ]);
    const { rows } = await c.query(RECORD, [
      "governance.example.changed",
      null,
      "example",
      "ex-1",
      { mode: "enforce" },
      { mode: "off" },
      { reason: "test" },
    ]);
    const e = (
      await c.query(
        `select tenant_id, event_type, category, action, severity, actor_type, actor_id, host(actor_ip) as ip, user_agent,
                correlation_id, trace_id, resource_type, resource_id, event_data, txid = pg_current_xact_id()::text::bigint as same_tx
         from warden.audit_events where event_id = $1`,
        [rows[0].id],
      )
    ).rows[0];
    expect(e).toMatchObject({
      tenant_id: tenant,
      event_type: "governance.example.changed",
      category: "governance",
      action: "changed",
      severity: "notice",
      actor_type: "user",
      actor_id: user,
      ip: "203.0.113.9",
      user_agent: "ua/1",
      correlation_id: "corr-1",
      trace_id: "trace-gov-1",
      resource_type: "example",
      resource_id: "ex-1",
      same_tx: true,
    });
    expect(e.event_data).toMatchObject({ before: { mode: "enforce" }, after: { mode: "off" }, reason: "test", status: "success" });
  });
});

test("without a context the database role is the actor; an explicit tenant wins", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    const { rows } = await c.query(RECORD, ["governance.example.changed", tenant, "example", "ex-2", null, null, {}]);
    const e = (await c.query("select tenant_id, actor_type, actor_id, event_data from warden.audit_events where event_id = $1", [rows[0].id])).rows[0];
    expect(e).toMatchObject({ tenant_id: tenant, actor_type: "db_role", actor_id: "warden_owner" });
    expect(e.event_data).not.toHaveProperty("before");
  });
});

test("refuses a malformed type, and API requests cannot call it", async () => {
  await rolledBack(async (c) => {
    const bad = await expectFailure(c, RECORD, ["Not A Type", null, "x", "y", null, null, {}]);
    expect(bad.code).toBe("22023");
    const tenant = await createTenant(c);
    const user = await createUser(c, tenant, "owner");
    await actAs(c, { tenantId: tenant, actorId: user, tenantRole: "owner" });
    const denied = await expectFailure(c, RECORD, ["governance.forged.event", tenant, "x", "y", null, null, {}]);
    expect(denied.code).toBe("42501");
    await actAsOwner(c);
  });
});
