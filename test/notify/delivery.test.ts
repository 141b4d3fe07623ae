/**
 * Delivery under duress: the worker killed mid-delivery resumes where it
 * stopped (at least once, in order, nothing lost); the JetStream channel
 * publishes to warden.<tenant>.<event_type> with Nats-Msg-Id = event_id so
 * the broker drops a redelivered duplicate; DNS rebinding to 127.0.0.1 at
 * connect time is refused. Needs NATS with JetStream on 127.0.0.1:4222.
 */
import dgram from "node:dgram";
import { spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager, jetstream, AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";
import { ownerUrl, withPlansLogged } from "../support/db";
import { WARDEN_BIN } from "../support/cli";
import { checkWebhookUrl, closeWebhookAgents, postWebhook } from "../../src/notify/webhook";
import { closeJetStream, jetStreamLink, NATS_START_HINT, publishBatch, readAck, streamNameFor } from "../../src/notify/jetstream";
import { deliverAll, dispatchAll, startReceiver, testSettings, writeEvents, type Receiver } from "./support";

let server: TestServer;
let t: TenantFixture;
let rx: Receiver;
const NATS = "nats://127.0.0.1:4222";

async function api(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  process.env.WARDEN_NOTIFY_ALLOW_PRIVATE = "true";
  server = await startTestServer();
  delete process.env.WARDEN_NOTIFY_ALLOW_PRIVATE;
  t = await tenantFixture(server, "notify-delivery");
  rx = await startReceiver();
});

afterAll(async () => {
  closeWebhookAgents();
  await closeJetStream();
  await rx.close();
  await server.close();
});

test("the worker killed mid-delivery resumes where it stopped: every event at least once, in order", async () => {
  const created = await api("POST", "/subscriptions", t.tokens.owner, { name: "crash", channel: "webhook", webhook_url: rx.url, filter: { event_type: "crash.test" } });
  expect(created.status).toBe(201);
  // Several transactions, so the trail order spans them.
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push(...(await writeEvents(server.ownerPool, t.tenantId, 50, "crash.test")).sort());
  rx.received.length = 0;
  // A slow receiver, so the kill lands mid-batch.
  rx.delayMs = 10;
  const env = { ...process.env, DATABASE_URL: ownerUrl(), WARDEN_NOTIFY_ALLOW_PRIVATE: "true", WORKER_CONCURRENCY: "4",
    WARDEN_NOTIFY_BATCH: "20", WARDEN_NOTIFY_BUDGET_MS: "300", WARDEN_NOTIFY_STALE_LOCK_SECONDS: "3" };
  const startWorker = () => spawn(process.execPath, [WARDEN_BIN, "worker", "--json"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let worker = startWorker();
  let stderr = "";
  worker.stderr!.on("data", (d) => (stderr += d));
  worker.stdout!.resume();
  const deadline = Date.now() + 60_000;
  try {
    while (rx.received.length < 20) {
      if (Date.now() > deadline) throw new Error(`the worker delivered ${rx.received.length} in 60 s; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    worker.kill("SIGKILL");
  }
  await new Promise((r) => worker.once("exit", r));
  const atKill = rx.received.length;
  expect(atKill).toBeLessThan(200);
  // A worker killed with jobs locked: graphile-worker only frees them after 4 hours; a
  // restarted deployment frees them at once (src/worker/runner.ts forgets dead workers' locks).
  worker = startWorker();
  worker.stderr!.on("data", (d) => (stderr += d));
  worker.stdout!.resume();
  try {
    for (;;) {
      const { rows } = await server.ownerPool.query(
        "select count(*) filter (where status = 'delivered')::int as done from warden.notification_deliveries where subscription_id = $1",
        [created.body.id],
      );
      if (rows[0].done === 200) break;
      if (Date.now() > deadline + 60_000) throw new Error(`only ${rows[0].done} of 200 delivered after the restart; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    worker.kill("SIGTERM");
    await new Promise((r) => worker.once("exit", r));
  }
  rx.delayMs = 0;
  const got = rx.received.map((r) => String(r.headers["webhook-id"]));
  // Nothing lost; duplicates only for what was in flight at the kill (receivers dedupe by webhook-id).
  expect(new Set(got)).toEqual(new Set(ids));
  const first: string[] = [];
  for (const id of got) if (!first.includes(id)) first.push(id);
  expect(first).toEqual(ids);
  expect(got.length - 200).toBeLessThanOrEqual(atKill);
}, 180_000);

test("JetStream: subjects warden.<tenant>.<event_type>, Nats-Msg-Id = event_id, a redelivery is a broker-side duplicate", async () => {
  let nc;
  try {
    nc = await connect({ servers: NATS, timeout: 2000 });
  } catch (err) {
    throw new Error(`this test needs NATS with JetStream on 127.0.0.1:4222 (${(err as Error).message}); ${NATS_START_HINT}`);
  }
  const prefix = `wt${Date.now().toString(36)}`;
  const jsm = await jetstreamManager(nc);
  try {
    const created = await api("POST", "/subscriptions", t.tokens.owner, { name: "js", channel: "jetstream", jetstream_subject_prefix: prefix, filter: { event_type: "stream.*" } });
    expect(created.status).toBe(201);
    expect(created.body.secret).toBeUndefined();
    const ids = (await writeEvents(server.ownerPool, t.tenantId, 30, "stream.item.added")).sort();
    await dispatchAll(server.ownerPool);
    await deliverAll(server.ownerPool, created.body.id, testSettings({ natsUrl: NATS }));
    const stream = streamNameFor(prefix);
    expect((await jsm.streams.info(stream)).state.messages).toBe(30);
    // Redeliver one: the broker drops it as a duplicate of its Nats-Msg-Id.
    expect((await api("POST", `/subscriptions/${created.body.id}/deliveries/${ids[5]}/redeliver`, t.tokens.owner)).status).toBe(202);
    await deliverAll(server.ownerPool, created.body.id, testSettings({ natsUrl: NATS }));
    expect((await jsm.streams.info(stream)).state.messages).toBe(30);
    // A consumer reads them in order.
    await jsm.consumers.add(stream, { durable_name: "reader", ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
    const consumer = await jetstream(nc).consumers.get(stream, "reader");
    const msgs = await consumer.fetch({ max_messages: 30, expires: 5000 });
    const seen: { subject: string; id: string | undefined; body: any }[] = [];
    for await (const m of msgs) {
      seen.push({ subject: m.subject, id: m.headers?.get("Nats-Msg-Id"), body: m.json() });
      m.ack();
    }
    expect(seen.map((s) => s.id)).toEqual(ids);
    expect(seen[0].subject).toBe(`${prefix}.${t.tenantId}.stream.item.added`);
    expect(seen[0].body).toMatchObject({ specversion: "1.0", id: ids[0], type: "stream.item.added" });
  } finally {
    await jsm.streams.delete(streamNameFor(prefix)).catch(() => undefined);
    await nc.close();
  }
});

test("JetStream across pages: thousands of events published page after page (in slices) arrive once each, in the log's order", async () => {
  let nc;
  try {
    nc = await connect({ servers: NATS, timeout: 2000 });
  } catch (err) {
    throw new Error(`this test needs NATS with JetStream on 127.0.0.1:4222 (${(err as Error).message}); ${NATS_START_HINT}`);
  }
  const prefix = `wtp${Date.now().toString(36)}`;
  const jsm = await jetstreamManager(nc);
  const N = 5000;
  try {
    const created = await api("POST", "/subscriptions", t.tokens.owner, { name: "js-pages", channel: "jetstream", jetstream_subject_prefix: prefix, filter: { event_type: "paged.*" } });
    expect(created.status).toBe(201);
    const ids = (await writeEvents(server.ownerPool, t.tenantId, N, "paged.item.added")).sort();
    await dispatchAll(server.ownerPool);
    // Pages of 1,000 (the default batch), each published in slices.
    await deliverAll(server.ownerPool, created.body.id, testSettings({ natsUrl: NATS }));
    const stream = streamNameFor(prefix);
    expect((await jsm.streams.info(stream)).state.messages).toBe(N);
    const { rows } = await server.ownerPool.query(
      "select count(*)::int as n, count(*) filter (where status = 'delivered')::int as delivered from warden.notification_deliveries where subscription_id = $1",
      [created.body.id],
    );
    expect(rows[0]).toEqual({ n: N, delivered: N });
    await jsm.consumers.add(stream, { durable_name: "reader", ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All });
    const consumer = await jetstream(nc).consumers.get(stream, "reader");
    const seen: string[] = [];
    while (seen.length < N) {
      const msgs = await consumer.fetch({ max_messages: 1000, expires: 5000 });
      let got = 0;
      for await (const m of msgs) {
        seen.push(m.headers?.get("Nats-Msg-Id") ?? "");
        got++;
      }
      if (!got) break;
    }
    expect(seen).toEqual(ids);
  } finally {
    await jsm.streams.delete(streamNameFor(prefix)).catch(() => undefined);
    await nc.close();
  }
});

/** A DNS server on 127.0.0.1 answering A queries: first a public address, then 127.0.0.1 (rebinding). */
async function rebindingDns(): Promise<{ server: string; queries: () => number; close(): void }> {
  const sock = dgram.createSocket("udp4");
  let n = 0;
  sock.on("message", (msg, rinfo) => {
    let off = 12;
    while (msg[off] !== 0) off += msg[off] + 1;
    const qtype = msg.readUInt16BE(off + 1);
    const question = msg.subarray(12, off + 5);
    const isA = qtype === 1;
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8180, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(isA ? 1 : 0, 6);
    const parts = [header, question];
    if (isA) {
      const addr = n++ === 0 ? [93, 184, 216, 34] : [127, 0, 0, 1];
      const answer = Buffer.alloc(16);
      answer.writeUInt16BE(0xc00c, 0);
      answer.writeUInt16BE(1, 2);
      answer.writeUInt16BE(1, 4);
      answer.writeUInt32BE(0, 6);
      answer.writeUInt16BE(4, 10);
      Buffer.from(addr).copy(answer, 12);
      parts.push(answer);
    }
    sock.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", () => resolve()));
  return { server: `127.0.0.1:${(sock.address() as AddressInfo).port}`, queries: () => n, close: () => sock.close() };
}

test("a dispatch pass reads the store by the txid BRIN index: no sequential scan of the store, whatever its size or statistics (auto_explain)", async () => {
  // Attack: the matching statement joined the subscriptions to the store with
  // their ranges as join filters, and the planner scanned the whole store on
  // every pass (1.0-1.5 s at a million events, with nothing to match), so
  // every notification waited for it. auto_explain shows each plan a pass ran.
  const created = await api("POST", "/subscriptions", t.tokens.owner, { name: "dispatch-plan", channel: "webhook", webhook_url: rx.url, filter: { event_type: "plan.*" } });
  expect(created.status).toBe(201);
  await writeEvents(server.ownerPool, t.tenantId, 3000, "noise.item.added");
  await dispatchAll(server.ownerPool);
  const ids = await writeEvents(server.ownerPool, t.tenantId, 3, "plan.item.added");
  const { rows: x } = await server.ownerPool.query("select pg_current_xact_id()::text::bigint as x");

  const { plans: notices } = await withPlansLogged(async (c) => {
    for (let i = 0; i < 100; i++) {
      await c.query("select * from warden_private.notify_dispatch()");
      const { rows } = await c.query("select min(position) > $1::bigint as past from warden_private.subscription_positions", [x[0].x]);
      if (rows[0].past) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  const { rows: matched } = await server.ownerPool.query("select event_id from warden.notification_deliveries where subscription_id = $1 order by id", [created.body.id]);
  expect(matched.map((r) => r.event_id)).toEqual([...ids].sort()); // one transaction: in event_id order
  const storeReads = notices.filter((m) => /on (audit_events_\w+|audit_events) /.test(m));
  expect(storeReads.length).toBeGreaterThan(0);
  expect(storeReads.join("\n")).not.toMatch(/Seq Scan on audit_events/);
  expect(storeReads.some((m) => /Bitmap Index Scan on audit_events_\w+_txid_idx/.test(m))).toBe(true);
  // Only the txid index reads the store in a pass (a tenant index would read the tenant's whole trail).
  expect(storeReads.join("\n")).not.toMatch(/(Index Scan using|Bitmap Index Scan on) audit_events_\w+_tenant_id_\w+/);
});

test("DNS rebinding: a name that resolved to a public address when saved and to 127.0.0.1 at connect time is refused", async () => {
  const dns = await rebindingDns();
  try {
    const strict = testSettings({ allowPrivate: false, dnsServer: dns.server });
    const url = `http://rebind.attacker.test:${new URL(rx.url).port}/hook`;
    expect(await checkWebhookUrl(url, strict)).toBeNull();
    rx.received.length = 0;
    const r = await postWebhook(url, "whsec_" + Buffer.alloc(32, 1).toString("base64"), "msg-1", "{}", strict);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/refused rebind\.attacker\.test: 127\.0\.0\.1 is a loopback address/);
    expect(rx.received).toHaveLength(0);
    expect(dns.queries()).toBeGreaterThanOrEqual(2);
  } finally {
    dns.close();
  }
});

test("JetStream acks: a publish no stream captures fails with a reason, a repeated Nats-Msg-Id is a duplicate", async () => {
  let link;
  try {
    link = await jetStreamLink(NATS);
  } catch (err) {
    throw new Error(`this test needs NATS with JetStream on 127.0.0.1:4222 (${(err as Error).message}); ${NATS_START_HINT}`);
  }
  const prefix = `wtack${Date.now().toString(36)}`;
  const jsm = await jetstreamManager(link.nc);
  try {
    const [orphan] = await publishBatch(link, [{ subject: `${prefix}nostream.x`, msgId: "m1", body: "{}" }], 5000);
    expect(orphan.ok).toBe(false);
    expect(orphan.error).toMatch(/no stream captures/);
    await jsm.streams.add({ name: streamNameFor(prefix), subjects: [`${prefix}.>`] });
    const first = await publishBatch(link, [1, 2, 3].map((i) => ({ subject: `${prefix}.t.e`, msgId: `id-${i}`, body: JSON.stringify({ i }) })));
    expect(first.map((r) => [r.ok, r.duplicate])).toEqual([[true, false], [true, false], [true, false]]);
    const again = await publishBatch(link, [{ subject: `${prefix}.t.e`, msgId: "id-2", body: "{}" }]);
    expect(again[0]).toMatchObject({ ok: true, duplicate: true });
    expect((await jsm.streams.info(streamNameFor(prefix))).state.messages).toBe(3);
  } finally {
    await jsm.streams.delete(streamNameFor(prefix)).catch(() => undefined);
  }
});

test("JetStream acks read: the broker's plain answers without parsing, anything else parsed, nothing else taken for success", () => {
  const ack = (text: string, headers?: { code: number; description: string }) => readAck({ headers: headers as never, string: () => text });
  // as nats-server 2.x writes them (a space after the stream's name)
  expect(ack('{"stream":"WARDEN", "seq":1}')).toEqual({ ok: true, duplicate: false, error: null });
  expect(ack('{"stream":"WARDEN", "seq":7,"duplicate": true}')).toEqual({ ok: true, duplicate: true, error: null });
  expect(ack('{"stream":"WARDEN","domain":"hub","seq":7}')).toEqual({ ok: true, duplicate: false, error: null });
  expect(ack('{"seq":3,"stream":"WARDEN"}')).toEqual({ ok: true, duplicate: false, error: null });
  expect(ack('{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"},"stream":"WARDEN", "seq":0}')).toMatchObject({ ok: false, error: "JetStream 503 maximum messages exceeded" });
  expect(ack('{"stream":"WARDEN"}')).toMatchObject({ ok: false, error: "JetStream answered without a sequence" });
  expect(ack('{"stream":"WAR"DEN", "seq":1}')).toMatchObject({ ok: false, error: expect.stringMatching(/^unreadable JetStream ack/) });
  expect(ack("", { code: 503, description: "No Responders" })).toMatchObject({ ok: false, error: "no stream captures the subject (no responders)" });
  expect(ack("", { code: 408, description: "Request Timeout" })).toMatchObject({ ok: false, error: "JetStream 408 Request Timeout" });
});
