/**
 * The capture log behind trigger capture (capture v2): what a captured
 * statement leaves in it, how promotion turns it into events exactly once
 * (concurrent writers, long and repeatable-read transactions across
 * generation flips, rollbacks), that it is emptied by TRUNCATE, that nobody
 * can rewrite it, and that row history reads changes not yet promoted.
 *
 * These tests commit (promotion only takes committed transactions), so each
 * uses a schema of its own.
 */
import pg from "pg";
import { randomUUID } from "node:crypto";
import { sealOnce } from "../../src/audit/sealer";
import { closePools, createTenant, expectFailure, ownerPool, ownerUrl, rootOnTestDatabase, testSealingKey, withPlansLogged } from "../support/db";

afterAll(closePools);

async function connect(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: ownerUrl() });
  await c.connect();
  return c;
}

async function withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await ownerPool().connect();
  try {
    return await fn(c);
  } finally {
    c.release();
  }
}

/** A fresh audited table (id, tenant_id, v, n) in a schema of its own. */
async function auditedTable(options: object = {}): Promise<string> {
  const schema = `cl_${randomUUID().slice(0, 8)}`;
  await ownerPool().query(`create schema ${schema}; create table ${schema}.t (id int primary key, tenant_id uuid, v text, n int)`);
  await ownerPool().query("select warden.enable_auditing($1::regclass, $2)", [`${schema}.t`, JSON.stringify(options)]);
  return `${schema}.t`;
}

async function promote(): Promise<number> {
  const { rows } = await ownerPool().query("select warden.flush_capture()::int as n");
  return rows[0].n;
}

async function eventCount(table: string, where = "true", count = "count(*)"): Promise<number> {
  const { rows } = await ownerPool().query(`select ${count}::int as n from warden.audit_events where table_name = $1 and ${where}`, [table]);
  return rows[0].n;
}

test("a captured statement leaves one statement record and typed rows, nothing in the store until promoted; promotion is exactly once", async () => {
  const table = await auditedTable();
  await ownerPool().query(`insert into ${table} select g, null, 'v' || g, g from generate_series(1, 500) g`);
  await ownerPool().query(`update ${table} set v = v || '!' where id <= 100`);
  expect(await eventCount(table)).toBe(0);
  const { rows: stmts } = await ownerPool().query(
    `select op, row_count::int from (select * from warden_private.capture_statements_0 union all select * from warden_private.capture_statements_1) s
     where table_id = (select id from warden_private.audited_tables where table_name = $1) order by recorded_at`,
    [table],
  );
  expect(stmts).toEqual([
    { op: "i", row_count: 500 },
    { op: "u", row_count: 100 },
  ]);
  expect(await promote()).toBeGreaterThanOrEqual(600);
  expect(await eventCount(table)).toBe(600);
  // promoting again, and the worker's sealing pass, add nothing
  await promote();
  await withClient((c) => sealOnce(c, testSealingKey()));
  expect(await eventCount(table)).toBe(600);
  expect(await eventCount(table, "action = 'update' and changed_fields = '{v}'")).toBe(100);
});

test("concurrent writers, a long transaction and a repeatable-read one spanning generation flips: every committed change exactly once, no aborted one", async () => {
  const table = await auditedTable();
  const long = await connect();
  const rr = await connect();
  try {
    await long.query("begin");
    await long.query(`insert into ${table} values (1000000, null, 'long-before', 0)`);
    await rr.query("begin isolation level repeatable read");
    await rr.query(`insert into ${table} values (2000000, null, 'rr-before', 0)`);
    const writers = Array.from({ length: 4 }, async (_, w) => {
      const c = await connect();
      try {
        for (let i = 0; i < 60; i++) {
          const id = w * 1000 + i;
          if (i % 10 === 9) {
            await c.query("begin");
            await c.query(`insert into ${table} values ($1, null, 'aborted', $2)`, [id, w]);
            await c.query("rollback");
          } else if (i % 10 === 5) {
            await c.query("begin");
            await c.query(`insert into ${table} values ($1, null, 'sp', $2)`, [id, w]);
            await c.query("savepoint s");
            await c.query(`update ${table} set v = 'rolled back' where id = $1`, [id]);
            await c.query("rollback to savepoint s");
            await c.query("commit");
          } else {
            await c.query(`insert into ${table} values ($1, null, 'w', $2)`, [id, w]);
          }
        }
      } finally {
        await c.end();
      }
    });
    // promotions (and so generation flips) run while the writers write
    const promoter = (async () => {
      for (let i = 0; i < 8; i++) {
        await promote();
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await Promise.all([...writers, promoter]);
    const flips = await ownerPool().query("select last_value::int as g from warden_private.capture_generation");
    await long.query(`insert into ${table} values (1000001, null, 'long-after', 0)`);
    await rr.query(`insert into ${table} values (2000001, null, 'rr-after', 0)`);
    await promote();
    // still open: nothing of theirs is promoted
    expect(await eventCount(table, "new_values ->> 'v' in ('long-before', 'long-after', 'rr-before', 'rr-after')")).toBe(0);
    await long.query("commit");
    await rr.query("commit");
    await promote();
    await promote();
    expect((await ownerPool().query("select last_value::int as g from warden_private.capture_generation")).rows[0].g).toBeGreaterThan(flips.rows[0].g - 1);
    const { rows } = await ownerPool().query(
      `select count(*)::int as events, count(distinct row_pk)::int as rows,
              count(*) filter (where new_values ->> 'v' = 'aborted')::int as aborted,
              count(*) filter (where action = 'update')::int as updates
       from warden.audit_events where table_name = $1`,
      [table],
    );
    // 4 writers x 54 committed inserts, plus 2 + 2 from the long and repeatable-read transactions
    expect(rows[0]).toEqual({ events: 4 * 54 + 4, rows: 4 * 54 + 4, aborted: 0, updates: 0 });
  } finally {
    await long.end().catch(() => undefined);
    await rr.end().catch(() => undefined);
  }
});

test("promoted slots are emptied by TRUNCATE (never DELETE), not before every writer that could still reach them has ended", async () => {
  const table = await auditedTable();
  const rowLog = async () =>
    (
      await ownerPool().query(
        "select v.row_log from warden_private.capture_versions v join warden_private.audited_tables t on t.id = v.table_id where t.table_name = $1",
        [table],
      )
    ).rows[0].row_log as string;
  const logBytes = async () => {
    const log = await rowLog();
    const { rows } = await ownerPool().query(
      "select pg_relation_size(($1 || '_0')::regclass)::int as s0, pg_relation_size(($1 || '_1')::regclass)::int as s1",
      [log],
    );
    return rows[0].s0 + rows[0].s1;
  };
  const open = await connect();
  try {
    await open.query("begin");
    await open.query(`insert into ${table} values (1, null, 'open', 1)`);
    for (let i = 0; i < 4; i++) {
      await ownerPool().query(`insert into ${table} values ($1, null, 'x', $1)`, [10 + i]);
      await promote();
    }
    // the open writer keeps its rows (and its slot) in the log
    expect(await logBytes()).toBeGreaterThan(0);
    await open.query(`insert into ${table} values (2, null, 'open', 2)`);
    await open.query("commit");
  } finally {
    await open.end();
  }
  for (let i = 0; i < 4; i++) await promote();
  expect(await eventCount(table)).toBe(6);
  // everything promoted, nothing new written: both slots were truncated
  expect(await logBytes()).toBe(0);
  await ownerPool().query(`insert into ${table} values (99, null, 'y', 99)`);
  for (let i = 0; i < 4; i++) await promote();
  expect(await eventCount(table)).toBe(7);
  expect(await logBytes()).toBe(0);
});

test("the capture log is append-only for everyone but the promotion, the owner and a hand-set flag included", async () => {
  const table = await auditedTable();
  await ownerPool().query(`insert into ${table} values (1, null, 'a', 1)`);
  const rowLog = (
    await ownerPool().query(
      "select v.row_log from warden_private.capture_versions v join warden_private.audited_tables t on t.id = v.table_id where t.table_name = $1",
      [table],
    )
  ).rows[0].row_log;
  await withClient(async (c) => {
    await c.query("begin");
    await c.query("select set_config('warden.capture_promotion', 'on', true)");
    for (const log of [`${rowLog}_0`, `${rowLog}_1`, "warden_private.capture_statements_0", "warden_private.capture_statements_1"]) {
      for (const sql of [`update ${log} set txid = txid`, `delete from ${log}`, `truncate ${log}`]) {
        const err = await expectFailure(c, sql);
        expect({ sql, code: err.code, message: err.message }).toEqual({ sql, code: "42501", message: expect.stringMatching(/append-only/) });
      }
    }
    await c.query("rollback");
  });
  // a superuser dropping a log is refused too (event trigger)
  const su = new pg.Client({ connectionString: rootOnTestDatabase() });
  await su.connect();
  try {
    await expect(su.query(`drop table ${rowLog}_0`)).rejects.toMatchObject({ code: "42501" });
  } finally {
    await su.end();
  }
  // and the API roles cannot read it at all
  await withClient(async (c) => {
    await c.query("begin");
    await c.query("set local role warden_visitor");
    const err = await expectFailure(c, "select * from warden_private.capture_statements_0");
    expect(err.code).toBe("42501");
    const flush = await expectFailure(c, "select warden.flush_capture()");
    expect(flush.code).toBe("42501");
    await c.query("rollback");
  });
  await promote();
  expect(await eventCount(table)).toBe(1);
});

test("a generated capture function attached to another table refuses to capture it", async () => {
  const table = await auditedTable();
  const fn = (
    await ownerPool().query(
      "select v.capture_function from warden_private.capture_versions v join warden_private.audited_tables t on t.id = v.table_id where t.table_name = $1",
      [table],
    )
  ).rows[0].capture_function;
  const schema = table.split(".")[0];
  await ownerPool().query(`create table ${schema}.forged (id int primary key, tenant_id uuid, v text, n int)`);
  await ownerPool().query(
    `create trigger forge after insert on ${schema}.forged referencing new table as new_rows for each statement execute function ${fn}()`,
  );
  await expect(ownerPool().query(`insert into ${schema}.forged values (1, null, 'forged', 1)`)).rejects.toMatchObject({ code: "42501" });
  await promote();
  expect(await eventCount(table)).toBe(0);
});

test("row history shows changes committed but not yet promoted, and the caller's own, then the same events once promoted", async () => {
  const table = await auditedTable();
  await ownerPool().query(`insert into ${table} values (7, null, 'one', 1)`);
  await ownerPool().query(`update ${table} set v = 'two' where id = 7`);
  const pending = await ownerPool().query(`select event_id, action, row_data from warden.row_history($1::regclass, '{"id": 7}')`, [table]);
  expect(pending.rows.map((r) => [r.event_id, r.action, r.row_data.v])).toEqual([
    [null, "insert", "one"],
    [null, "update", "two"],
  ]);
  await withClient(async (c) => {
    await c.query("begin");
    await c.query(`update ${table} set v = 'three' where id = 7`);
    const own = await c.query(`select action, row_data from warden.row_history($1::regclass, '{"id": 7}')`, [table]);
    expect(own.rows.map((r) => r.row_data.v)).toEqual(["one", "two", "three"]);
    await c.query("rollback");
  });
  await promote();
  const promoted = await ownerPool().query(`select event_id, row_data from warden.row_history($1::regclass, '{"id": 7}')`, [table]);
  expect(promoted.rows.map((r) => r.row_data.v)).toEqual(["one", "two"]);
  expect(promoted.rows.every((r) => r.event_id !== null)).toBe(true);
});

test("a table that changes shape mid-transaction: both versions' changes are promoted, the old version is dropped once drained", async () => {
  const table = await auditedTable();
  await withClient(async (c) => {
    await c.query("begin");
    await c.query(`insert into ${table} values (1, null, 'before', 1)`);
    await c.query(`alter table ${table} add column extra text`);
    await c.query(`insert into ${table} values (2, null, 'after', 2, 'x')`);
    await c.query("commit");
  });
  const versions = await ownerPool().query(
    "select v.version, v.retired_at is not null as retired from warden_private.capture_versions v join warden_private.audited_tables t on t.id = v.table_id where t.table_name = $1 order by 1",
    [table],
  );
  expect(versions.rows).toEqual([
    { version: 1, retired: true },
    { version: 2, retired: false },
  ]);
  for (let i = 0; i < 3; i++) await promote();
  const ev = await ownerPool().query(`select new_values from warden.audit_events where table_name = $1 and action = 'insert' order by (row_pk ->> 'id')::int`, [table]);
  expect(ev.rows.map((r) => r.new_values)).toEqual([
    { id: 1, tenant_id: null, v: "before", n: 1 },
    { id: 2, tenant_id: null, v: "after", n: 2, extra: "x" },
  ]);
  const dropped = await ownerPool().query(
    "select v.version, v.dropped_at is not null as dropped from warden_private.capture_versions v join warden_private.audited_tables t on t.id = v.table_id where t.table_name = $1 order by 1",
    [table],
  );
  expect(dropped.rows).toEqual([
    { version: 1, dropped: true },
    { version: 2, dropped: false },
  ]);
});

test("enable and disable auditing are governance events with before and after; a re-enable with the same options is not", async () => {
  const tenant = await withClient((c) => createTenant(c));
  const schema = `cl_${randomUUID().slice(0, 8)}`;
  await ownerPool().query(`create schema ${schema}; create table ${schema}.t (id int primary key, tenant_id uuid, v text)`);
  const table = `${schema}.t`;
  await withClient(async (c) => {
    await c.query("begin");
    await c.query("select warden.set_context($1, 'dba-1', 'service', 'trace-enable')", [tenant]);
    await c.query("select warden.enable_auditing($1::regclass, '{}')", [table]);
    await c.query("select warden.enable_auditing($1::regclass, '{}')", [table]);
    await c.query(`select warden.enable_auditing($1::regclass, '{"exclude_columns": ["v"]}')`, [table]);
    await c.query("select warden.disable_auditing($1::regclass)", [table]);
    await c.query("commit");
  });
  const { rows } = await ownerPool().query(
    `select event_type, severity, actor_id, trace_id, tenant_id, event_data -> 'before' as before, event_data -> 'after' as after
     from warden.audit_events where resource_id = $1 and category = 'governance' order by recorded_at, event_id`,
    [table],
  );
  expect(rows.map((r) => [r.event_type, r.severity, r.actor_id, r.trace_id, r.tenant_id])).toEqual([
    ["governance.auditing.enabled", "notice", "dba-1", "trace-enable", tenant],
    ["governance.auditing.enabled", "notice", "dba-1", "trace-enable", tenant],
    ["governance.auditing.disabled", "warning", "dba-1", "trace-enable", tenant],
  ]);
  expect(rows[0].before).toBeNull();
  expect(rows[1].before).toMatchObject({ exclude_columns: [] });
  expect(rows[1].after).toMatchObject({ exclude_columns: ["v"] });
  expect(rows[2].before).toMatchObject({ exclude_columns: ["v"] });
});

test("capture gaps: a dropped or disabled capture trigger, an altered, renamed or dropped table are critical governance events", async () => {
  const table = await auditedTable();
  const [schema] = table.split(".");
  const events = async () =>
    (
      await ownerPool().query(
        "select event_type, severity from warden.audit_events where category = 'governance' and resource_id like $1 and event_type like 'governance.capture%' order by recorded_at, event_id",
        [`${schema}.%`],
      )
    ).rows.map((r) => `${r.event_type}/${r.severity}`);
  const gap = async () =>
    (await ownerPool().query("select gap_reason from warden_private.audited_tables where table_name = $1 and dropped_at is null", [table])).rows[0]
      ?.gap_reason ?? null;
  await ownerPool().query(`alter table ${table} disable trigger _900_audit_update`);
  expect(await gap()).toBe("trigger_disabled");
  await ownerPool().query(`alter table ${table} enable trigger _900_audit_update`);
  expect(await gap()).toBeNull();
  await ownerPool().query(`drop trigger _900_audit_update on ${table}`);
  expect(await gap()).toBe("trigger_dropped");
  await ownerPool().query(`update ${table} set v = 'unseen'`); // not captured: the gap is what says so
  await ownerPool().query("select warden.enable_auditing($1::regclass)", [table]);
  expect(await gap()).toBeNull();
  await ownerPool().query(`alter table ${table} add column note text`);
  await ownerPool().query(`alter table ${table} rename to t2`);
  await ownerPool().query(`drop table ${schema}.t2`);
  expect(await events()).toEqual([
    "governance.capture_trigger_disabled/critical",
    "governance.capture_restored/warning",
    "governance.capture_trigger_dropped/critical",
    "governance.capture_restored/warning",
    "governance.capture_table_altered/critical",
    "governance.capture_table_renamed/critical",
    "governance.capture_table_dropped/critical",
  ]);
  // disable_auditing is an intended stop, not a gap
  const other = await auditedTable();
  await ownerPool().query("select warden.disable_auditing($1::regclass)", [other]);
  const otherEvents = await ownerPool().query(
    "select event_type from warden.audit_events where resource_id = $1 and event_type like 'governance.capture%'",
    [other],
  );
  expect(otherEvents.rows).toEqual([]);
});

test("a round promotes a backlog in parts running at once, each exactly once; a round left half done is finished by the next promotion", async () => {
  const table = await auditedTable();
  await ownerPool().query(`insert into ${table} select g, null, 'v', g from generate_series(1, 3000) g`);
  await ownerPool().query(`update ${table} set n = n + 1 where id % 3 = 0`);
  for (let i = 0; i < 20; i++) await ownerPool().query(`insert into ${table} values ($1, null, 'small', $1)`, [10_000 + i]);
  const expected = 3000 + 1000 + 20;
  const open = async (parts: number) => (await ownerPool().query("select round_id::text as id, round_parts as p from warden_private.capture_round_open($1)", [parts])).rows[0];
  const round = await open(3);
  expect(round.p).toBe(3);
  // the parts at once, each on its own connection, plus a second claimer of part 1 racing the first
  const clients = await Promise.all([connect(), connect(), connect(), connect()]);
  try {
    const results = await Promise.all(
      [0, 1, 2, 1].map((part, i) => clients[i].query("select warden_private.capture_round_part($1::bigint, $2)::int as n", [round.id, part])),
    );
    const counts = results.map((r) => r.rows[0].n);
    expect(counts.filter((n) => n === null)).toHaveLength(1); // the second claimer of part 1 found it done
    // (a round promotes every table's backlog: at least this table's events)
    expect(counts.reduce((a, b) => a + (b ?? 0), 0)).toBeGreaterThanOrEqual(expected);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  const closed = (await ownerPool().query("select promoted::int as n from warden_private.capture_round_close($1::bigint)", [round.id])).rows[0];
  expect(closed.n).toBeGreaterThanOrEqual(expected);
  expect(await eventCount(table)).toBe(expected);
  expect(await eventCount(table, "true", "count(distinct (row_pk, action, recorded_at))")).toBe(expected);
  expect((await ownerPool().query("select count(*)::int as n from warden_private.capture_rounds")).rows[0].n).toBe(0);

  // a round whose promoter died after one part: the next single pass finishes and closes it, no part twice
  await ownerPool().query(`update ${table} set v = 'again'`);
  const second = await open(2);
  await ownerPool().query("select warden_private.capture_round_part($1::bigint, 0)", [second.id]);
  await expect(ownerPool().query("select * from warden_private.capture_round_close($1::bigint)", [second.id])).rejects.toMatchObject({ code: "55000" });
  await promote();
  expect((await ownerPool().query("select warden_private.capture_round_part($1::bigint, 1) as n", [second.id])).rows[0].n).toBeNull();
  expect(await eventCount(table)).toBe(expected + 3020);
  expect(await eventCount(table, "new_values ->> 'v' = 'again'")).toBe(3020);
});

test("a large UPDATE after single-row UPDATEs on the same session pairs its rows by hashing, not by the plan cached for one row; every path records the same events", async () => {
  // Attack: a session that ran single-row UPDATEs had cached the capture
  // statement's plan for one row (a nested loop pairing old and new rows),
  // and a later UPDATE of 10,000 rows on it ran quadratically (13 s, not
  // 0.2 s). auto_explain shows the plan each capture statement ran.
  const schema = `cl_${randomUUID().slice(0, 8)}`;
  const table = `${schema}.t`;
  await ownerPool().query(`create schema ${schema}; create table ${table} (id int primary key, tenant_id uuid, v text, n int, card text)`);
  await ownerPool().query("select warden.enable_auditing($1::regclass, $2)", [table, JSON.stringify({ redact_columns: ["card"] })]);
  const tenant = await withClient((c) => createTenant(c));
  await ownerPool().query(`insert into ${table} select g, $1, 'v' || g, g, 'c' || g from generate_series(1, 3000) g`, [tenant]);
  await promote();

  const { plans: notices } = await withPlansLogged(async (c, logged) => {
    for (let id = 1; id <= 8; id++) await c.query(`update ${table} set n = n + 1, card = 'x' || id where id = $1`, [id]);
    await c.query(`update ${table} set v = v || '!' where id between 11 and 30`);
    await c.query(`update ${table} set v = v where id <= 100`); // nothing changed: no event
    logged.length = 0;
    await c.query("begin");
    await c.query("select warden.set_context($1, 'bulk-job', 'service', 'trace-bulk')", [tenant]);
    await c.query("set local enable_mergejoin = on");
    await c.query(`update ${table} set n = n + 1, card = 'y' || id where id > 100`);
    // the capture statement's own setting does not leak into the writer's transaction
    expect((await c.query("select current_setting('enable_mergejoin') as v")).rows[0].v).toBe("on");
    await c.query("commit");
  });
  const plans = notices.filter((m) => m.includes("warden_capture_ordinal") && m.includes("Insert on capture_rows_"));
  expect(plans).toHaveLength(1);
  expect(plans[0]).not.toMatch(/Nested Loop/);
  // by hashing: the ordinals come in order, a merge join sorted both sides again
  expect(plans[0]).toMatch(/Hash Join/);
  expect(plans[0]).not.toMatch(/Merge Join|Sort Key/);

  expect(await promote()).toBe(8 + 20 + 2900);
  const { rows } = await ownerPool().query(
    `select (row_pk ->> 'id')::int as id, changed_fields, old_values, new_values, actor_id, actor_type::text, trace_id, tenant_id
     from warden.audit_events where table_name = $1 and action = 'update' order by (row_pk ->> 'id')::int`,
    [table],
  );
  expect(rows).toHaveLength(2928);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const { rows: inserted } = await ownerPool().query(
    `select (row_pk ->> 'id')::int as id, new_values ->> 'card' as card from warden.audit_events where table_name = $1 and action = 'insert'`,
    [table],
  );
  const insertedCard = new Map(inserted.map((r) => [r.id, r.card]));
  // one row (no join)
  expect(byId.get(5)).toMatchObject({ changed_fields: ["card", "n"], old_values: { n: 5 }, new_values: { n: 6 }, actor_type: "db_role" });
  expect(byId.get(5).old_values.card).toBe(insertedCard.get(5));
  // a few rows (one cached plan)
  expect(byId.get(20)).toMatchObject({ changed_fields: ["v"], old_values: { v: "v20" }, new_values: { v: "v20!" } });
  // many rows (planned for their count), with the request context and the keyed hash of the tenant
  const big = byId.get(2000);
  expect(big).toMatchObject({ changed_fields: ["card", "n"], old_values: { n: 2000 }, new_values: { n: 2001 }, actor_id: "bulk-job", actor_type: "service", trace_id: "trace-bulk", tenant_id: tenant });
  expect(big.old_values.card).toBe(insertedCard.get(2000));
  expect(big.new_values.card).toMatch(/^hmac:[0-9a-f]{64}$/);
  expect(JSON.stringify(rows)).not.toMatch(/"(x|y|c)\d+"/);
});

test("a column name holding a dollar-quote tag cannot end the generated capture function early and run SQL as Warden's owner", async () => {
  // Attack: the generator wrote the capture function's body between $body$
  // tags, and quote_ident leaves a "$body$" inside a column name as it is.
  // A table's owner who adds such a column (with check_function_bodies off,
  // so the broken function is created) had the DDL event trigger's security
  // definer run the SQL after the name, as warden_owner.
  const tag = randomUUID().slice(0, 6);
  const schema = `q${tag}`; // short: a column name holds at most 63 bytes
  const attacker = `warden_attack_${tag}`;
  const pwned = `p${tag}`; // a schema Warden's owner may create, the attacker may not
  const payload = `a$body$;create schema if not exists ${pwned};select $body$`;
  expect(payload.length).toBeLessThanOrEqual(63);
  const root = new pg.Client({ connectionString: rootOnTestDatabase() });
  await root.connect();
  try {
    await root.query(`create role ${attacker} nologin`);
    await root.query(`create schema ${schema} authorization ${attacker}`);
    await root.query(`set role ${attacker}`);
    await root.query(`create table ${schema}.t (id int primary key, v text)`);
    await root.query("reset role");
    await root.query("select warden.enable_auditing($1::regclass)", [`${schema}.t`]);
    await root.query(`set role ${attacker}`);
    await root.query("set check_function_bodies = off");
    await root.query(`alter table ${schema}.t add column ${root.escapeIdentifier(payload)} int`);
    // nothing ran as the owner...
    const { rows: made } = await root.query("select count(*)::int as n from pg_namespace where nspname = $1", [pwned]);
    expect(made[0].n).toBe(0);
    await root.query(`insert into ${schema}.t values (1, 'x', 42)`);
    await root.query(`update ${schema}.t set ${root.escapeIdentifier(payload)} = 43`);
    await root.query("reset check_function_bodies");
    await root.query("reset role");
    // ...and the column is captured like any other
    await promote();
    const { rows } = await ownerPool().query(
      "select action, old_values, new_values from warden.audit_events where table_name = $1 and category = 'data' order by recorded_at, event_id",
      [`${schema}.t`],
    );
    expect(rows.map((r) => r.action)).toEqual(["insert", "update"]);
    expect(rows[0].new_values).toEqual({ id: 1, v: "x", [payload]: 42 });
    expect(rows[1].old_values).toEqual({ [payload]: 42 });
    expect(rows[1].new_values).toEqual({ [payload]: 43 });
  } finally {
    await root.query("reset role").catch(() => undefined);
    await root.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await root.query(`drop schema if exists ${pwned} cascade`).catch(() => undefined);
    await root.query(`drop owned by ${attacker}`).catch(() => undefined);
    await root.query(`drop role if exists ${attacker}`).catch(() => undefined);
    await root.end();
  }
});

test("column names holding format() specifiers are captured as names by every statement form (INSERT, UPDATE of 1, 3 and 70 rows, DELETE)", async () => {
  // Attack on the generator's templates: an UPDATE statement is built from
  // one template, three times. Were anything filled into it (a column name
  // in the comparison, say) read as a template again, "%1$s" or "%I" in a
  // name would be substituted or fail the generation.
  const schema = `cf_${randomUUID().slice(0, 8)}`;
  const names = ["a%1$s", "b%I%%", "c%s%L"];
  const [a, b, c] = names.map((n) => pg.Client.prototype.escapeIdentifier(n));
  await ownerPool().query(`create schema ${schema}; create table ${schema}.t (id int primary key, ${a} text, ${b} int, ${c} text)`);
  await ownerPool().query("select warden.enable_auditing($1::regclass)", [`${schema}.t`]);
  await ownerPool().query(`insert into ${schema}.t select g, 'x' || g, g, 'same' from generate_series(1, 70) g`);
  await ownerPool().query(`update ${schema}.t set ${a} = 'one', ${b} = -1 where id = 1`);
  await ownerPool().query(`update ${schema}.t set ${b} = ${b} + 1000 where id between 2 and 4`);
  await ownerPool().query(`update ${schema}.t set ${a} = ${a} || '!'`);
  await ownerPool().query(`delete from ${schema}.t where id = 70`);
  await promote();
  const { rows } = await ownerPool().query(
    `select action, row_pk ->> 'id' as id, old_values, new_values, changed_fields from warden.audit_events
     where table_name = $1 and category = 'data' order by txid, (row_pk ->> 'id')::int`,
    [`${schema}.t`],
  );
  const of = (action: string, id: number) => rows.filter((r) => r.action === action && Number(r.id) === id);
  expect(rows.filter((r) => r.action === "insert")).toHaveLength(70);
  expect(of("insert", 5)[0].new_values).toEqual({ id: 5, [names[0]]: "x5", [names[1]]: 5, [names[2]]: "same" });
  // one row
  expect(of("update", 1)[0].new_values).toEqual({ [names[0]]: "one", [names[1]]: -1 });
  expect(of("update", 1)[0].changed_fields).toEqual([names[0], names[1]].sort());
  // three rows, then seventy (the statement planned for its own count)
  const updates = rows.filter((r) => r.action === "update");
  expect(updates).toHaveLength(1 + 3 + 70);
  expect(of("update", 3)[0].old_values).toEqual({ [names[1]]: 3 });
  expect(of("update", 3)[0].new_values).toEqual({ [names[1]]: 1003 });
  expect(of("update", 3)[1].new_values).toEqual({ [names[0]]: "x3!" });
  expect(of("update", 1)[1].new_values).toEqual({ [names[0]]: "one!" });
  expect(updates.every((r) => !Object.keys(r.new_values).includes(names[2]))).toBe(true);
  expect(of("delete", 70)[0].old_values).toEqual({ id: 70, [names[0]]: "x70!", [names[1]]: 70, [names[2]]: "same" });
  await ownerPool().query(`drop schema ${schema} cascade`);
});
