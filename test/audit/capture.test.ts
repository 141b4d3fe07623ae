/**
 * Capture by triggers: every option of warden.enable_auditing, bulk
 * statements, primary-key changes, tables without a primary key,
 * partitioned tables, TRUNCATE, context from set_context and the
 * database-role fallback. Each test runs in a transaction rolled back at
 * the end.
 */
import type pg from "pg";
import { closePools, createTenant, createUser, expectFailure, flushCapture, rolledBack } from "../support/db";

afterAll(closePools);

async function events(c: pg.ClientBase, table: string): Promise<any[]> {
  await flushCapture(c);
  const { rows } = await c.query(
    `select * from warden.audit_events where table_name = $1 and category = 'data' order by recorded_at, txid, row_pk::text, event_id`,
    [table],
  );
  return rows;
}

async function makeOrders(c: pg.ClientBase, options: object = {}): Promise<void> {
  await c.query(`create schema cap;
    create table cap.orders (id int primary key, tenant_id uuid, status text, total numeric, secret text, card text)`);
  await c.query("select warden.enable_auditing('cap.orders', $1)", [JSON.stringify(options)]);
}

test("insert, update, delete: full rows on insert/delete, changed columns on update, one txid per transaction", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    await makeOrders(c);
    await c.query("insert into cap.orders values (1, $1, 'new', 10, 's', 'c'), (2, $1, 'new', 20, 's', 'c')", [tenant]);
    await c.query("update cap.orders set status = 'paid', total = total + 1 where id = 1");
    await c.query("delete from cap.orders where id = 2");
    const ev = await events(c, "cap.orders");
    expect(ev.map((e) => e.event_type)).toEqual([
      "db.cap.orders.insert",
      "db.cap.orders.insert",
      "db.cap.orders.update",
      "db.cap.orders.delete",
    ]);
    expect(ev[0]).toMatchObject({
      tenant_id: tenant,
      category: "data",
      action: "insert",
      outcome: "success",
      severity: "info",
      resource_type: "cap.orders",
      resource_id: "1",
      row_pk: { id: 1 },
      old_values: null,
      new_values: { id: 1, tenant_id: tenant, status: "new", total: 10, secret: "s", card: "c" },
    });
    expect(ev[2]).toMatchObject({
      action: "update",
      changed_fields: ["status", "total"],
      old_values: { status: "new", total: 10 },
      new_values: { status: "paid", total: 11 },
    });
    expect(ev[3]).toMatchObject({ action: "delete", resource_id: "2", old_values: { id: 2, status: "new", total: 20 }, new_values: null });
    // one transaction (the test's): one txid, the current one
    const { rows } = await c.query("select pg_current_xact_id()::text::bigint as t");
    expect(new Set(ev.map((e) => e.txid))).toEqual(new Set([rows[0].t]));
  });
});

test("without context the actor is the database role, with application_name and client address", async () => {
  await rolledBack(async (c) => {
    await c.query("set local application_name = 'nightly-import'");
    await makeOrders(c);
    await c.query("insert into cap.orders values (1, null, 'x', 1, null, null)");
    const [e] = await events(c, "cap.orders");
    expect(e).toMatchObject({ actor_type: "db_role", actor_id: "warden_owner", service: "nightly-import", tenant_id: null });
    expect(["127.0.0.1", "::1"]).toContain(e.actor_ip);
  });
});

test("set_context: actor, tenant, trace id and extra (ip, user agent, correlation id) land on every event", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    const user = await createUser(c, tenant, "admin");
    await c.query("create schema cap; create table cap.plain (id int primary key, v text)"); // no tenant column
    await c.query("select warden.enable_auditing('cap.plain')");
    await c.query(
      `select warden.set_context($1, $2, 'user', 'trace-42', '{"ip": "203.0.113.9", "user_agent": "curl/8", "correlation_id": "corr-7", "service": "billing"}')`,
      [tenant, user],
    );
    await c.query("insert into cap.plain values (1, 'a'), (2, 'b')");
    const ev = await events(c, "cap.plain");
    expect(ev).toHaveLength(2);
    for (const e of ev) {
      expect(e).toMatchObject({
        tenant_id: tenant, // from the context: the table has no tenant column
        actor_type: "user",
        actor_id: user,
        actor_ip: "203.0.113.9",
        user_agent: "curl/8",
        trace_id: "trace-42",
        correlation_id: "corr-7",
        service: "billing",
      });
    }
  });
});

test("exclude_columns are never stored, on any operation", async () => {
  await rolledBack(async (c) => {
    await makeOrders(c, { exclude_columns: ["secret"] });
    await c.query("insert into cap.orders values (1, null, 'new', 1, 'hunter2', 'c')");
    await c.query("update cap.orders set secret = 'hunter3', status = 'x'");
    await c.query("update cap.orders set secret = 'only-secret-changed'");
    await c.query("delete from cap.orders");
    const ev = await events(c, "cap.orders");
    expect(ev).toHaveLength(3); // the update that changed only the secret wrote nothing
    expect(JSON.stringify(ev)).not.toMatch(/hunter|only-secret|"secret"/);
    expect(ev[1].changed_fields).toEqual(["status"]);
  });
});

test("redact_columns are stored only as a keyed hash, stable within a tenant and different across tenants", async () => {
  await rolledBack(async (c) => {
    const [t1, t2] = [await createTenant(c), await createTenant(c)];
    await makeOrders(c, { redact_columns: ["card"] });
    await c.query("insert into cap.orders values (1, $1, 'a', 1, null, '4111-1111'), (2, $1, 'a', 1, null, '4111-1111'), (3, $2, 'a', 1, null, '4111-1111')", [t1, t2]);
    await c.query("update cap.orders set card = '5500-0000' where id = 1");
    const ev = await events(c, "cap.orders");
    // (the raw values with their dash: a hex hash may contain "4111" by chance)
    expect(JSON.stringify(ev)).not.toMatch(/4111-1111|5500-0000/);
    const hash = (id: number) => ev.find((e) => e.action === "insert" && e.row_pk.id === id).new_values.card;
    expect(hash(1)).toMatch(/^hmac:[0-9a-f]{64}$/);
    expect(hash(1)).toBe(hash(2));
    expect(hash(1)).not.toBe(hash(3));
    const upd = ev.find((e) => e.action === "update");
    expect(upd.changed_fields).toEqual(["card"]);
    expect(upd.old_values.card).toBe(hash(1));
    expect(upd.new_values.card).toMatch(/^hmac:/);
    expect(upd.new_values.card).not.toBe(hash(1));
  });
});

test("capture full stores whole old and new rows on update", async () => {
  await rolledBack(async (c) => {
    await makeOrders(c, { capture: "full" });
    await c.query("insert into cap.orders values (1, null, 'new', 1, 's', 'c')");
    await c.query("update cap.orders set status = 'paid'");
    const upd = (await events(c, "cap.orders"))[1];
    expect(upd.changed_fields).toEqual(["status"]);
    expect(upd.old_values).toEqual({ id: 1, tenant_id: null, status: "new", total: 1, secret: "s", card: "c" });
    expect(upd.new_values).toEqual({ id: 1, tenant_id: null, status: "paid", total: 1, secret: "s", card: "c" });
  });
});

test("tenant_column, a fixed tenant, and resource_type", async () => {
  await rolledBack(async (c) => {
    const [t1, t2] = [await createTenant(c), await createTenant(c)];
    await c.query("create schema cap; create table cap.a (id int primary key, org uuid); create table cap.b (id int primary key)");
    await c.query(`select warden.enable_auditing('cap.a', '{"tenant_column": "org", "resource_type": "account"}')`);
    await c.query(`select warden.enable_auditing('cap.b', $1)`, [JSON.stringify({ tenant: t2 })]);
    await c.query("select warden.set_context($1, 'svc', 'service')", [t2]);
    await c.query("insert into cap.a values (1, $1)", [t1]);
    await c.query("insert into cap.b values (1)");
    expect((await events(c, "cap.a"))[0]).toMatchObject({ tenant_id: t1, resource_type: "account", resource_id: "1" });
    expect((await events(c, "cap.b"))[0]).toMatchObject({ tenant_id: t2, resource_type: "cap.b" });
  });
});

test("skip_unchanged: a no-op update writes nothing by default, and an event when disabled", async () => {
  await rolledBack(async (c) => {
    await makeOrders(c);
    await c.query("insert into cap.orders values (1, null, 'a', 1, null, null)");
    await c.query("update cap.orders set status = status");
    expect(await events(c, "cap.orders")).toHaveLength(1);
    await c.query(`select warden.enable_auditing('cap.orders', '{"skip_unchanged": false}')`);
    await c.query("update cap.orders set status = status");
    const ev = await events(c, "cap.orders");
    expect(ev).toHaveLength(2);
    expect(ev[1]).toMatchObject({ action: "update", changed_fields: null });
  });
});

test("a 10,000-row UPDATE yields 10,000 correct diffs", async () => {
  await rolledBack(async (c) => {
    await makeOrders(c);
    await c.query("insert into cap.orders select g, null, 'new', g, null, null from generate_series(1, 10000) g");
    await c.query("update cap.orders set total = total * 2, status = case when id % 2 = 0 then 'even' else status end");
    await flushCapture(c);
    const { rows } = await c.query(
      `select count(*)::int as n,
              count(*) filter (where (new_values ->> 'total')::numeric = 2 * (old_values ->> 'total')::numeric
                                 and (old_values ->> 'total')::int = (row_pk ->> 'id')::int)::int as totals_ok,
              count(*) filter (where (row_pk ->> 'id')::int % 2 = 0 and changed_fields = '{status,total}'
                                 and new_values ->> 'status' = 'even' and old_values ->> 'status' = 'new')::int as even_ok,
              count(*) filter (where (row_pk ->> 'id')::int % 2 = 1 and changed_fields = '{total}' and not new_values ? 'status')::int as odd_ok,
              count(distinct row_pk)::int as rows
       from warden.audit_events where table_name = 'cap.orders' and action = 'update'`,
    );
    expect(rows[0]).toEqual({ n: 10000, totals_ok: 10000, even_ok: 5000, odd_ok: 5000, rows: 10000 });
  });
});

test("a primary-key change in a multi-row UPDATE pairs each old row with its new row", async () => {
  await rolledBack(async (c) => {
    await makeOrders(c);
    await c.query("insert into cap.orders select g, null, 'row' || g, g, null, null from generate_series(1, 50) g");
    await c.query("update cap.orders set id = id + 1000, total = total + 0.5 where id <= 20");
    await flushCapture(c);
    const { rows } = await c.query(
      `select count(*)::int as n,
              count(*) filter (where (new_values ->> 'id')::int = (old_values ->> 'id')::int + 1000
                                 and (new_values ->> 'total')::numeric = (old_values ->> 'total')::numeric + 0.5
                                 and (old_values ->> 'total')::int = (old_values ->> 'id')::int
                                 and row_pk = jsonb_build_object('id', (new_values ->> 'id')::int)
                                 and resource_id = new_values ->> 'id')::int as paired
       from warden.audit_events where table_name = 'cap.orders' and action = 'update'`,
    );
    expect(rows[0]).toEqual({ n: 20, paired: 20 });
    // row_history follows the row across its key change
    const h = await c.query(`select action, changed_fields, row_data from warden.row_history('cap.orders', '{"id": 1007}')`);
    expect(h.rows.map((r) => r.action)).toEqual(["insert", "update"]);
    expect(h.rows[1].row_data).toMatchObject({ id: 1007, status: "row7", total: 7.5 });
  });
});

test("tables without a primary key: whole-row identity", async () => {
  await rolledBack(async (c) => {
    await c.query("create schema cap; create table cap.log (a int, b text)");
    await c.query("select warden.enable_auditing('cap.log')");
    await c.query("insert into cap.log values (1, 'x'), (1, 'x'), (2, 'y')");
    await c.query("update cap.log set b = 'z' where a = 1");
    const upd = (await events(c, "cap.log")).filter((e) => e.action === "update");
    expect(upd).toHaveLength(2);
    for (const e of upd) {
      expect(e).toMatchObject({ row_pk: null, resource_id: null, changed_fields: ["b"], old_values: { a: 1, b: "x" }, new_values: { b: "z" } });
    }
    const err = await expectFailure(c, `select * from warden.row_history('cap.log', '{"a": 1}')`);
    expect(err.message).toMatch(/has no primary key/);
  });
});

test("partitioned tables, including rows moving between partitions", async () => {
  await rolledBack(async (c) => {
    await c.query(`create schema cap;
      create table cap.m (id int, region text, v int, primary key (id, region)) partition by list (region);
      create table cap.m_eu partition of cap.m for values in ('eu');
      create table cap.m_us partition of cap.m for values in ('us');`);
    await c.query("select warden.enable_auditing('cap.m')");
    await c.query("insert into cap.m values (1, 'eu', 1), (2, 'us', 2)");
    await c.query("update cap.m set region = 'us', v = 10 where id = 1"); // moves partition
    await c.query("delete from cap.m_us where id = 2"); // through a partition directly
    const ev = await events(c, "cap.m");
    expect(ev.map((e) => e.action)).toEqual(["insert", "insert", "update", "delete"]);
    expect(ev[2]).toMatchObject({
      row_pk: { id: 1, region: "us" },
      resource_id: '{"id": 1, "region": "us"}',
      changed_fields: ["region", "v"],
      old_values: { region: "eu", v: 1 },
      new_values: { region: "us", v: 10 },
    });
    expect(ev[3]).toMatchObject({ row_pk: { id: 2, region: "us" }, event_type: "db.cap.m.delete" });
    // a partition created later is audited too (DDL event trigger)
    await c.query("create table cap.m_ap partition of cap.m for values in ('ap')");
    await c.query("insert into cap.m_ap values (3, 'ap', 3)");
    await c.query("create table cap.m_sa (id int, region text, v int, primary key (id, region))");
    await c.query("alter table cap.m attach partition cap.m_sa for values in ('sa')");
    await c.query("insert into cap.m_sa values (4, 'sa', 4)");
    const later = (await events(c, "cap.m")).slice(4);
    expect(later.map((e) => [e.action, e.row_pk])).toEqual([
      ["insert", { id: 3, region: "ap" }],
      ["insert", { id: 4, region: "sa" }],
    ]);
  });
});

test("TRUNCATE writes one event with the row count", async () => {
  await rolledBack(async (c) => {
    const tenant = await createTenant(c);
    await makeOrders(c, { tenant });
    await c.query("insert into cap.orders select g, null, 'x', 1, null, null from generate_series(1, 37) g");
    await c.query("truncate cap.orders");
    const t = (await events(c, "cap.orders")).filter((e) => e.action === "truncate");
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ event_type: "db.cap.orders.truncate", tenant_id: tenant, event_data: { row_count: 37 } });
  });
});

test("enable_auditing is idempotent, validates options, and disable_auditing stops capture", async () => {
  await rolledBack(async (c) => {
    await makeOrders(c);
    await c.query(`select warden.enable_auditing('cap.orders', '{"capture": "full"}')`);
    const trig = await c.query("select count(*)::int as n from pg_trigger where tgrelid = 'cap.orders'::regclass and tgname like '\\_900\\_audit\\_%'");
    expect(trig.rows[0].n).toBe(4);
    const cases: [string, string, RegExp][] = [
      [`{"bogus": 1}`, "22023", /unknown option 'bogus'/],
      [`{"exclude_columns": ["nope"]}`, "42703", /column nope does not exist/],
      [`{"exclude_columns": "secret"}`, "22023", /must be an array/],
      [`{"capture": "some"}`, "22023", /capture must be changes or full/],
      [`{"tenant_column": "status"}`, "42804", /must be of type uuid/],
      [`{"tenant": "x"}`, "22023", /tenant must be a tenant id/],
      [`{"skip_unchanged": "yes"}`, "22023", /skip_unchanged must be true or false/],
    ];
    for (const [opts, code, message] of cases) {
      const err = await expectFailure(c, "select warden.enable_auditing('cap.orders', $1::jsonb)", [opts]);
      expect({ opts, code: err.code }).toEqual({ opts, code });
      expect(err.message).toMatch(message);
    }
    const own = await expectFailure(c, "select warden.enable_auditing('warden.audit_events')");
    expect(own.code).toBe("42809");
    expect((await c.query("select warden.disable_auditing('cap.orders') as d")).rows[0].d).toBe(true);
    expect((await c.query("select warden.disable_auditing('cap.orders') as d")).rows[0].d).toBe(false);
    await c.query("insert into cap.orders values (1, null, 'x', 1, null, null)");
    expect(await events(c, "cap.orders")).toHaveLength(0);
  });
});

test("DDL on audited tables is recorded; tables created in an audited schema are audited", async () => {
  await rolledBack(async (c) => {
    await makeOrders(c);
    await c.query("alter table cap.orders add column note text");
    await c.query("create table cap.unaudited (id int)"); // cap is not audited as a schema: no event
    expect((await c.query("select warden.enable_auditing_schema('cap') as n")).rows[0].n).toBe(2);
    await c.query("create table cap.later (id int primary key, v text)");
    await c.query("insert into cap.later values (1, 'auto')");
    await c.query("drop table cap.orders");
    const { rows } = await c.query(
      `select event_type, resource_id from warden.audit_events where category = 'ddl' and resource_id like 'cap.%' order by recorded_at, event_type`,
    );
    expect(rows).toEqual([
      { event_type: "ddl.alter_table", resource_id: "cap.orders" },
      { event_type: "ddl.create_table", resource_id: "cap.later" },
      { event_type: "ddl.drop_table", resource_id: "cap.orders" },
    ]);
    expect((await events(c, "cap.later"))[0]).toMatchObject({ action: "insert", new_values: { id: 1, v: "auto" } });
  });
});

test("coverage lists every table with its exclusions and the audited ratio", async () => {
  await rolledBack(async (c) => {
    await c.query("create schema cov; create table cov.a (id int); create table cov.b (id int, pw text); create table cov.c (id int); create table cov.d (id int)");
    await c.query("select warden.enable_auditing('cov.a')");
    await c.query(`select warden.enable_auditing('cov.b', '{"exclude_columns": ["pw"]}')`);
    await c.query("select warden.enable_auditing('cov.c')");
    const { rows } = await c.query("select table_name, audited, excluded_columns, coverage_ratio::float as r from warden.audit_coverage('{cov}')");
    expect(rows).toEqual([
      { table_name: "a", audited: true, excluded_columns: [], r: 0.75 },
      { table_name: "b", audited: true, excluded_columns: ["pw"], r: 0.75 },
      { table_name: "c", audited: true, excluded_columns: [], r: 0.75 },
      { table_name: "d", audited: false, excluded_columns: [], r: 0.75 },
    ]);
  });
});

test("DDL keeps capture right: a renamed table, a new primary key, a dropped excluded column", async () => {
  await rolledBack(async (c) => {
    await c.query("create schema cap; create table cap.t (id int, v text, pw text)");
    await c.query(`select warden.enable_auditing('cap.t', '{"exclude_columns": ["pw"]}')`);
    await c.query("insert into cap.t values (1, 'a', 'x')");
    await c.query("alter table cap.t add primary key (id)");
    await c.query("alter table cap.t rename to renamed");
    await c.query("insert into cap.renamed values (2, 'b', 'y')");
    await flushCapture(c);
    const { rows } = await c.query(
      "select event_type, table_name, row_pk from warden.audit_events where category = 'data' and table_name like 'cap.%' order by recorded_at, event_id",
    );
    expect(rows).toEqual([
      { event_type: "db.cap.t.insert", table_name: "cap.t", row_pk: null },
      { event_type: "db.cap.renamed.insert", table_name: "cap.renamed", row_pk: { id: 2 } },
    ]);
    // dropping a column named in exclude_columns still works (with a warning); capture goes on
    await c.query("alter table cap.renamed drop column pw");
    await c.query("insert into cap.renamed values (3, 'c')");
    await flushCapture(c);
    const last = await c.query("select new_values from warden.audit_events where table_name = 'cap.renamed' order by recorded_at desc, event_id desc limit 1");
    expect(last.rows[0].new_values).toEqual({ id: 3, v: "c" });
  });
});

test("columns named like the generated code's own names (n, o, r, s, d, e, txid, rn, ...) are captured like any other", async () => {
  await rolledBack(async (c) => {
    await c.query(`create schema cap; create table cap.odd (id int primary key, n text, o text, r int, s int, d int, e int, txid bigint, rn int,
      scmin int, rctid int, warden_capture_ordinal int, x text)`);
    await c.query("select warden.enable_auditing('cap.odd')");
    await c.query("insert into cap.odd values (1, 'n1', 'o1', 1, 2, 3, 4, 5, 6, 7, 8, 9, 'x1'), (2, 'n2', 'o2', 1, 2, 3, 4, 5, 6, 7, 8, 9, 'x2')");
    await c.query("update cap.odd set n = n || '!', txid = txid + 1, rn = rn + 1 where id = 1");
    await c.query("delete from cap.odd where id = 2");
    const ev = await events(c, "cap.odd");
    expect(ev.map((e) => e.action)).toEqual(["insert", "insert", "update", "delete"]);
    expect(ev[0].new_values).toEqual({ id: 1, n: "n1", o: "o1", r: 1, s: 2, d: 3, e: 4, txid: 5, rn: 6, scmin: 7, rctid: 8, warden_capture_ordinal: 9, x: "x1" });
    expect(ev[2]).toMatchObject({ changed_fields: ["n", "rn", "txid"], old_values: { n: "n1", txid: 5, rn: 6 }, new_values: { n: "n1!", txid: 6, rn: 7 } });
    expect(ev[3]).toMatchObject({ row_pk: { id: 2 }, old_values: { id: 2, n: "n2", warden_capture_ordinal: 9 } });
  });
});
