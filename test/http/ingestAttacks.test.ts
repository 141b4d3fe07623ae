/**
 * Ingest under attack (issue 13, section 5, defects 1, 12, 13): one
 * tenant's bad request never fails another tenant's writes, whatever the
 * input the database could refuse (lone surrogates, NUL, deep nesting,
 * numbers out of range, impossible or out-of-window timestamps, overlong
 * strings, another tenant's event id, bodies that fill a group); nesting
 * beyond 64 levels is a 400, never a 500, on the fast path, through Express
 * and over GraphQL; numbers are stored exactly as sent. And the group
 * commit itself: should a group's statement fail anyway, only the request
 * that caused it fails.
 */
import { gzipSync } from "node:zlib";
import { randomUUID } from "node:crypto";
import { authUrl, closePools } from "../support/db";
import { gql, startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";
import { IngestQueue, type IngestResult } from "../../src/audit/ingestQueue";
import { makePool } from "../../src/db/pools";
import { mapPgError } from "../../src/db/errors";

let server: TestServer;
let victim: TenantFixture;
let attacker: TenantFixture;

beforeAll(async () => {
  server = await startTestServer();
  victim = await tenantFixture(server, "Ingest victim");
  attacker = await tenantFixture(server, "Ingest attacker");
});

afterAll(async () => {
  await server.close();
  await closePools();
});

interface Sent {
  status: number;
  body: any;
  headers: Headers;
}

async function post(body: string | Uint8Array, key: string, headers: Record<string, string> = {}): Promise<Sent> {
  const res = await fetch(`${server.url}/api/v1/audit/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    body: body as any,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

const ev = (type: string, extra = "") => `{"event_type":"${type}","outcome":"success"${extra}}`;
const nestedObjects = (levels: number, inner = "1") => '{"a":'.repeat(levels) + inner + "}".repeat(levels);
const nestedArrays = (levels: number) => "[".repeat(levels) + "]".repeat(levels);

/** Every kind of input the database would refuse, or that would break a group commit, as the attacker sends it. */
function attacks(): { name: string; body: string | Uint8Array; headers?: Record<string, string>; status: number[] }[] {
  const t = "attack.bad.sent";
  const taken = victimOwnId;
  return [
    { name: "lone high surrogate in a value", body: ev(t, ',"data":{"s":"\\ud800"}'), status: [400] },
    { name: "lone low surrogate in a key", body: ev(t, ',"data":{"\\udc00k":1}'), status: [400] },
    { name: "surrogates in the wrong order", body: ev(t, ',"data":{"s":"\\udc00\\ud800"}'), status: [400] },
    { name: "a lone surrogate in a header-default field", body: ev(t, ',"service":"svc\\uDBFF"'), status: [400] },
    { name: "U+0000 in a value", body: ev(t, ',"service":"a\\u0000b"'), status: [400] },
    { name: "U+0000 in a key", body: ev(t, ',"data":{"\\u0000":1}'), status: [400] },
    { name: "data nested 6,000 levels", body: ev(t, `,"data":${nestedObjects(6000)}`), status: [400] },
    { name: "arrays nested 100,000 levels", body: ev(t, `,"data":{"a":${nestedArrays(100_000)}}`), status: [400] },
    { name: "a body nested 100,000 levels", body: nestedArrays(100_000), status: [400] },
    { name: "an actor nested 70 levels", body: ev(t, `,"actor":${nestedObjects(70)}`), status: [400] },
    { name: "a number PostgreSQL cannot hold (1e1000000)", body: ev(t, ',"data":{"n":1e1000000}'), status: [400] },
    { name: "a number too small to hold (1e-20000)", body: ev(t, ',"data":{"n":-1e-20000}'), status: [400] },
    { name: "an overflowing number outside data", body: `{"event_type":"${t}","outcome":1e400000}`, status: [400] },
    { name: "numbers that expand to 170 MB of digits", body: ev(t, `,"data":{"n":[${Array(170_000).fill("1e999").join(",")}]}`), status: [400] },
    { name: "February 30th", body: ev(t, ',"occurred_at":"2026-02-30T10:00:00Z"'), status: [400] },
    { name: "month 13", body: ev(t, ',"occurred_at":"2026-13-01T00:00:00Z"'), status: [400] },
    { name: "year 0", body: ev(t, ',"occurred_at":"0000-01-01T00:00:00Z"'), status: [400] },
    { name: "hour 24", body: ev(t, ',"occurred_at":"2026-01-01T24:00:00Z"'), status: [400] },
    { name: "dated 2099", body: ev(t, ',"occurred_at":"2099-01-01T00:00:00Z"'), status: [400] },
    { name: "dated 1970", body: ev(t, ',"occurred_at":"1970-01-01T00:00:00Z"'), status: [400] },
    { name: "an event type of 100,000 characters", body: ev(`a.${"b".repeat(100_000)}`), status: [400] },
    { name: "an actor id of 10,000 characters", body: ev(t, `,"actor":{"type":"service","id":"${"x".repeat(10_000)}"}`), status: [400] },
    { name: "a resource id of 2,000 characters", body: ev(t, `,"resource":{"type":"r","id":"${"x".repeat(2000)}"}`), status: [400] },
    { name: "data of 70 KB", body: ev(t, `,"data":{"blob":"${"x".repeat(70_000)}"}`), status: [400] },
    { name: "a key of 100,000 characters", body: ev(t, `,"data":{"${"k".repeat(100_000)}":1}`), status: [400] },
    { name: "an event id that is a number", body: ev(t, ',"event_id":42'), status: [400] },
    { name: "an event id that is not a uuid", body: ev(t, ',"event_id":"zzzz"'), status: [400] },
    { name: "another tenant's event id", body: ev(t, `,"event_id":"${taken}"`), status: [409] },
    { name: "an envelope key in data", body: ev(t, ',"data":{"version":99}'), status: [400] },
    { name: "999 valid events and one bad one", body: `[${Array(999).fill(ev(t)).join(",")},${ev(t, ',"data":{"s":"\\ud800"}')}]`, status: [400] },
    { name: "1,001 events", body: `[${Array(1001).fill(ev(t)).join(",")}]`, status: [400] },
    { name: "a body over 1 MiB", body: ev(t, `,"data":{"blob":"${"x".repeat(1_100_000)}"}`), status: [413] },
    { name: "malformed JSON", body: '{"event_type":', status: [400] },
    { name: "a gzip body with a lone surrogate (the Express path)", body: gzipSync(Buffer.from(ev(t, ',"data":{"s":"\\ud800"}'))), headers: { "content-encoding": "gzip" }, status: [400] },
    { name: "an unparseable X-Forwarded-For from a trusted proxy", body: ev("attack.ok.xff"), headers: { "x-forwarded-for": "not-an-ip, fe80::1%eth0" }, status: [201] },
  ];
}

let victimOwnId: string;

test("one tenant's bad requests never fail another tenant's writes in the group commit, for every input the database could refuse", async () => {
  victimOwnId = randomUUID();
  const own = await post(ev("victim.own.id", `,"event_id":"${victimOwnId}"`), victim.apiKey.key);
  expect(own.status).toBe(201);
  const kinds = attacks();
  // The attacker's big valid requests fill groups by bytes (~840 KB each).
  const big = `[${Array(14).fill(ev("attack.ok.big", `,"data":{"blob":"${"y".repeat(60_000)}"}`)).join(",")}]`;
  for (let round = 0; round < 2; round++) {
    type Tagged = { who: string; send: () => Promise<Sent> };
    const victims: Tagged[] = Array.from({ length: 300 }, (_, i) => ({
      who: "victim",
      send: () => post(ev("victim.write.ok", `,"data":{"i":${i},"round":${round}}`), victim.apiKey.key),
    }));
    const attackers: Tagged[] = [
      ...kinds.map((k) => ({ who: k.name, send: () => post(k.body, attacker.apiKey.key, k.headers) })),
      ...Array.from({ length: 6 }, () => ({ who: "big valid batch", send: () => post(big, attacker.apiKey.key) })),
    ];
    // interleaved, all in flight at once
    const all: Tagged[] = [];
    victims.forEach((v, i) => {
      all.push(v);
      if (i % 7 === 0 && attackers.length) all.push(attackers.shift()!);
    });
    all.push(...attackers);
    const results = await Promise.all(all.map((r) => r.send()));
    const byWho = (who: string) => results.filter((_, i) => all[i].who === who);
    expect(byWho("victim").map((r) => r.status)).toEqual(Array(300).fill(201));
    expect(byWho("big valid batch").map((r) => r.status)).toEqual(Array(6).fill(201));
    for (const k of kinds) {
      const [r] = byWho(k.name);
      // each attack gets its own answer, a problem+json with a code (never a 500)
      expect({ attack: k.name, status: r.status, answered: r.status === 201 ? Array.isArray(r.body.event_ids) : typeof r.body.code === "string" && typeof r.body.trace_id === "string" }).toEqual({
        attack: k.name,
        status: k.status[0],
        answered: true,
      });
    }
  }
  const { rows } = await server.ownerPool.query(
    `select count(*) filter (where event_type = 'victim.write.ok')::int as victim,
            count(*) filter (where event_type = 'attack.bad.sent')::int as bad,
            count(*) filter (where event_type = 'attack.ok.big')::int as big,
            count(*) filter (where event_type = 'attack.ok.xff')::int as xff
     from warden.audit_events where tenant_id = any($1::uuid[])`,
    [[victim.tenantId, attacker.tenantId]],
  );
  expect(rows[0]).toEqual({ victim: 600, bad: 0, big: 2 * 6 * 14, xff: 2 });
  // the id stays the victim's
  const { rows: ids } = await server.ownerPool.query("select tenant_id::text from warden.audit_events where event_id = $1", [victimOwnId]);
  expect(ids).toEqual([{ tenant_id: victim.tenantId }]);
});

test("should a group's statement fail anyway, it is written again in halves: only the request that caused it fails", async () => {
  // The queue alone, fed requests that skipped the HTTP layer's checks: the
  // database refuses each bad one when the group's argument is parsed.
  const pool = makePool(authUrl(), 2, "warden-test-queue");
  const queue = new IngestQueue(pool);
  const ctx = (t: TenantFixture) => ({ tenantId: t.tenantId, actorId: t.apiKey.id, actorType: "api_key" as const, tenantRole: "member" as const });
  const submit = (t: TenantFixture, eventsJson: string) =>
    queue.submit({ ctx: ctx(t), traceId: undefined, client: {}, eventsJson, count: 1, idempotencyKey: null }).then(
      (r: IngestResult) => ({ ok: true as const, r }),
      (err: unknown) => ({ ok: false as const, err }),
    );
  try {
    // the first request starts a writer; everything after it waits and goes out as one group
    const first = submit(victim, ev("queue.victim.ok"));
    const bad = [
      submit(attacker, ev("queue.attacker.bad", ',"data":{"s":"\\ud800"}')),
      submit(attacker, ev("queue.attacker.bad", ',"data":{"n":1e1000000}')),
      submit(attacker, ev("queue.attacker.bad", ',"data":{"s":"\\u0000"}')),
    ];
    const good = Array.from({ length: 40 }, (_, i) => submit(victim, ev("queue.victim.ok", `,"data":{"i":${i}}`)));
    const [firstOut, badOut, goodOut] = await Promise.all([first, Promise.all(bad), Promise.all(good)]);
    expect(firstOut.ok).toBe(true);
    expect(goodOut.every((o) => o.ok)).toBe(true);
    for (const o of badOut) {
      expect(o.ok).toBe(false);
      // the database's own refusal, a client error
      expect(mapPgError((o as { err: unknown }).err)?.status).toBe(400);
    }
    expect(queue.depth).toBe(0);
    const { rows } = await server.ownerPool.query(
      "select count(*) filter (where event_type = 'queue.victim.ok')::int as ok, count(*) filter (where event_type = 'queue.attacker.bad')::int as bad from warden.audit_events where tenant_id = any($1::uuid[])",
      [[victim.tenantId, attacker.tenantId]],
    );
    expect(rows[0]).toEqual({ ok: 41, bad: 0 });
  } finally {
    await pool.end();
  }
});

const DEPTH_LIMIT = 64;

test("data nested up to 64 levels is stored; deeper is a 400 naming the field, never a 500, on the fast path, through Express and over GraphQL", async () => {
  const express = (body: string) => post(gzipSync(Buffer.from(body)), victim.apiKey.key, { "content-encoding": "gzip" });
  const fast = (body: string) => post(body, victim.apiKey.key);
  for (const send of [fast, express]) {
    // data is level 1: 64 levels of objects, or an object holding 63 of arrays
    const ok = await send(ev("depth.ok.stored", `,"data":${nestedObjects(DEPTH_LIMIT)}`));
    expect(ok.status).toBe(201);
    const okBatch = await send(`[${ev("depth.ok.stored", `,"data":{"a":${nestedArrays(DEPTH_LIMIT - 1)}}`)}]`);
    expect(okBatch.status).toBe(201);
    for (const [body, pointer] of [
      [ev("depth.too.deep", `,"data":${nestedObjects(DEPTH_LIMIT + 1)}`), "/data"],
      [`[${ev("depth.ok")},${ev("depth.too.deep", `,"data":{"a":${nestedArrays(DEPTH_LIMIT)}}`)}]`, "/1/data"],
      [ev("depth.too.deep", `,"source_payload":${nestedArrays(10_000)}`), "/source_payload"],
      [ev("depth.too.deep", `,"data":${nestedObjects(100_000)}`), "/data"],
    ] as const) {
      const r = await send(body);
      expect({ status: r.status, code: r.body.code, errors: r.body.errors }).toEqual({
        status: 400,
        code: "validation_failed",
        errors: [{ pointer, reason: "objects and arrays nested more than 64 levels deep" }],
      });
    }
  }
  // GraphQL: the same rule from SQL for data just too deep, and the body
  // guard for nesting no valid request has (JSON.stringify overflowed at ~6,000)
  const mutation = `mutation($e: JSON!) { recordAuditEvents(input: {events: $e}) { result } }`;
  const viaGql = async (data: string) => {
    const res = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { authorization: `Bearer ${victim.apiKey.key}`, "content-type": "application/json", accept: "application/json" },
      body: `{"query":${JSON.stringify(mutation)},"variables":{"e":[{"event_type":"depth.gql","outcome":"success","data":${data}}]}}`,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const gqlOk = await viaGql(nestedObjects(DEPTH_LIMIT));
  expect(gqlOk.body.errors).toBeUndefined();
  const gqlDeep = await viaGql(nestedObjects(DEPTH_LIMIT + 1));
  expect(gqlDeep.body.errors[0].extensions).toMatchObject({ code: "validation_failed", errors: [{ pointer: "/0/data", reason: "objects and arrays nested more than 64 levels deep" }] });
  for (const data of [nestedObjects(10_000), `{"a":${nestedArrays(45_000)}}`]) {
    const r = await viaGql(data);
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 400, code: "validation_failed" });
  }
  // data written inline in the GraphQL document: the SQL rule, then the body
  // guard before graphql-js parses it (it overflowed the stack at ~2,000 levels)
  const literal = (levels: number) =>
    gql(server, victim.apiKey.key, `mutation { recordAuditEvents(input: {events: {event_type: "depth.literal", outcome: "success", data: ${"{a: ".repeat(levels)}1${"}".repeat(levels)}}}) { result } }`);
  const inlineDeep = await literal(DEPTH_LIMIT + 1);
  expect(inlineDeep.body.errors[0].extensions).toMatchObject({ code: "validation_failed", errors: [{ pointer: "/data" }] });
  const inlineDeeper = await literal(2000);
  expect({ status: inlineDeeper.status, code: inlineDeeper.body.code, errors: inlineDeeper.body.errors }).toEqual({
    status: 400,
    code: "validation_failed",
    errors: [{ pointer: "/query", reason: "braces and brackets nested more than 80 levels deep" }],
  });
  const { rows } = await server.ownerPool.query("select count(*) filter (where event_type like 'depth.too.deep%' or event_type = 'depth.literal')::int as deep from warden.audit_events where tenant_id = $1", [victim.tenantId]);
  expect(rows[0].deep).toBe(0);
});

test("numbers are stored exactly as sent: beyond 2^53, 30 digits, 1e400, 1e-400, trailing zeros; REST reads return them unchanged", async () => {
  const numbers = '{"big":9007199254740993,"thirty":123456789012345678901234567890,"huge":1e400,"tiny":1e-400,"scale":1.10,"neg":-0.000000000000000000000000000001,"plain":42,"float":0.1}';
  for (const [path, send] of [
    ["fast", (b: string) => post(b, victim.apiKey.key)],
    ["express", (b: string) => post(gzipSync(Buffer.from(b)), victim.apiKey.key, { "content-encoding": "gzip" })],
  ] as const) {
    const r = await send(ev(`numbers.exact.${path}`, `,"data":${numbers}`));
    expect(r.status).toBe(201);
    const id = r.body.event_ids[0];
    const { rows } = await server.ownerPool.query(
      `select e.event_data -> 'big' = '9007199254740993'::jsonb as big, e.event_data -> 'thirty' = '123456789012345678901234567890'::jsonb as thirty,
              e.event_data -> 'huge' = '1e400'::jsonb as huge, e.event_data -> 'tiny' = '1e-400'::jsonb as tiny,
              (e.event_data -> 'scale')::text as scale, e.event_data -> 'neg' = '-1e-30'::jsonb as neg,
              (e.event_data -> 'plain')::text as plain, (e.event_data -> 'float')::text as float
       from warden.audit_events e where e.event_id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({ big: true, thirty: true, huge: true, tiny: true, scale: "1.10", neg: true, plain: "42", float: "0.1" });
    // read back through the API: the same digits (not ...992, not null, not 0)
    const read = await fetch(`${server.url}/api/v1/audit/events/${id}`, { headers: { authorization: `Bearer ${victim.tokens.auditor}` } });
    const text = await read.text();
    expect(text).toContain('"big":9007199254740993');
    expect(text).toContain('"thirty":123456789012345678901234567890');
    expect(text).toContain(`"huge":1${"0".repeat(400)}`);
    expect(text).toContain(`"tiny":0.${"0".repeat(399)}1`);
    expect(text).toContain('"scale":1.10');
  }
  // over GraphQL the JSON scalar keeps them too
  const res = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { authorization: `Bearer ${victim.apiKey.key}`, "content-type": "application/json", accept: "application/json" },
    body: `{"query":"mutation($e: JSON!) { recordAuditEvents(input: {events: $e}) { result } }","variables":{"e":{"event_type":"numbers.exact.gql","outcome":"success","data":${numbers}}}}`,
  });
  const out = (await res.json()) as any;
  expect(out.errors).toBeUndefined();
  const { rows } = await server.ownerPool.query(
    "select e.event_data -> 'big' = '9007199254740993'::jsonb and e.event_data -> 'huge' = '1e400'::jsonb and e.event_data -> 'tiny' = '1e-400'::jsonb as exact from warden.audit_events e where e.event_id = $1",
    [out.data.recordAuditEvents.result.event_ids[0]],
  );
  expect(rows[0].exact).toBe(true);
  // beyond what is storable: refused with the number's pointer, nothing changed silently
  const tooLong = await post(ev("numbers.too.long", ',"data":{"ok":1,"n":[1,1e1001]}'), victim.apiKey.key);
  expect(tooLong.body).toMatchObject({ code: "validation_failed", errors: [{ pointer: "/data/n/1", reason: expect.stringContaining("more than 1000 digits") }] });
});
