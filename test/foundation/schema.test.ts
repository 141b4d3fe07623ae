/**
 * Schema-wide guarantees: comments everywhere, no PUBLIC execute, pinned
 * search_path on SECURITY DEFINER functions, RLS enabled and forced.
 */
import { closePools, rolledBack } from "../support/db";

afterAll(closePools);

const SCHEMAS = ["warden", "warden_private"];

test("every table, column and function in Warden's schemas has a comment", async () => {
  await rolledBack(async (c) => {
    const tables = await c.query(
      `select n.nspname || '.' || cl.relname as name from pg_class cl join pg_namespace n on n.oid = cl.relnamespace
       where n.nspname = any($1) and cl.relkind in ('r', 'p', 'v') and cl.relispartition = false
         and obj_description(cl.oid, 'pg_class') is null`,
      [SCHEMAS],
    );
    expect(tables.rows).toEqual([]);
    const columns = await c.query(
      `select n.nspname || '.' || cl.relname || '.' || a.attname as name
       from pg_attribute a join pg_class cl on cl.oid = a.attrelid join pg_namespace n on n.oid = cl.relnamespace
       where n.nspname = any($1) and cl.relkind in ('r', 'p', 'v') and cl.relispartition = false
         and a.attnum > 0 and not a.attisdropped and col_description(cl.oid, a.attnum) is null`,
      [SCHEMAS],
    );
    expect(columns.rows).toEqual([]);
    const functions = await c.query(
      `select p.oid::regprocedure::text as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = any($1) and obj_description(p.oid, 'pg_proc') is null`,
      [SCHEMAS],
    );
    expect(functions.rows).toEqual([]);
  });
});

/**
 * Functions that must be executable by PUBLIC, and why. Keep this short.
 * - soft_delete_operation(): the warden_soft_delete_hide row-level security
 *   policy of every soft-delete table calls it, so every role that reads
 *   such a table needs it; it only reports whether one of Warden's
 *   soft-delete functions is running.
 */
const PUBLIC_BY_DESIGN = ["warden_private.soft_delete_operation()"];

test("no Warden function is executable by PUBLIC", async () => {
  await rolledBack(async (c) => {
    const { rows } = await c.query(
      `select p.oid::regprocedure::text as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = any($1)
         and (p.proacl is null or exists (select 1 from aclexplode(p.proacl) a where a.grantee = 0 and a.privilege_type = 'EXECUTE'))
         and p.oid::regprocedure::text <> all ($2)`,
      [SCHEMAS, PUBLIC_BY_DESIGN],
    );
    expect(rows).toEqual([]);
  });
});

test("every SECURITY DEFINER function pins its search_path", async () => {
  await rolledBack(async (c) => {
    const { rows } = await c.query(
      `select p.oid::regprocedure::text as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = any($1) and p.prosecdef
         and not exists (select 1 from unnest(p.proconfig) s where s like 'search_path=%')`,
      [SCHEMAS],
    );
    expect(rows).toEqual([]);
    const count = await c.query(
      `select count(*)::int as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = any($1) and p.prosecdef`,
      [SCHEMAS],
    );
    expect(count.rows[0].n).toBeGreaterThan(3);
  });
});

test("row-level security is enabled and forced on every table", async () => {
  await rolledBack(async (c) => {
    const { rows } = await c.query(
      `select n.nspname || '.' || cl.relname as name, cl.relrowsecurity, cl.relforcerowsecurity
       from pg_class cl join pg_namespace n on n.oid = cl.relnamespace
       where n.nspname = any($1) and cl.relkind in ('r', 'p')`,
      [SCHEMAS],
    );
    expect(rows.length).toBeGreaterThanOrEqual(7);
    for (const r of rows) {
      expect({ name: r.name, rls: r.relrowsecurity, forced: r.relforcerowsecurity }).toEqual({ name: r.name, rls: true, forced: true });
    }
  });
});

test("roles: authenticator logs in without inheriting, visitor cannot log in, visitor cannot reach warden_private", async () => {
  await rolledBack(async (c) => {
    const { rows } = await c.query(
      `select rolname, rolcanlogin, rolinherit, rolsuper, rolbypassrls from pg_roles
       where rolname in ('warden_owner', 'warden_authenticator', 'warden_visitor') order by rolname`,
    );
    expect(rows).toEqual([
      { rolname: "warden_authenticator", rolcanlogin: true, rolinherit: false, rolsuper: false, rolbypassrls: false },
      { rolname: "warden_owner", rolcanlogin: true, rolinherit: true, rolsuper: false, rolbypassrls: false },
      { rolname: "warden_visitor", rolcanlogin: false, rolinherit: true, rolsuper: false, rolbypassrls: false },
    ]);
    const priv = await c.query(
      `select has_schema_privilege('warden_visitor', 'warden_private', 'usage') as private_usage,
              has_schema_privilege('warden_visitor', 'warden', 'usage') as public_usage,
              has_function_privilege('warden_visitor', 'warden.set_context(uuid, text, text, text, jsonb)', 'execute') as set_context`,
    );
    expect(priv.rows[0]).toEqual({ private_usage: false, public_usage: true, set_context: false });
  });
});
