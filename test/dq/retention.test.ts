/**
 * Data-quality results under the retention machinery: kept as long as the
 * tenant's policy for dq.result says (else the default), held by a
 * tenant-wide legal hold, deleted in batches by the retention run, their
 * emptied runs with them.
 */
import { closePools, rolledBack } from "../support/db";
import { addRule, ordersFixture } from "./support";

afterAll(closePools);

test("results past the tenant's dq.result policy go; younger ones and held tenants' stay; a dry run only counts", async () => {
  await rolledBack(async (c) => {
    const f = await ordersFixture(c, 3);
    await addRule(c, f.tenantA, f.table, "a", "not_null", { column: "status" });
    await addRule(c, f.tenantB, f.table, "b", "not_null", { column: "status" });
    await c.query("select warden.dq_run($1::regclass)", [f.table]);
    await c.query("select warden.dq_run($1::regclass)", [f.table]);
    // Age every result and run of these tenants by 40 days, except one run's.
    const runs = (await c.query("select id from warden.dq_runs where tenant_id is null and id in (select run_id from warden.dq_results where tenant_id = $1) order by requested_at", [f.tenantA])).rows.map((r) => r.id);
    await c.query("update warden.dq_results set run_at = run_at - interval '40 days' where run_id = $1", [runs[0]]);
    await c.query("update warden.dq_runs set requested_at = requested_at - interval '40 days' where id = $1", [runs[0]]);
    // Tenant A keeps dq results 30 days; tenant B 90.
    await c.query(`insert into warden_private.retention_policies (tenant_id, event_type_pattern, days) values ($1, 'dq.result', 30), ($2, 'dq.*', 90)`, [f.tenantA, f.tenantB]);
    const count = async (tenant: string) => (await c.query("select count(*)::int as n from warden.dq_results where tenant_id = $1", [tenant])).rows[0].n;
    expect([await count(f.tenantA), await count(f.tenantB)]).toEqual([2, 2]);

    const dry = await c.query("select tenant_id, method, rows_purged::int as n from warden_private.dq_apply_retention(30, 10000, true) where tenant_id in ($1, $2)", [f.tenantA, f.tenantB]);
    expect(dry.rows).toEqual([{ tenant_id: f.tenantA, method: "rows", n: 1 }]);
    expect(await count(f.tenantA)).toBe(2);

    // A tenant-wide legal hold keeps everything.
    await c.query("insert into warden_private.legal_holds (tenant_id, reason) values ($1, 'case 7')", [f.tenantA]);
    await c.query("select * from warden_private.dq_apply_retention(30, 10000, false)");
    expect(await count(f.tenantA)).toBe(2);
    await c.query("update warden_private.legal_holds set released_at = now() where tenant_id = $1", [f.tenantA]);

    const done = await c.query("select tenant_id, rows_purged::int as n from warden_private.dq_apply_retention(30, 10000, false) where tenant_id in ($1, $2)", [f.tenantA, f.tenantB]);
    expect(done.rows).toEqual([{ tenant_id: f.tenantA, n: 1 }]);
    expect([await count(f.tenantA), await count(f.tenantB)]).toEqual([1, 2]);
    const purged = await c.query("select event_data ->> 'rows' as rows from warden.audit_events where event_type = 'governance.dq.results_purged' and tenant_id = $1", [f.tenantA]);
    expect(purged.rows).toEqual([{ rows: "1" }]);
  });
});

test("results are partitioned by month, partitions made ahead; a result outside them lands in the default partition and moves out", async () => {
  await rolledBack(async (c) => {
    const parts = await c.query(
      `select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'warden.dq_results'::regclass order by 1`,
    );
    const month = (offset: number) => {
      const d = new Date();
      d.setUTCDate(1);
      d.setUTCMonth(d.getUTCMonth() + offset);
      return `dq_results_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
    };
    expect(parts.rows.map((r) => r.relname)).toEqual(expect.arrayContaining(["dq_results_default", month(0), month(1), month(2), month(3)]));
    const later = new Date();
    later.setUTCDate(15);
    later.setUTCMonth(later.getUTCMonth() + 8);
    await c.query(
      `insert into warden.dq_results (run_at, run_id, rule_id, tenant_id, target_name, rule_name, check_type, severity, status)
       values ($1, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'x.y', 'r', 'not_null', 'warn', 'pass')`,
      [later],
    );
    expect((await c.query("select count(*)::int as n from warden_private.dq_results_default")).rows[0].n).toBe(1);
    await c.query("select warden.dq_ensure_partitions(9)");
    expect((await c.query("select count(*)::int as n from warden_private.dq_results_default")).rows[0].n).toBe(0);
    expect((await c.query("select count(*)::int as n from warden.dq_results where run_at = $1", [later])).rows[0].n).toBe(1);
  });
});
