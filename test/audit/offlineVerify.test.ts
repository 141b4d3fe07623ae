/**
 * Offline verification of an export (issue 13, section 4): export with
 * proofs, verify the file with only the public key, and attack the file
 * (change a field, drop a line, reorder, forge a signature, wrong key).
 * The export covers a GDPR-erased subject and retention-purged events
 * (row path and partition path), which still verify through their signed
 * records. The TypeScript canonical forms are checked against the SQL ones
 * on events of every shape.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash, generateKeyPairSync, randomUUID } from "node:crypto";
import type pg from "pg";
import { asTriggerlessSuperuser, closePools } from "../support/db";
import { startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";
import { runWarden } from "../support/cli";
import { sealOnce } from "../../src/audit/sealer";
import { verifyTrail } from "../../src/audit/verifier";
import { runRetention } from "../../src/retention/run";
import { verifyExportText, type OfflineReport } from "../../src/audit/offlineVerify";
import { envelopeOf, jsonbText, parseJsonExact, payloadHashOf, pgNumericText, pgTextArray } from "../../src/audit/canonical";
import { parseJson } from "../../src/audit/exactJson";

let server: TestServer;
let t: TenantFixture;
const subject = `cust-${randomUUID()}`;
let dir: string;

async function withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await server.ownerPool.connect();
  try {
    return await fn(c);
  } finally {
    c.release();
  }
}

/** Seals until every event of the tenant is in its chain. */
async function seal(tenantId: string): Promise<void> {
  await withClient(async (c) => {
    for (let attempt = 0; ; attempt++) {
      await sealOnce(c, server.sealingKey, { blockSize: 7 });
      const { rows } = await c.query(
        `select count(*)::int as n from warden.audit_events e
         where e.tenant_id = $1 and not exists (select 1 from warden_private.seal_blocks b where b.tenant_key = $1 and e.event_id = any (b.event_ids))`,
        [tenantId],
      );
      if (rows[0].n === 0) return;
      if (attempt >= 100) throw new Error(`${rows[0].n} event(s) still unsealed`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
}

const BACKFILL = `jsonb_build_object('backfill', jsonb_build_object('by', jsonb_build_object('type', 'api_key', 'id', 'test'), 'at', now()))`;

/** Events of awkward shapes: every canonical rule gets exercised. */
async function insertShapes(c: pg.ClientBase, tenant: string): Promise<void> {
  const shapes: { data: string; changed: string | null; ip: string | null; pk: string | null; actor: string; ua: string | null }[] = [
    { data: `{"n": 1.50, "e": 1e2, "big": 9007199254740993, "tiny": 0.0000001, "neg": -0, "huge": 123456789012345678901234567890, "f": -2.5e-3}`, changed: null, ip: "203.0.113.9", pk: `{"id": 1}`, actor: "u1", ua: "curl/8" },
    { data: `{"s": "quote \\" backslash \\\\ nl \\n tab \\t cr \\r bell \\u0007 del \\u007f é 😀 \\u2028", "keys": {"bb": 1, "a": 2, "é": 3, "ab": 4, "": 5}}`, changed: `{"a b","q\\"x",NULL,"","null",plain,"x,y","{z}","back\\\\slash"}`, ip: "2001:db8::1", pk: `{"id": "k-1", "n": [1, 2]}`, actor: "élan 😀", ua: null },
    { data: `{"nested": [[], {}, [null, true, false, "x"], {"z": {"y": [1, 0.10]}}]}`, changed: `{}`, ip: "10.1.0.0/16", pk: null, actor: "=1+1", ua: "Mozilla/5.0 (X11)" },
    { data: `{}`, changed: null, ip: null, pk: null, actor: subject, ua: null },
    { data: `{"email": "${subject}@example.com", "note": "subject ${subject}"}`, changed: `{email}`, ip: "198.51.100.7", pk: `{"id": 7}`, actor: "support-1", ua: null },
  ];
  for (const [i, s] of shapes.entries()) {
    await c.query(
      `insert into warden.audit_events (tenant_id, occurred_at, event_type, category, action, actor_type, actor_id, actor_ip, user_agent,
         resource_type, resource_id, correlation_id, trace_id, service, table_name, row_pk, changed_fields, old_values, new_values, event_data)
       values ($1, now() - make_interval(secs => $2::int), 'shape.event.' || $2::int, 'shape', 'do', 'user', $3, $4::inet, $5, 'customer', $6,
         'corr-' || $2::int, null, 'svc', case when $2::int % 2 = 0 then 'public.orders' end, $7::jsonb, $8::text[],
         case when $8 is not null then '{"email": "old@example.com"}'::jsonb end, case when $8 is not null then '{"email": "new@example.com"}'::jsonb end, $9::jsonb)`,
      [tenant, 60 - i, s.actor, s.ip, s.ua, i === 4 ? subject : `r-${i}`, s.pk, s.changed, s.data],
    );
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-export-"));
  server = await startTestServer();
  t = await tenantFixture(server, "Offline verify tenant");
  await withClient(async (c) => {
    await insertShapes(c, t.tenantId);
    // To be purged: a month in its own partition (partition path) and 90-day-old events (row path).
    await c.query("select warden_private.create_audit_partition('2011-08-01')");
    await c.query(
      `insert into warden.audit_events (tenant_id, occurred_at, event_type, category, action, actor_type, actor_id, event_data)
       select $1, '2011-08-02'::timestamptz + g * interval '1 minute', 'app.old.done', 'app', 'do', 'system', 'system', ${BACKFILL}
       from generate_series(1, 9) g`,
      [t.tenantId],
    );
    await c.query(
      `insert into warden.audit_events (tenant_id, occurred_at, event_type, category, action, actor_type, actor_id, event_data)
       select $1, now() - interval '90 days' + g * interval '1 minute', 'app.stale.done', 'app', 'do', 'system', 'system', ${BACKFILL}
       from generate_series(1, 11) g`,
      [t.tenantId],
    );
    await c.query(
      `insert into warden.audit_events (tenant_id, occurred_at, event_type, category, action, actor_type, actor_id, event_data)
       select $1, now() - interval '10 minutes' + g * interval '1 second', 'app.fresh.done', 'app', 'do', 'service', 'svc-' || g, jsonb_build_object('g', g)
       from generate_series(1, 25) g`,
      [t.tenantId],
    );
  });
  await seal(t.tenantId);
  // Retention purges the old month (partition) and the stale events (rows), signing its records.
  await withClient(async (c) => {
    await c.query("insert into warden_private.retention_policies (tenant_id, event_type_pattern, days) values ($1, 'app.stale.*', 30)", [t.tenantId]);
    await runRetention(c, server.sealingKey, { dryRun: false, defaultDays: 2557 });
  });
  // A GDPR erasure of one subject through the API (its records signed at once).
  const erased = await fetch(`${server.url}/api/v1/subjects/${encodeURIComponent(subject)}/erasure`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.tokens.owner}`, "content-type": "application/json" },
    body: JSON.stringify({ reason: "offline verify test" }),
  });
  expect(erased.status).toBe(200);
  await seal(t.tenantId);
});

afterAll(async () => {
  await server.close();
  await closePools();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function exportText(query = "", token = t.tokens.auditor): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/audit/export?format=jsonl&proofs=true${query}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return res.text();
}

function lines(text: string): string[] {
  return text.split("\n").filter(Boolean);
}

function reasons(r: OfflineReport): string[] {
  return [...new Set(r.problems.map((p) => p.reason))].sort();
}

test("the canonical forms computed from an export equal the database's, for events of every shape", async () => {
  const res = await fetch(`${server.url}/api/v1/audit/export?format=jsonl&include_redacted=true`, { headers: { authorization: `Bearer ${t.tokens.owner}` } });
  const events = lines(await res.text()).slice(0, -1).map((l) => parseJson(l) as any);
  expect(events.length).toBeGreaterThan(30);
  const { rows } = await server.ownerPool.query(
    `select e.event_id::text as id, warden_private.audit_envelope(e) as env, encode(warden_private.audit_payload_hash(e), 'hex') as ph
     from warden.audit_events e where e.tenant_id = $1`,
    [t.tenantId],
  );
  const db = new Map(rows.map((r) => [r.id, r]));
  for (const e of events) {
    expect(envelopeOf(e)).toBe(db.get(e.event_id)!.env);
    expect([e.event_id, payloadHashOf(e).toString("hex")]).toEqual([e.event_id, db.get(e.event_id)!.ph]);
  }
  // The printers themselves, against PostgreSQL.
  const numbers = ["1.50", "1e2", "0.0000001", "-0", "-0.0", "1E-3", "12.5e1", "123456789012345678901234567890", "0.1", "-7", "1e21", "5e-1"];
  const pgNums = (await server.ownerPool.query("select n, n::jsonb::text as t from unnest($1::text[]) n", [numbers])).rows;
  for (const r of pgNums) expect([r.n, pgNumericText(r.n)]).toEqual([r.n, r.t]);
  const arrays = [["a b", 'q"x', null, "", "null", "NULL", "plain", "x,y", "{z}", "back\\slash", "tab\there", "é"], []];
  for (const a of arrays) {
    const pgText = (await server.ownerPool.query("select $1::text[]::text as t", [a])).rows[0].t;
    expect(pgTextArray(a)).toBe(pgText);
  }
  const doc = `{"b": 1, "aa": [1, "x\\u0001"], "é": {"": null}, "a": 1.0}`;
  const docText = (await server.ownerPool.query("select $1::jsonb::text as t", [doc])).rows[0].t;
  expect(jsonbText(parseJson(doc))).toBe(docText);
  // The verifier's own parser (no JSON.rawJSON needed): every number kept exactly.
  expect(jsonbText(parseJsonExact(doc))).toBe(docText);
  const exact = `{"n": [1.50, 9007199254740993, 1e400, -0.0, 123456789012345678901234567890.10], "__proto__": {"x": "\\u00e9\\"q"}}`;
  expect(jsonbText(parseJsonExact(exact))).toBe((await server.ownerPool.query("select $1::jsonb::text as t", [exact])).rows[0].t);
  for (const bad of ["{", '{"a": 1,}', "[1 2]", '{"a": 01}', "1 1"]) expect(() => parseJsonExact(bad + " 1e5")).toThrow(SyntaxError);
});

test("an export with proofs verifies offline, erased and purged events included", async () => {
  // The database agrees the trail is whole (pruned and erased through signed records).
  const db = await withClient((c) => verifyTrail(c, server.sealingKey, { tenantId: t.tenantId }));
  expect(db).toMatchObject({ ok: true, first_bad: null });
  expect(db.events_pruned).toBe(20);
  await seal(t.tenantId); // the previous test's export event

  const text = await exportText();
  const all = lines(text);
  expect(JSON.parse(all[0]).warden_export).toMatchObject({ version: 1, proofs: true, tenant_id: t.tenantId, key_id: server.sealingKey.keyId });
  const manifest = JSON.parse(all[all.length - 1]).manifest;
  expect(manifest.sha256).toBe(createHash("sha256").update(all.slice(0, -1).map((l) => l + "\n").join("")).digest("hex"));
  expect(all.some((l) => l.startsWith('{"prune_record"'))).toBe(true);
  expect(all.some((l) => l.startsWith('{"erasure_record"'))).toBe(true);

  const report = await verifyExportText(text, server.sealingKey.publicKey);
  expect(report.problems).toEqual([]);
  expect(report).toMatchObject({ status: "ok", ok: true, tenant_id: t.tenantId, events_unsealed: 0 });
  expect(report.events).toBe(manifest.count);
  expect(report.events_verified).toBe(report.events);
  expect(report.events_erased).toBeGreaterThanOrEqual(2); // the subject's events, pseudonymised
  expect(report.positions_pruned).toBe(20); // 9 by partition, 11 by rows
  expect(report.events_payload_redacted).toBe(0);

  // A filtered export proves its events too (whole checkpoints of context).
  const filtered = await exportText("&event_type=app.fresh.done");
  const fr = await verifyExportText(filtered, server.sealingKey.publicKey);
  expect(fr.problems).toEqual([]);
  expect(fr).toMatchObject({ status: "ok", events: 25, events_verified: 25 });
});

test("tampering with the file is detected: a field, a dropped line, a reordered line, a forged signature, the wrong key", async () => {
  const text = await exportText();
  const key = server.sealingKey.publicKey;
  const all = lines(text);
  const firstEvent = all.findIndex((l, i) => i > 0 && JSON.parse(l).event_id === undefined === false);
  const eventIdx = all.findIndex((l) => l.includes('"app.fresh.done"'));
  const join = (ls: string[]) => ls.join("\n") + "\n";
  const rehash = (ls: string[]) => {
    // The attacker recomputes the manifest's count and hash (it cannot sign them).
    const body = ls.slice(0, -1);
    const m = JSON.parse(ls[ls.length - 1]).manifest;
    m.sha256 = createHash("sha256").update(body.map((l) => l + "\n").join("")).digest("hex");
    m.count = body.filter((l) => JSON.parse(l).event_id !== undefined).length;
    return join([...body, JSON.stringify({ manifest: m })]);
  };
  expect(firstEvent).toBe(1);

  // 1. a changed field: the event no longer hashes to its sealed position (and the manifest breaks).
  const changed = [...all];
  const ev = JSON.parse(changed[eventIdx]);
  ev.actor_id = "someone-else";
  changed[eventIdx] = JSON.stringify(ev);
  let r = await verifyExportText(join(changed), key);
  expect(r.status).toBe("tampered");
  expect(r.problems).toEqual(expect.arrayContaining([expect.objectContaining({ reason: "modified", event_id: ev.event_id }), expect.objectContaining({ reason: "manifest" })]));
  r = await verifyExportText(rehash(changed), key);
  expect(r.problems).toEqual(expect.arrayContaining([expect.objectContaining({ reason: "modified", event_id: ev.event_id }), expect.objectContaining({ reason: "manifest" })]));
  // ... and changing the proof to match breaks the chain instead.
  const both = [...changed];
  const blockIdx = both.findIndex((l) => l.startsWith('{"block"') && l.includes(ev.event_id));
  const block = JSON.parse(both[blockIdx]);
  const pos = block.block.positions.find((p: string[]) => p[0] === ev.event_id);
  pos[3] = payloadHashOf(ev).toString("hex");
  both[blockIdx] = JSON.stringify(block);
  r = await verifyExportText(rehash(both), key);
  expect(r.ok).toBe(false);
  expect(reasons(r)).toEqual(expect.arrayContaining(["manifest", "modified"]));

  // 2. a dropped event line
  const dropped = all.filter((_, i) => i !== eventIdx);
  r = await verifyExportText(join(dropped), key);
  expect(r).toMatchObject({ ok: false, status: "tampered" });
  expect(reasons(r)).toContain("manifest");
  expect((await verifyExportText(rehash(dropped), key)).problems).toEqual([expect.objectContaining({ reason: "manifest", detail: expect.stringMatching(/signature/) })]);
  // the manifest itself dropped: the file was cut short
  expect((await verifyExportText(join(all.slice(0, -1)), key)).problems).toEqual([expect.objectContaining({ reason: "manifest", detail: expect.stringMatching(/missing/) })]);

  // 3. two lines swapped
  const reordered = [...all];
  [reordered[eventIdx], reordered[eventIdx + 1]] = [reordered[eventIdx + 1], reordered[eventIdx]];
  r = await verifyExportText(join(reordered), key);
  expect(r.ok).toBe(false);
  expect(reasons(r)).toContain("manifest");

  // 4. a forged checkpoint signature
  const forged = [...all];
  const cpIdx = forged.findIndex((l) => l.startsWith('{"checkpoint"'));
  const cp = JSON.parse(forged[cpIdx]);
  const sig = Buffer.from(cp.checkpoint.signature, "base64");
  sig[5] ^= 0xff;
  cp.checkpoint.signature = sig.toString("base64");
  forged[cpIdx] = JSON.stringify(cp);
  r = await verifyExportText(rehash(forged), key);
  expect(r.ok).toBe(false);
  expect(reasons(r)).toEqual(expect.arrayContaining(["bad_signature", "manifest"]));
  // a forged erasure record signature
  const forgedErasure = [...all];
  const erIdx = forgedErasure.findIndex((l) => l.startsWith('{"erasure_record"'));
  const er = JSON.parse(forgedErasure[erIdx]);
  er.erasure_record.signature = Buffer.alloc(64, 7).toString("base64");
  forgedErasure[erIdx] = JSON.stringify(er);
  r = await verifyExportText(join(forgedErasure), key);
  expect(reasons(r)).toEqual(expect.arrayContaining(["bad_signature", "modified"]));
  // a prune record removed: its purged positions are now missing
  const noPrune = all.filter((l) => !l.startsWith('{"prune_record"'));
  expect(reasons(await verifyExportText(rehash(noPrune), key))).toEqual(expect.arrayContaining(["manifest", "missing"]));

  // 5. the wrong key: nothing verifies
  const other = generateKeyPairSync("ed25519").publicKey;
  r = await verifyExportText(text, other);
  expect(r.ok).toBe(false);
  expect(reasons(r)).toEqual(expect.arrayContaining(["key_mismatch", "manifest", "bad_signature"]));
  expect(r.checkpoints_verified).toBe(0);
});

test("an event a superuser changed in the database before the export is caught offline, and so is a deleted one", async () => {
  const victim = (
    await server.ownerPool.query("select event_id::text as id, event_data from warden.audit_events where tenant_id = $1 and event_type = 'app.fresh.done' order by occurred_at limit 1", [
      t.tenantId,
    ])
  ).rows[0];
  // Tests run one file at a time (--runInBand): the change is undone below, before any other file verifies the database.
  await asTriggerlessSuperuser((su) => su.query("update warden.audit_events set event_data = '{\"g\": 999}' where event_id = $1", [victim.id]), true);
  try {
    const r = await verifyExportText(await exportText("&event_type=app.fresh.done"), server.sealingKey.publicKey);
    expect(r.status).toBe("tampered");
    expect(r.problems).toEqual(expect.arrayContaining([expect.objectContaining({ reason: "modified", event_id: victim.id })]));
  } finally {
    await asTriggerlessSuperuser((su) => su.query("update warden.audit_events set event_data = $2 where event_id = $1", [victim.id, victim.event_data]), true);
  }
  expect((await verifyExportText(await exportText("&event_type=app.fresh.done"), server.sealingKey.publicKey)).status).toBe("ok");
  // A sealed event deleted without a prune record: its position is missing (restored afterwards, as it was).
  const saved = (await server.ownerPool.query("select to_jsonb(e) as row from warden.audit_events e where e.event_id = $1", [victim.id])).rows[0].row;
  await asTriggerlessSuperuser((su) => su.query("delete from warden.audit_events where event_id = $1", [victim.id]), true);
  try {
    const gone = await verifyExportText(await exportText("&event_type=app.fresh.done"), server.sealingKey.publicKey);
    expect(gone.status).toBe("tampered");
    expect(gone.problems).toEqual(expect.arrayContaining([expect.objectContaining({ reason: "missing", event_id: victim.id })]));
  } finally {
    await asTriggerlessSuperuser(
      (su) => su.query("insert into warden.audit_events select * from jsonb_populate_record(null::warden.audit_events, $1::jsonb)", [JSON.stringify(saved)]),
      true,
    );
  }
  expect((await verifyExportText(await exportText("&event_type=app.fresh.done"), server.sealingKey.publicKey)).status).toBe("ok");
});

test("an export without proofs cannot be verified, and proofs need JSONL", async () => {
  const res = await fetch(`${server.url}/api/v1/audit/export?format=jsonl`, { headers: { authorization: `Bearer ${t.tokens.auditor}` } });
  const r = await verifyExportText(await res.text(), server.sealingKey.publicKey);
  expect(r.ok).toBe(false);
  expect(reasons(r)).toEqual(expect.arrayContaining(["malformed"]));
  for (const q of ["format=csv&proofs=true", "format=jsonl&proofs=yes"]) {
    const bad = await fetch(`${server.url}/api/v1/audit/export?${q}`, { headers: { authorization: `Bearer ${t.tokens.auditor}` } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).code).toBe("invalid_query");
  }
});

test("events not yet sealed make the export incomplete, not tampered", async () => {
  await server.ownerPool.query(
    "insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id) values ($1, 'late.event.done', 'late', 'done', 'service', 'x')",
    [t.tenantId],
  );
  const r = await verifyExportText(await exportText("&event_type=late.event.done"), server.sealingKey.publicKey);
  expect(r).toMatchObject({ status: "incomplete", ok: false, events: 1, events_unsealed: 1, problems: [] });
  await seal(t.tenantId);
  expect(await verifyExportText(await exportText("&event_type=late.event.done"), server.sealingKey.publicKey)).toMatchObject({ status: "ok", events_verified: 1 });
});

test("a redacted export verifies every envelope and position; the public key is served", async () => {
  // A redaction rule: auditors read event_data.g masked.
  await withClient(async (c) => {
    await c.query("begin");
    try {
      await c.query(
        `select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.actor_id', $2, true),
                set_config('jwt.claims.actor_type', 'user', true), set_config('jwt.claims.tenant_role', 'owner', true)`,
        [t.tenantId, t.users.owner],
      );
      await c.query("set local role warden_visitor");
      await c.query(`select warden.set_redaction_policy('log', '[{"field": "event_data", "path": "g", "method": "mask"}]'::jsonb)`);
      await c.query("commit");
    } catch (err) {
      await c.query("rollback");
      throw err;
    }
  });
  const text = await exportText("&event_type=app.fresh.done");
  const first = JSON.parse(lines(text)[1]);
  expect(first.redacted_fields).toBeTruthy();
  const r = await verifyExportText(text, server.sealingKey.publicKey);
  expect(r.problems).toEqual([]);
  expect(r).toMatchObject({ status: "ok", events: 25, events_verified: 25, events_payload_redacted: 25 });

  const pk = await fetch(`${server.url}/api/v1/audit/public-key`, { headers: { authorization: `Bearer ${t.tokens.member}` } });
  expect(pk.status).toBe(200);
  const body = (await pk.json()) as any;
  expect(body).toMatchObject({ algorithm: "Ed25519", key_id: server.sealingKey.keyId });
  expect(body.public_key_pem).toBe(server.sealingKey.publicKey.export({ type: "spki", format: "pem" }).toString());
  expect((await fetch(`${server.url}/api/v1/audit/public-key`)).status).toBe(401);
});

test("warden verify-export FILE --public-key KEY: exit 0 when whole, 1 with a report when tampered; warden public-key", async () => {
  const keyOut = await runWarden({}, "public-key");
  expect(keyOut.code).toBe(0);
  const keyFile = path.join(dir, "seal.pub.pem");
  fs.writeFileSync(keyFile, keyOut.stdout);
  expect(keyOut.stdout.trim()).toBe(server.sealingKey.publicKey.export({ type: "spki", format: "pem" }).toString().trim());

  const file = path.join(dir, "export.jsonl");
  const text = await exportText("&event_type=app.fresh.done");
  fs.writeFileSync(file, text);
  const ok = await runWarden({}, "verify-export", file, "--public-key", keyFile);
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/^OK: /);
  const okJson = await runWarden({}, "verify-export", file, "--public-key", keyFile, "--json");
  expect(JSON.parse(okJson.stdout)).toMatchObject({ status: "ok", ok: true, events: 25, events_verified: 25 });

  const tampered = path.join(dir, "tampered.jsonl");
  const tamperedLines = text.split("\n");
  tamperedLines[1] = tamperedLines[1].replace('"app.fresh.done"', '"app.fresh.DONE"');
  fs.writeFileSync(tampered, tamperedLines.join("\n"));
  const bad = await runWarden({}, "verify-export", tampered, "--public-key", keyFile);
  expect(bad.code).toBe(1);
  expect(bad.stdout).toMatch(/^TAMPERED: /);
  expect(bad.stdout).toMatch(/modified .*event /);
  const badJson = await runWarden({}, "verify-export", tampered, "--public-key", keyFile, "--json");
  expect(badJson.code).toBe(1);
  expect(JSON.parse(badJson.stdout)).toMatchObject({ status: "tampered", ok: false });

  const wrongKey = path.join(dir, "other.pem");
  fs.writeFileSync(wrongKey, generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }));
  const wrong = await runWarden({}, "verify-export", file, "--public-key", wrongKey);
  expect(wrong.code).toBe(1);
  expect(wrong.stdout).toMatch(/key_mismatch/);

  expect((await runWarden({}, "verify-export", file)).code).toBe(2);
  expect((await runWarden({}, "verify-export", path.join(dir, "nope.jsonl"), "--public-key", keyFile)).code).toBe(2);
  fs.writeFileSync(path.join(dir, "notakey.pem"), "hello");
  expect((await runWarden({}, "verify-export", file, "--public-key", path.join(dir, "notakey.pem"))).code).toBe(2);
});
