/**
 * GET /api/v1/audit/verify compares the tenant's head with its newest
 * checkpoint anchored outside the database (the file WARDEN_ANCHOR_FILE
 * names here): ok while they agree, truncated with the missing range when
 * the anchor is ahead of the database. The anchor ahead is made by signing
 * a later checkpoint with the seal key, which is what the database would
 * look like after losing its tail, without touching the shared database.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sealOnce } from "../../src/audit/sealer";
import { signCheckpoint } from "../../src/audit/checkpoint";
import { ANCHOR_FORMAT, anchorFromEnv, closeAnchorSinks } from "../../src/audit/anchors";
import { loadConfig } from "../../src/config";
import { closePools } from "../support/db";
import { startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-http-anchors-"));
const file = path.join(dir, "anchors.jsonl");
const previous = process.env.WARDEN_ANCHOR_FILE;

beforeAll(async () => {
  process.env.WARDEN_ANCHOR_FILE = file;
  server = await startTestServer();
  t = await tenantFixture(server, "Anchored API tenant");
});

afterAll(async () => {
  if (previous === undefined) delete process.env.WARDEN_ANCHOR_FILE;
  else process.env.WARDEN_ANCHOR_FILE = previous;
  await closeAnchorSinks();
  await server.close();
  await closePools();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function verify(): Promise<any> {
  const res = await fetch(`${server.url}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${t.tokens.auditor}` } });
  expect(res.status).toBe(200);
  return res.json();
}

test("the API reports truncated, with the missing range, when the anchor is ahead of the database", async () => {
  const c = await server.ownerPool.connect();
  let head: number;
  try {
    await c.query(
      `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id)
       select $1, 'anchor.api.done', 'anchor', 'done', 'service', 'svc' from generate_series(1, 3)`,
      [t.tenantId],
    );
    await sealOnce(c, server.sealingKey);
    const anchored = await anchorFromEnv(c, loadConfig());
    expect(anchored.failed).toEqual({});
    head = (await c.query("select last_seq::int as s from warden_private.seal_heads where tenant_key = $1", [t.tenantId])).rows[0].s;
  } finally {
    c.release();
  }
  expect(await verify()).toMatchObject({ ok: true, status: "ok", anchors_checked: 1, truncated: [] });

  // an anchor the database has lost the tail of: signed by the seal key, 5 events further
  const last = JSON.parse(fs.readFileSync(file, "utf8").trim().split("\n").filter((l) => JSON.parse(l).tenant_key === t.tenantId).pop()!);
  const ahead = { tenantKey: t.tenantId, firstSeq: BigInt(head + 1), lastSeq: BigInt(head + 5), headHash: Buffer.alloc(32, 7), signedAt: new Date() };
  fs.appendFileSync(
    file,
    JSON.stringify({
      ...last,
      format: ANCHOR_FORMAT,
      checkpoint_id: `${t.tenantId}:${head + 5}`,
      first_seq: head + 1,
      last_seq: head + 5,
      head_hash: ahead.headHash.toString("hex"),
      signed_at: ahead.signedAt.toISOString(),
      signature: signCheckpoint(server.sealingKey, ahead).toString("base64"),
    }) + "\n",
  );
  const report = await verify();
  expect(report).toMatchObject({
    ok: false,
    status: "truncated",
    truncated: [{ tenant_id: t.tenantId, anchored_seq: head + 5, database_seq: head, missing_from: head + 1, missing_to: head + 5 }],
  });
  expect(report.message).toMatch(/^TRUNCATED: /);
});
