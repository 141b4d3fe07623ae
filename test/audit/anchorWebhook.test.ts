/**
 * The webhook anchor sink (issue 13 §3): each signed checkpoint POSTed,
 * signed per Standard Webhooks, to a real local receiver that verifies the
 * signature; a failed POST is sent again by the next pass; the SSRF guard
 * of notifications refuses a private address unless the operator allowed
 * it the same way (WARDEN_NOTIFY_ALLOW_PRIVATE=true).
 */
import http from "node:http";
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { sealOnce } from "../../src/audit/sealer";
import {
  ANCHOR_FORMAT,
  FileAnchorSink,
  WebhookAnchorSink,
  anchorCheckpoints,
  anchorConfigFromEnv,
  anchorSignatureValid,
  makeSinks,
  readAnchors,
  type AnchorRecord,
} from "../../src/audit/anchors";
import { closeWebhookAgents } from "../../src/notify/webhook";
import { closePools, createTenant, ownerPool, testSealingKey } from "../support/db";
import type { WardenConfig } from "../../src/config";
import { makeSealTask } from "../../tasks/sealAuditEvents";

const key = testSealingKey();
const secret = `whsec_${randomBytes(32).toString("base64")}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-anchor-webhook-"));
const config = { stateDir: tmp } as WardenConfig;

/** A receiver that checks every signature, and answers `status` (a test changes it). */
let status = 200;
const received: { record: AnchorRecord; id: string; contentType: string }[] = [];
let refusedSignatures = 0;
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    try {
      const record = new Webhook(secret).verify(body, req.headers as Record<string, string>) as AnchorRecord;
      if (status >= 200 && status < 300) received.push({ record, id: String(req.headers["webhook-id"]), contentType: String(req.headers["content-type"]) });
    } catch {
      refusedSignatures++;
      res.writeHead(401).end();
      return;
    }
    res.writeHead(status).end();
  });
});
let url: string;

beforeAll(async () => {
  // a port below the ephemeral range (32768-60999), derived from this run's embedded port
  const port = Number(process.env.WARDEN_TEST_EMBEDDED_PORT ?? 25000) + 7;
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", () => resolve()));
  url = `http://127.0.0.1:${port}/anchors?token=abc`;
});

afterAll(async () => {
  closeWebhookAgents();
  await new Promise((r) => server.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
  await closePools();
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { WARDEN_ANCHOR_FILE: path.join(tmp, "anchors.jsonl"), WARDEN_ANCHOR_WEBHOOK_URL: url, WARDEN_ANCHOR_WEBHOOK_SECRET: secret, ...extra };
}

/** A tenant with a sealed, signed checkpoint. */
async function sealedTenant(): Promise<{ tenant: string; lastSeq: number }> {
  const c = await ownerPool().connect();
  try {
    const tenant = await createTenant(c);
    await c.query(
      `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, event_data)
       select $1, 'anchor.webhook.done', 'anchor', 'done', 'service', 'svc', jsonb_build_object('i', g) from generate_series(1, 4) g`,
      [tenant],
    );
    await sealOnce(c, key);
    const { rows } = await c.query("select max(last_seq)::int as s from warden_private.seal_checkpoints where tenant_key = $1", [tenant]);
    return { tenant, lastSeq: rows[0].s };
  } finally {
    c.release();
  }
}

async function webhookPosition(sinkName: string, tenant: string): Promise<number | null> {
  const { rows } = await ownerPool().query("select last_seq::int as s from warden_private.checkpoint_anchors where sink = $1 and tenant_key = $2", [sinkName, tenant]);
  return rows.length ? rows[0].s : null;
}

test("the configuration: a URL needs a whsec_ secret; a malformed URL or secret is refused with a message naming the variable", () => {
  expect(anchorConfigFromEnv(config, "db", { WARDEN_ANCHOR_FILE: "/x" }).webhook).toBeUndefined();
  expect(() => anchorConfigFromEnv(config, "db", { WARDEN_ANCHOR_WEBHOOK_URL: url })).toThrow(/WARDEN_ANCHOR_WEBHOOK_SECRET/);
  expect(() => anchorConfigFromEnv(config, "db", env({ WARDEN_ANCHOR_WEBHOOK_SECRET: "hunter2" }))).toThrow(/whsec_/);
  expect(() => anchorConfigFromEnv(config, "db", env({ WARDEN_ANCHOR_WEBHOOK_SECRET: `whsec_${randomBytes(8).toString("base64")}` }))).toThrow(/24 to 64/);
  expect(() => anchorConfigFromEnv(config, "db", env({ WARDEN_ANCHOR_WEBHOOK_URL: "ftp://example.com/x" }))).toThrow(/WARDEN_ANCHOR_WEBHOOK_URL: only http/);
  expect(() => anchorConfigFromEnv(config, "db", env({ WARDEN_ANCHOR_WEBHOOK_URL: "https://u:p@example.com/x" }))).toThrow(/credentials/);
  expect(() => anchorConfigFromEnv(config, "db", env({ WARDEN_ANCHOR_WEBHOOK_TIMEOUT_MS: "0" }))).toThrow(/WARDEN_ANCHOR_WEBHOOK_TIMEOUT_MS/);
  const cfg = anchorConfigFromEnv(config, "db", env({ WARDEN_NOTIFY_ALLOW_PRIVATE: "true" }));
  expect(cfg.webhook).toMatchObject({ url, secret, timeoutMs: 5000, allowPrivate: true });
  const sinks = makeSinks(cfg);
  expect(sinks.map((s) => s.name)).toEqual([`file:${path.join(tmp, "anchors.jsonl")}`, `webhook:${new URL(url).origin}/anchors`]);
});

test("each new checkpoint is POSTed as its signed anchor record; the receiver verifies the Standard Webhooks signature", async () => {
  const { tenant, lastSeq } = await sealedTenant();
  const sinks = makeSinks(anchorConfigFromEnv(config, "db", env({ WARDEN_NOTIFY_ALLOW_PRIVATE: "true" })));
  const hook = sinks[1];
  const result = await anchorCheckpoints(ownerPool() as unknown as import("pg").ClientBase, sinks);
  expect(result.failed).toEqual({});
  expect(result.written[hook.name]).toBeGreaterThanOrEqual(1);
  const mine = received.filter((r) => r.record.tenant_key === tenant);
  expect(mine).toHaveLength(1);
  const { record, id, contentType } = mine[0];
  expect(contentType).toBe("application/json");
  expect(record).toMatchObject({ format: ANCHOR_FORMAT, tenant_id: tenant, last_seq: lastSeq, checkpoint_id: `${tenant}:${lastSeq}` });
  expect(id).toBe(`${record.database}:${record.checkpoint_id}`);
  // the body is the record the file holds, its checkpoint signature valid with the seal key
  expect(anchorSignatureValid(key, record)).toBe(true);
  const fromFile = (await (sinks[0] as FileAnchorSink).readLatest(record.database)).find((r) => r.tenant_key === tenant);
  expect(fromFile).toMatchObject({ checkpoint_id: record.checkpoint_id, head_hash: record.head_hash, signature: record.signature });
  expect(await webhookPosition(hook.name, tenant)).toBe(lastSeq);
  expect(refusedSignatures).toBe(0);
  // nothing new: nothing sent again
  const again = await anchorCheckpoints(ownerPool() as unknown as import("pg").ClientBase, sinks);
  expect(again.written[hook.name]).toBe(0);
  expect(received.filter((r) => r.record.tenant_key === tenant)).toHaveLength(1);
  // write-only: verify reads its anchors from the other sinks
  const view = await readAnchors(sinks, record.database, key);
  expect(view.sources).toEqual([sinks[0].name]);
});

test("a failed POST leaves the sink's position: the next pass sends it again, the file sink is not held back", async () => {
  const { tenant, lastSeq } = await sealedTenant();
  const sinks = makeSinks(anchorConfigFromEnv(config, "db", env({ WARDEN_NOTIFY_ALLOW_PRIVATE: "true" })));
  const hook = sinks[1];
  status = 503;
  try {
    const failed = await anchorCheckpoints(ownerPool() as unknown as import("pg").ClientBase, sinks);
    expect(failed.failed[hook.name]).toMatch(/HTTP 503/);
    expect(failed.failed[sinks[0].name]).toBeUndefined();
    expect(await webhookPosition(hook.name, tenant)).toBeNull();
    expect(await webhookPosition(sinks[0].name, tenant)).toBe(lastSeq);
  } finally {
    status = 200;
  }
  const retried = await anchorCheckpoints(ownerPool() as unknown as import("pg").ClientBase, sinks);
  expect(retried.failed).toEqual({});
  expect(received.filter((r) => r.record.tenant_key === tenant).map((r) => r.record.last_seq)).toEqual([lastSeq]);
  expect(await webhookPosition(hook.name, tenant)).toBe(lastSeq);
});

test("a receiver that does not answer fails the POST after the timeout and keeps the sink's position", async () => {
  const { tenant } = await sealedTenant();
  const silent = http.createServer(() => undefined); // reads the request, never answers
  const port = Number(process.env.WARDEN_TEST_EMBEDDED_PORT ?? 25000) + 8;
  await new Promise<void>((resolve) => silent.listen(port, "127.0.0.1", () => resolve()));
  try {
    const sink = new WebhookAnchorSink({ url: `http://127.0.0.1:${port}/`, secret, timeoutMs: 300, allowPrivate: true, maxResponseBytes: 1024 });
    const r = await anchorCheckpoints(ownerPool() as unknown as import("pg").ClientBase, [sink]);
    expect(r.failed[sink.name]).toMatch(/timed out after 300 ms/);
    expect(await webhookPosition(sink.name, tenant)).toBeNull();
  } finally {
    closeWebhookAgents();
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
  }
});

test("SSRF: a loopback or private address is refused unless WARDEN_NOTIFY_ALLOW_PRIVATE=true; nothing reaches it", async () => {
  const { tenant } = await sealedTenant();
  const before = received.length;
  for (const target of [url, "http://10.0.0.1/anchors", "http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/x"]) {
    const cfg = anchorConfigFromEnv(config, "db", env({ WARDEN_ANCHOR_WEBHOOK_URL: target }));
    expect(cfg.webhook!.allowPrivate).toBe(false);
    const sink = new WebhookAnchorSink(cfg.webhook!);
    const r = await anchorCheckpoints(ownerPool() as unknown as import("pg").ClientBase, [sink]);
    expect(r.failed[sink.name]).toMatch(/refused .*(loopback|private|linkLocal)/);
    expect(await webhookPosition(sink.name, tenant)).toBeNull();
  }
  expect(received.length).toBe(before);
});

test("the worker refuses to start with a malformed anchor webhook setting, naming the variable", () => {
  const saved = { url: process.env.WARDEN_ANCHOR_WEBHOOK_URL, secret: process.env.WARDEN_ANCHOR_WEBHOOK_SECRET };
  try {
    process.env.WARDEN_ANCHOR_WEBHOOK_URL = url;
    delete process.env.WARDEN_ANCHOR_WEBHOOK_SECRET;
    expect(() => makeSealTask(key)).toThrow(/WARDEN_ANCHOR_WEBHOOK_SECRET/);
    process.env.WARDEN_ANCHOR_WEBHOOK_SECRET = secret;
    expect(typeof makeSealTask(key)).toBe("function");
  } finally {
    for (const [k, v] of [["WARDEN_ANCHOR_WEBHOOK_URL", saved.url], ["WARDEN_ANCHOR_WEBHOOK_SECRET", saved.secret]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
