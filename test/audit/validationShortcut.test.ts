/**
 * warden_private.audit_event_is_plainly_valid, the ingest validator's
 * shortcut for the usual event, against the rules it short-cuts
 * (audit_event_rule_problems): over a corpus of valid events and of events
 * broken one field at a time, "plainly valid" must imply "no problems", and
 * the list every caller uses (audit_event_problem_list) must equal the rules'
 * own answer for every event.
 */
import { closePools, rolledBack } from "../support/db";

afterAll(closePools);

type Item = Record<string, unknown>;

const base: Item = {
  event_id: "0190f5b6-1c2d-7e3f-8a9b-0c1d2e3f4a5b",
  event_type: "gateway.signal.received",
  outcome: "success",
  actor: { type: "service", id: "gateway-7" },
  occurred_at: "2026-03-04T05:06:07.123Z",
  severity: "warning",
  action: "received",
  resource: { type: "signal", id: "sig-1" },
  correlation_id: "corr-1",
  trace_id: "trace-1",
  parent_event_id: "0190f5b6-1c2d-7e3f-8a9b-0c1d2e3f4a5c",
  service: "gateway",
  attempt: 2,
  retry_reason: "timeout",
  source_payload: { raw: "<xml/>", nested: [1, { a: null }] },
  data: { http: { status: 200 } },
};

const long = (n: number) => "x".repeat(n);

/** Replacement values per field: valid edge cases and invalid ones alike. */
const variants: Record<string, unknown[]> = {
  event_id: [undefined, "not-a-uuid", 7, null, "0190F5B6-1C2D-7E3F-8A9B-0C1D2E3F4A5B"],
  event_type: [undefined, "nodot", "Upper.case", "a.b", `${long(64)}.b`, `a.${long(64)}`, `a.${long(65)}`, `${long(65)}.b`, `a.${long(150)}.b`, `a.${long(250)}`, 5, "a..b", "a.b "],
  outcome: [undefined, "SUCCESS", "Failure", "unknown", "maybe", true, null],
  actor: [
    undefined,
    "svc",
    { type: "system", id: "system" },
    { type: "system", id: "someone" },
    { type: "robot", id: "r" },
    { type: "user" },
    { type: "user", id: "" },
    { type: "user", id: long(256) },
    { type: "user", id: long(257) },
    { type: "user", id: "u", extra: 1 },
    { type: 3, id: "u" },
  ],
  occurred_at: [undefined, "2026-02-29T00:00:00Z", "2028-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+16:00", "2026-01-01T00:00:00+05:30", "2026-01-01", 1700000000, "2026-01-01T00:00:60Z"],
  severity: [undefined, "WARN", "Warning", "critical", "fatal", 4],
  action: [undefined, "", long(64), long(65), 1],
  resource: [undefined, "order", {}, { type: "order" }, { id: "o-1" }, { type: "", id: "x" }, { type: "t", id: long(1024) }, { type: "t", id: long(1025) }, { type: "t", id: 9 }, { type: "t", owner: "x" }],
  correlation_id: [undefined, "", long(200), long(201), 12],
  trace_id: [undefined, "", long(200), long(201), {}],
  parent_event_id: [undefined, "nope", 1],
  service: [undefined, "", long(200), long(201), []],
  data: [
    undefined, [], "text", null, {}, { blob: long(65_000) }, { blob: long(70_000) }, { nested: { deeper: [1, 2, { a: null }] } },
    // the envelope's keys are reserved
    { version: 2 }, { status: "x", operation: "y" }, { attempt: 1 }, { backfill: true }, { service: "s", ok: 1 },
    // nesting: data counts as level 1; 64 levels pass, 65 do not
    nest(64), nest(65), { a: nestArray(63) }, { a: nestArray(64) },
  ],
  attempt: [undefined, 0, 1, 999_999, 1_000_000, 1.5, "2", -1, null],
  retry_reason: [undefined, "", "x", long(1000), long(1001), 5],
  source_payload: [undefined, null, "text", 7, [], { a: 1 }, { blob: long(70_000) }, nest(64), nest(65)],
};

/** Objects nested `levels` deep in all (the outermost counts): {"a": {"a": ... {}}}. */
function nest(levels: number): Item {
  let v: Item = {};
  for (let i = 1; i < levels; i++) v = { a: v };
  return v;
}
/** Arrays nested `levels` deep: [[...[]]]. */
function nestArray(levels: number): unknown[] {
  let v: unknown[] = [];
  for (let i = 1; i < levels; i++) v = [v];
  return v;
}

function corpus(): unknown[] {
  const items: unknown[] = [base, { event_type: "a.b", outcome: "success" }, [], "event", null, 42, { ...base, unknown_field: 1 }];
  for (const [field, values] of Object.entries(variants)) {
    for (const v of values) {
      const item: Item = { ...base };
      if (v === undefined) delete item[field];
      else item[field] = v;
      items.push(item);
      // the same change on a minimal event, so a field's rule is also met alone
      const minimal: Item = { event_type: "a.b", outcome: "success" };
      if (v !== undefined) minimal[field] = v;
      items.push(minimal);
    }
  }
  return items;
}

test("plainly valid implies no problems, and the shortcut never changes the answer", async () => {
  await rolledBack(async (c) => {
    const items = corpus();
    const { rows } = await c.query(
      `select i.ord::int as ord,
              warden_private.audit_event_is_plainly_valid(i.item) as fast,
              warden_private.audit_event_rule_problems(i.item, '') as rules,
              warden_private.audit_event_problem_list(i.item, '') as list
       from jsonb_array_elements($1::jsonb) with ordinality i(item, ord)
       order by i.ord`,
      [JSON.stringify(items)],
    );
    expect(rows).toHaveLength(items.length);
    for (const row of rows) {
      const label = JSON.stringify(items[row.ord - 1]).slice(0, 200);
      if (row.fast) expect({ item: label, problems: row.rules }).toEqual({ item: label, problems: [] });
      expect({ item: label, list: row.list }).toEqual({ item: label, list: row.rules });
    }
    // The corpus exercises every branch: taken, declined for an invalid
    // event, and declined (conservatively) for a valid one.
    const taken = rows.filter((r) => r.fast).length;
    const invalid = rows.filter((r) => r.rules.length > 0).length;
    const declinedValid = rows.filter((r) => !r.fast && r.rules.length === 0).length;
    expect(taken).toBeGreaterThan(20);
    expect(invalid).toBeGreaterThan(50);
    expect(declinedValid).toBeGreaterThan(0);
  });
});

test("the usual valid events take the shortcut", async () => {
  await rolledBack(async (c) => {
    const { rows } = await c.query(
      `select warden_private.audit_event_is_plainly_valid($1::jsonb) as full_event, warden_private.audit_event_is_plainly_valid($2::jsonb) as minimal`,
      [JSON.stringify(base), JSON.stringify({ event_type: "a.b", outcome: "success" })],
    );
    expect(rows[0]).toEqual({ full_event: true, minimal: true });
  });
});

test("the envelope's keys are reserved in data, each named; data and source_payload nest at most 64 levels", async () => {
  await rolledBack(async (c) => {
    const cases: [Item, { pointer: string; reason: string }[]][] = [
      [{ data: { version: 2, status: "x", ok: 1 } }, [
        { pointer: "/data/status", reason: "reserved for the envelope Warden writes" },
        { pointer: "/data/version", reason: "reserved for the envelope Warden writes" },
      ]],
      [{ data: { attempt: 1 } }, [{ pointer: "/data/attempt", reason: "reserved for the envelope: send attempt as a field of the event, beside data" }]],
      [{ data: { backfill: { by: "me" } } }, [{ pointer: "/data/backfill", reason: "reserved for the envelope Warden writes" }]],
      [{ data: nest(64), source_payload: nest(64) }, []],
      [{ data: nest(65) }, [{ pointer: "/data", reason: "objects and arrays nested more than 64 levels deep" }]],
      [{ data: { a: nestArray(64) } }, [{ pointer: "/data", reason: "objects and arrays nested more than 64 levels deep" }]],
      [{ source_payload: nest(65) }, [{ pointer: "/source_payload", reason: "objects and arrays nested more than 64 levels deep" }]],
      [{ attempt: 0, retry_reason: "" }, [
        { pointer: "/attempt", reason: "a whole number from 1 to 999999" },
        { pointer: "/retry_reason", reason: "a string of 1 to 1000 characters" },
      ]],
    ];
    for (const [extra, problems] of cases) {
      const { rows } = await c.query("select warden_private.audit_event_problem_list($1::jsonb, '') as list", [
        JSON.stringify({ event_type: "a.b", outcome: "success", ...extra }),
      ]);
      expect({ extra: Object.keys(extra), list: rows[0].list }).toEqual({ extra: Object.keys(extra), list: problems });
    }
  });
});
