/**
 * Soft delete through the API: a soft-deleted row of a table exposed by
 * GraphQL is not returned by collections or lookups; restore works as a
 * mutation for the row's tenant and fails for another tenant.
 */
import { closePools } from "../support/db";
import { gql, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";
import { ownerPool } from "../support/db";

let server: TestServer;
let a: TenantFixture;
let b: TenantFixture;

const TABLE = "warden.sd_probe_notes";

beforeAll(async () => {
  // A tenant table in the exposed schema, made before the server builds its GraphQL schema.
  await ownerPool().query(`
    drop table if exists ${TABLE};
    create table ${TABLE} (id integer primary key, tenant_id uuid not null default warden.current_tenant_id(), body text);
    comment on table ${TABLE} is 'Test probe for soft delete through GraphQL.';
    comment on column ${TABLE}.id is 'Id.';
    comment on column ${TABLE}.tenant_id is 'Tenant.';
    comment on column ${TABLE}.body is 'Body.';
    alter table ${TABLE} enable row level security;
    alter table ${TABLE} force row level security;
    create policy owner_maintenance on ${TABLE} to warden_owner using (true) with check (true);
    create policy tenant_rows on ${TABLE} to warden_visitor using (tenant_id = warden.current_tenant_id()) with check (tenant_id = warden.current_tenant_id());
    grant select, delete on ${TABLE} to warden_visitor;
    select warden.enable_soft_delete('${TABLE}');`);
  server = await startTestServer();
  a = await tenantFixture(server, "SD tenant A");
  b = await tenantFixture(server, "SD tenant B");
  await server.ownerPool.query(`insert into ${TABLE} (id, tenant_id, body) values (1, $1, 'kept'), (2, $1, 'gone'), (3, $2, 'other')`, [a.tenantId, b.tenantId]);
});

afterAll(async () => {
  await server?.close();
  await ownerPool().query(`drop table if exists ${TABLE}`);
  await closePools();
});

async function bodies(token: string): Promise<string[]> {
  const r = await gql(server, token, "{ sdProbeNotes(orderBy: PRIMARY_KEY_ASC) { nodes { rowId body } } }");
  expect(r.body.errors).toBeUndefined();
  return r.body.data.sdProbeNotes.nodes.map((n: { body: string }) => n.body);
}

test("a soft-deleted row is invisible through GraphQL, and restore brings it back for its own tenant only", async () => {
  expect(await bodies(a.tokens.admin)).toEqual(["kept", "gone"]);
  // Soft delete through the API (the DELETE reports no row: it was marked, not removed).
  const del = await gql(server, a.tokens.admin, `mutation { deleteSdProbeNote(input: {rowId: 2}) { clientMutationId } }`);
  // Known limitation: the DELETE affected no row (the trigger marked it), so
  // PostGraphile's delete mutation reports not_found.
  expect(del.body.errors?.[0]?.extensions?.code).toBe("not_found");
  expect(await bodies(a.tokens.admin)).toEqual(["kept"]);
  const one = await gql(server, a.tokens.admin, "{ sdProbeNote(rowId: 2) { body } }");
  expect(one.body.data.sdProbeNote).toBeNull();
  const { rows } = await server.ownerPool.query(
    `select action, actor_id, tenant_id from warden.audit_events where table_name = 'warden.sd_probe_notes' and category = 'governance'`,
  );
  expect(rows).toEqual([{ action: "soft_delete", actor_id: a.users.admin, tenant_id: a.tenantId }]);

  // Tenant B cannot restore A's row.
  const restoreMutation = `mutation($pk: JSON!) { restore(input: {target: "warden.sd_probe_notes", pk: $pk}) { result } }`;
  const attack = await gql(server, b.tokens.owner, restoreMutation, { pk: { id: 2 } });
  expect(attack.body.errors?.[0]?.extensions?.code).toBe("not_found");
  // Client mistakes are 4xx problems, never internal errors.
  const noTable = await gql(server, a.tokens.admin, restoreMutation.replace("warden.sd_probe_notes", "warden.no_such_table"), { pk: { id: 2 } });
  expect(noTable.body.errors?.[0]?.extensions?.code).toBe("invalid_input");
  const notEnabled = await gql(server, a.tokens.admin, restoreMutation.replace("warden.sd_probe_notes", "warden.projects"), { pk: { id: 2 } });
  expect(notEnabled.body.errors?.[0]?.extensions?.code).toBe("invalid_input");
  expect(await bodies(a.tokens.admin)).toEqual(["kept"]);
  // A can.
  const ok = await gql(server, a.tokens.admin, restoreMutation, { pk: { id: 2 } });
  expect(ok.body.errors).toBeUndefined();
  expect(ok.body.data.restore.result).toBe(true);
  expect(await bodies(a.tokens.admin)).toEqual(["kept", "gone"]);
  expect(await bodies(b.tokens.owner)).toEqual(["other"]);
});
