import { ownerPool, closePools } from "../support/db";
test("schema", async () => {
  const { rows } = await ownerPool().query("select to_regclass('warden.subscriptions') as t");
  expect(rows[0].t).toBe("warden.subscriptions");
  await closePools();
});
