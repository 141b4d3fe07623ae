/**
 * Group commit and durability: concurrent POSTs share transactions and are
 * acknowledged only after commit; a full queue answers 503 at once; when
 * the database goes away mid-load clients get 503 problem+json, and once
 * it is back every acknowledged event is stored exactly once.
 */
import { closePools, ownerUrl } from "../support/db";
import { startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";
import { TcpProxy } from "../support/tcpProxy";

async function post(server: TestServer, key: string, body: unknown): Promise<{ status: number; body: any; retryAfter: string | null }> {
  const res = await fetch(`${server.url}/api/v1/audit/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get("retry-after") };
}

afterAll(closePools);

test("concurrent requests are committed together, each acknowledged with its own ids", async () => {
  const server = await startTestServer({ ingest: { writers: 1 } });
  try {
    const t = await tenantFixture(server, "Group commit");
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => post(server, t.apiKey.key, { event_type: "group.commit.test", outcome: "success", data: { i } })),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const ids = results.flatMap((r) => r.body.event_ids);
    expect(new Set(ids).size).toBe(40);
    const { rows } = await server.ownerPool.query(
      "select count(*)::int as n, count(distinct txid)::int as txs from warden.audit_events where event_id = any($1::uuid[])",
      [ids],
    );
    expect(rows[0].n).toBe(40);
    expect(rows[0].txs).toBeLessThan(40); // requests shared transactions
    // one bad request in a group fails alone
    const mixed = await Promise.all([
      post(server, t.apiKey.key, { event_type: "group.ok", outcome: "success" }),
      post(server, t.apiKey.key, { event_type: "group.bad" }),
      post(server, t.apiKey.key, { event_type: "group.ok", outcome: "success" }),
    ]);
    expect(mixed.map((r) => r.status)).toEqual([201, 400, 201]);
  } finally {
    await server.close();
  }
});

test("a full queue answers 503 with Retry-After at once, without growing", async () => {
  const server = await startTestServer({ ingest: { maxQueuedEvents: 10, writers: 1 } });
  try {
    const t = await tenantFixture(server, "Queue full");
    const batch = Array.from({ length: 8 }, () => ({ event_type: "queue.full.test", outcome: "success" }));
    const results = await Promise.all(Array.from({ length: 6 }, () => post(server, t.apiKey.key, batch)));
    const statuses = results.map((r) => r.status);
    expect(statuses).toContain(201);
    expect(statuses).toContain(503);
    for (const r of results.filter((x) => x.status === 503)) {
      expect(r.body.code).toBe("overloaded");
      expect(r.retryAfter).toBe("1");
    }
    const { rows } = await server.ownerPool.query("select count(*)::int as n from warden.audit_events where tenant_id = $1 and event_type = 'queue.full.test'", [t.tenantId]);
    expect(rows[0].n).toBe(8 * statuses.filter((s) => s === 201).length);
  } finally {
    await server.close();
  }
});

test("the database going away mid-load: 503 problem+json, then every acknowledged event exactly once", async () => {
  const db = new URL(ownerUrl());
  const proxy = new TcpProxy(db.hostname, Number(db.port || 5432));
  await proxy.start();
  const viaProxy = new URL(process.env.WARDEN_TEST_AUTH_URL!);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  const server = await startTestServer({ authUrl: viaProxy.toString() });
  try {
    const t = await tenantFixture(server, "Durability");
    const acknowledged: string[] = [];
    const statuses: number[] = [];
    let sent = 0;
    let done = false;
    // Load runs until the test has seen the outage and the recovery (not a
    // fixed number of requests: during the outage 503s come back at once).
    const worker = async () => {
      while (!done) {
        const r = await post(server, t.apiKey.key, { event_type: "durability.test", outcome: "success", data: { n: sent++ } }).catch(() => null);
        if (!r) continue;
        statuses.push(r.status);
        if (r.status === 201) acknowledged.push(...r.body.event_ids);
        else {
          expect(r.status).toBe(503);
          expect(r.body).toMatchObject({ code: "database_unavailable" });
          expect(r.body.trace_id).toBeTruthy();
        }
      }
    };
    const until = async (what: string, ok: () => boolean) => {
      const deadline = Date.now() + 15_000;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const load = Promise.all([worker(), worker(), worker()]);
    try {
      await until("events acknowledged before the outage", () => acknowledged.length > 0);
      await proxy.cut(); // the database goes away mid-load
      const beforeOutage = statuses.length;
      await until("503s during the outage", () => statuses.slice(beforeOutage).includes(503));
      await new Promise((r) => setTimeout(r, 300));
      await proxy.start(); // and comes back on the same port
      const acknowledgedBefore = acknowledged.length;
      await until("events acknowledged after the database came back", () => acknowledged.length > acknowledgedBefore);
    } finally {
      done = true;
      await load;
    }
    expect(statuses).toContain(503);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(0);
    const { rows } = await server.ownerPool.query(
      "select count(*)::int as n, count(distinct event_id)::int as d, count(*) filter (where event_id = any($2::uuid[]))::int as acked from warden.audit_events where tenant_id = $1 and event_type = 'durability.test'",
      [t.tenantId, acknowledged],
    );
    expect(rows[0].acked).toBe(acknowledged.length); // every acknowledged event is there
    expect(rows[0].d).toBe(rows[0].n); // none twice
  } finally {
    await server.close();
    await proxy.cut();
  }
});
