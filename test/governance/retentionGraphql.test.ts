/**
 * Retention policies and legal holds through GraphQL: tenant owners and
 * admins manage them, others are refused with a stable code, and the
 * retention run itself is not part of the API.
 */
import { gql, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";
import { closePools } from "../support/db";

let server: TestServer;
let t: TenantFixture;

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "retention graphql");
});

afterAll(async () => {
  await server.close();
  await closePools();
});

test("an admin sets a policy and places and releases a legal hold; a member cannot", async () => {
  const set = await gql(server, t.tokens.admin, `mutation { setRetentionPolicy(input: {eventTypePattern: "gateway.*", days: 90}) { result } }`);
  expect(set.body.errors).toBeUndefined();
  const policy = await server.ownerPool.query("select days from warden_private.retention_policies where tenant_id = $1 and event_type_pattern = 'gateway.*'", [
    t.tenantId,
  ]);
  expect(policy.rows).toEqual([{ days: 90 }]);

  const bad = await gql(server, t.tokens.admin, `mutation { setRetentionPolicy(input: {eventTypePattern: "*", days: 9000}) { result } }`);
  expect(bad.body.errors[0].extensions.code).toBeDefined();
  expect(bad.body.errors[0].extensions.code).not.toBe("internal_error");

  const hold = await gql(server, t.tokens.owner, `mutation { placeLegalHold(input: {reason: "case 1", correlationId: "req-1"}) { result } }`);
  expect(hold.body.errors).toBeUndefined();
  const holdId = hold.body.data.placeLegalHold.result;
  const release = await gql(server, t.tokens.admin, `mutation($id: UUID!) { releaseLegalHold(input: {holdId: $id}) { result } }`, { id: holdId });
  expect(release.body.errors).toBeUndefined();
  expect(release.body.data.releaseLegalHold.result).toBe(true);

  for (const role of ["member", "auditor", "support"]) {
    const denied = await gql(server, t.tokens[role], `mutation { placeLegalHold(input: {reason: "nope"}) { result } }`);
    expect(denied.body.errors[0].extensions.code).toBe("forbidden");
  }
  const holds = await server.ownerPool.query("select count(*)::int as n from warden_private.legal_holds where tenant_id = $1", [t.tenantId]);
  expect(holds.rows[0].n).toBe(1);
});

test("retention itself and the governance functions are not in the GraphQL schema", async () => {
  const r = await gql(server, t.tokens.owner, `{ __schema { queryType { fields { name } } mutationType { fields { name } } } }`);
  const names = [...r.body.data.__schema.queryType.fields, ...r.body.data.__schema.mutationType.fields].map((f: { name: string }) => f.name);
  expect(names).toEqual(expect.arrayContaining(["setRetentionPolicy", "removeRetentionPolicy", "placeLegalHold", "releaseLegalHold"]));
  expect(names.filter((n: string) => /applyRetention|governance|pruneRecord/i.test(n))).toEqual([]);
});
