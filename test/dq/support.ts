/**
 * Fixtures for the data-quality tests: an application table of orders in a
 * schema of the test's own, readable by warden_dq_sandbox, its rows kept
 * apart per tenant by row-level security (and a tenant_id column).
 */
import type pg from "pg";
import { randomUUID } from "node:crypto";
import { createTenant } from "../support/db";

export interface OrdersFixture {
  schema: string;
  table: string;
  tenantA: string;
  tenantB: string;
}

/** N orders of tenant A (every 7th with a negative amount, every 10th with status "weird") and 10 bad ones of tenant B. */
export async function ordersFixture(c: pg.ClientBase, rows = 100): Promise<OrdersFixture> {
  const schema = `dq_${randomUUID().replace(/-/g, "").slice(0, 10)}`;
  const table = `${schema}.orders`;
  await c.query(`create schema ${schema}`);
  await c.query(`create table ${table} (
    id bigint primary key, tenant_id uuid not null, customer_email text, status text, amount numeric(12,2),
    created_at timestamptz not null default now(), note text)`);
  await c.query(`alter table ${table} enable row level security`);
  await c.query(`alter table ${table} force row level security`);
  await c.query(`create policy owner_all on ${table} to warden_owner using (true) with check (true)`);
  await c.query(`create policy dq_tenant on ${table} for select to warden_dq_sandbox using (tenant_id = warden.current_tenant_id())`);
  await c.query(`grant usage on schema ${schema} to warden_dq_sandbox`);
  await c.query(`grant select on ${table} to warden_dq_sandbox`);
  const tenantA = await createTenant(c);
  const tenantB = await createTenant(c);
  await c.query(
    `insert into ${table} (id, tenant_id, customer_email, status, amount, created_at)
     select g, $1, 'customer' || g || '@acme.test', case when g % 10 = 0 then 'weird' else 'paid' end,
            case when g % 7 = 0 then -1 else g end, now() - interval '5 minutes'
     from generate_series(1, $2::int) g`,
    [tenantA, rows],
  );
  await c.query(
    `insert into ${table} (id, tenant_id, customer_email, status, amount) select 100000 + g, $1, null, 'other', -5 from generate_series(1, 10) g`,
    [tenantB],
  );
  return { schema, table, tenantA, tenantB };
}

/** warden.dq_add_rule as a DBA (no request context), for a tenant. */
export async function addRule(
  c: pg.ClientBase,
  tenant: string,
  target: string,
  name: string,
  checkType: string,
  params: Record<string, unknown>,
  opts: { severity?: "warn" | "error"; schedule?: string; timeoutMs?: number; tenantColumn?: string } = {},
): Promise<string> {
  const { rows } = await c.query(
    `select id from warden.dq_add_rule($1::regclass, $2, $3, $4::jsonb, severity => $5, schedule => $6, timeout_ms => $7,
       tenant_column => $8, tenant => $9)`,
    [target, name, checkType, JSON.stringify(params), opts.severity ?? "error", opts.schedule ?? null, opts.timeoutMs ?? 60000,
     opts.tenantColumn ?? null, tenant],
  );
  return rows[0].id;
}

export async function dropSchema(c: pg.ClientBase, schema: string): Promise<void> {
  await c.query(`drop schema if exists ${schema} cascade`);
}
