/**
 * warden.set_context outside a transaction block: its settings are
 * transaction-local, so called on its own they end with its statement and
 * the statements after it run without a context. Warden warns (at commit)
 * exactly then, whatever the protocol, and stays quiet when the context
 * could be used.
 */
import pg from "pg";
import { closePools, createTenant, ownerPool, ownerUrl } from "../support/db";

afterAll(closePools);

let tenant: string;

beforeAll(async () => {
  const c = await ownerPool().connect();
  try {
    tenant = await createTenant(c);
  } finally {
    c.release();
  }
});

/** A fresh session; runs fn and returns the WARNING messages the server sent. */
async function warnings(fn: (c: pg.Client) => Promise<unknown>): Promise<string[]> {
  const c = new pg.Client({ connectionString: ownerUrl() });
  const seen: string[] = [];
  c.on("notice", (n) => {
    if (n.severity === "WARNING") seen.push(n.message ?? "");
  });
  await c.connect();
  try {
    await c.query("create temp table scratch (n integer)");
    await fn(c);
    // notices travel before the command's completion: a round trip makes sure they arrived
    await c.query("select 1");
  } finally {
    await c.end();
  }
  return seen;
}

const SET = "select warden.set_context($1, 'app', 'service', 'trace-w')";
const SET_SIMPLE = () => `select warden.set_context('${tenant}', 'app', 'service', 'trace-w')`;
const WARNED = [expect.stringMatching(/^warden\.set_context ran outside a transaction block/)];

test("on its own (autocommit) it warns, with parameters (extended protocol) and without (simple protocol), every time", async () => {
  expect(await warnings((c) => c.query(SET, [tenant]))).toEqual(WARNED);
  expect(await warnings((c) => c.query(SET_SIMPLE()))).toEqual(WARNED);
  expect(
    await warnings(async (c) => {
      await c.query(SET, [tenant]);
      await c.query(SET, [tenant]);
    }),
  ).toEqual([...WARNED, ...WARNED]);
});

test("and the statement after it indeed ran without the context", async () => {
  const c = new pg.Client({ connectionString: ownerUrl() });
  await c.connect();
  try {
    await c.query(SET, [tenant]);
    const { rows } = await c.query("select warden.current_tenant_id() as t, warden.current_trace_id() as trace");
    expect(rows[0]).toEqual({ t: null, trace: null });
  } finally {
    await c.end();
  }
});

test("inside a transaction block, a multi-statement string or a function that goes on writing, it is quiet", async () => {
  const quiet = await Promise.all([
    warnings(async (c) => {
      await c.query("begin");
      await c.query(SET, [tenant]);
      await c.query("insert into scratch values ($1)", [1]);
      await c.query("commit");
    }),
    warnings(async (c) => {
      // reads only, in a block
      await c.query("begin");
      await c.query(SET, [tenant]);
      await c.query("select warden.current_tenant_id()");
      await c.query("commit");
    }),
    warnings(async (c) => {
      // pipelined: BEGIN, set_context and COMMIT sent back to back
      await Promise.all([c.query("begin"), c.query(SET, [tenant]), c.query("select $1::int", [1]), c.query("commit")]);
    }),
    // one simple-protocol string (an implicit transaction) that writes after it
    warnings((c) => c.query(`${SET_SIMPLE()}; insert into scratch values (1)`)),
    warnings((c) => c.query(`do $$ begin perform warden.set_context('${tenant}', 'app', 'service'); insert into scratch values (1); end $$`)),
    // a read-only transaction: nothing could be audited anyway, and it must not fail
    warnings(async (c) => {
      await c.query("begin read only");
      await c.query(SET, [tenant]);
      await c.query("commit");
    }),
    // rolled back: nothing to warn about
    warnings(async (c) => {
      await c.query("begin");
      await c.query(SET, [tenant]);
      await c.query("rollback");
    }),
  ]);
  expect(quiet).toEqual([[], [], [], [], [], [], []]);
});

test("sessions that ended leave no rows behind", async () => {
  await ownerPool().query("insert into warden_private.context_commit_checks (backend_pid, armed) values (2147480001, false) on conflict do nothing");
  expect(await warnings((c) => c.query(SET, [tenant]))).toEqual(WARNED);
  const { rows } = await ownerPool().query("select count(*)::int as n from warden_private.context_commit_checks where backend_pid = 2147480001");
  expect(rows[0].n).toBe(0);
});
