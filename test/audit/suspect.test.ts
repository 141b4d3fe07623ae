/**
 * Events that bypass ingest with a timestamp outside their tenant's
 * occurred_at window (backdated or future-dated, inserted straight into the
 * store) are not sealed as genuine: the sealing pass sets them aside as
 * suspect and says so with a critical governance event. Backfilled events
 * (the audited path: an API key with the backfill scope, which marks them)
 * and ordinary ones are sealed.
 */
import pg from "pg";
import { sealOnce } from "../../src/audit/sealer";
import { verifyTrail } from "../../src/audit/verifier";
import { closePools, createTenant, ownerPool, testSealingKey } from "../support/db";

afterAll(closePools);

async function insertEvent(c: pg.ClientBase, tenant: string, occurredAt: string, data: object = {}): Promise<string> {
  const { rows } = await c.query(
    `insert into warden.audit_events (tenant_id, occurred_at, event_type, category, action, actor_type, actor_id, event_data)
     values ($1, ${occurredAt}, 'forge.thing.done', 'forge', 'done', 'service', 'svc', $2) returning event_id::text as id`,
    [tenant, JSON.stringify(data)],
  );
  return rows[0].id;
}

test("a backdated or future-dated event inserted past ingest is set aside as suspect, not sealed; backfilled and ordinary ones are sealed", async () => {
  const c = await ownerPool().connect();
  try {
    const tenant = await createTenant(c);
    await sealOnce(c, testSealingKey());
    const ordinary = await insertEvent(c, tenant, "now()");
    const backdated = await insertEvent(c, tenant, "now() - interval '9 years'");
    const future = await insertEvent(c, tenant, "now() + interval '2 days'");
    const backfilled = await insertEvent(c, tenant, "now() - interval '9 years'", { backfill: { by: { type: "api_key", id: "k" }, at: "now" } });
    const result = await sealOnce(c, testSealingKey());
    expect(result.suspects).toBe(2);
    const suspects = await c.query("select event_id::text as id, reason from warden_private.suspect_events where tenant_id = $1 order by reason", [tenant]);
    expect(suspects.rows).toEqual([
      { id: backdated, reason: "backdated" },
      { id: future, reason: "future_dated" },
    ]);
    const sealed = await c.query(
      "select unnest(event_ids)::text as id from warden_private.seal_blocks where tenant_key = $1",
      [tenant],
    );
    const sealedIds = sealed.rows.map((r) => r.id);
    expect(sealedIds).toEqual(expect.arrayContaining([ordinary, backfilled]));
    expect(sealedIds).not.toContain(backdated);
    expect(sealedIds).not.toContain(future);
    const ev = await c.query(
      "select severity, outcome, event_data -> 'count' as n from warden.audit_events where tenant_id = $1 and event_type = 'governance.audit.suspect_events'",
      [tenant],
    );
    expect(ev.rows).toEqual([{ severity: "critical", outcome: "failure", n: 2 }]);
    // a later pass does not flag them again, and nobody can rewrite the record
    expect((await sealOnce(c, testSealingKey())).suspects).toBe(0);
    await expect(c.query("delete from warden_private.suspect_events where tenant_id = $1", [tenant])).rejects.toMatchObject({ code: "42501" });
    // verify: the sealed chain is intact, the suspects make the trail not ok
    const v = await verifyTrail(c, testSealingKey(), { tenantId: tenant });
    expect(v).toMatchObject({ ok: false, first_bad: null, suspect_events: 2 });
    // an operator who looked into them acknowledges them, with a reason: verify passes again, the record stays
    await expect(c.query("select warden.acknowledge_suspect_events($1, '')", [[backdated]])).rejects.toMatchObject({ code: "22023" });
    await expect(c.query("select warden.acknowledge_suspect_events($1, 'x')", [[ordinary]])).rejects.toMatchObject({ code: "22023" });
    const acked = await c.query("select warden.acknowledge_suspect_events($1, 'test fixtures written by hand') as n", [[backdated, future]]);
    expect(acked.rows[0].n).toBe(2);
    expect(await verifyTrail(c, testSealingKey(), { tenantId: tenant })).toMatchObject({ ok: true, suspect_events: 0 });
    const ackEvent = await c.query(
      "select severity, event_data -> 'reason' as reason from warden.audit_events where tenant_id = $1 and event_type = 'governance.audit.suspect_events_acknowledged'",
      [tenant],
    );
    expect(ackEvent.rows).toEqual([{ severity: "warning", reason: "test fixtures written by hand" }]);
  } finally {
    c.release();
  }
});
