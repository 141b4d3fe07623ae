/**
 * The audit query language of GET /api/v1/audit/events: parsing and
 * validating query parameters into a filter, and turning a filter into a
 * parameterised WHERE clause (column names come from a fixed list; user
 * input only ever travels as parameters). Every filter given is applied or
 * refused with a 400 naming it, never dropped.
 */
import { isExactNumber, parseJson } from "./exactJson";

export const SEVERITIES = ["debug", "info", "notice", "warning", "error", "critical"] as const;
export const OUTCOMES = ["success", "failure", "unknown"] as const;
export const ACTOR_TYPES = ["user", "api_key", "service", "system", "db_role"] as const;

export interface AuditFilter {
  correlation_id?: string;
  trace_id?: string;
  event_type?: string;
  event_type_prefix?: string;
  actor_id?: string;
  actor_type?: string;
  resource_type?: string;
  resource_id?: string;
  outcome?: string;
  severity?: string;
  service?: string;
  since?: string;
  until?: string;
  data?: Record<string, unknown>;
}

export interface ParsedQuery {
  filter: AuditFilter;
  limit: number;
  order: "asc" | "desc";
  cursor?: string;
}

export interface ParamError {
  pointer: string;
  reason: string;
}

const TEXT_FILTERS = ["correlation_id", "trace_id", "actor_id", "resource_type", "resource_id", "service"] as const;
const KNOWN = new Set<string>([...TEXT_FILTERS, "event_type", "actor_type", "outcome", "severity", "since", "until", "limit", "order", "cursor"]);
const DURATION = /^(\d{1,6})(m|h|d)$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const DATA_PATH = /^data\.([A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,7})$/;

function parseTime(value: string, now: Date): string | null {
  const d = DURATION.exec(value);
  if (d) {
    const ms = Number(d[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[d[2] as "m" | "h" | "d"];
    return new Date(now.getTime() - ms).toISOString();
  }
  if (RFC3339.test(value) && !Number.isNaN(Date.parse(value))) return value;
  return null;
}

/**
 * A data.<path>=<value> filter's value: JSON when it parses as a number (kept
 * exactly: 9007199254740993 stays itself), true, false or null, else the
 * string as given.
 */
function filterValue(raw: string): unknown {
  try {
    const parsed = parseJson(raw);
    if (parsed === null || typeof parsed === "number" || typeof parsed === "boolean" || isExactNumber(parsed)) return parsed;
  } catch {
    /* a plain string */
  }
  return raw;
}

/**
 * The data filters as one containment document, every path applied as
 * written: keys live in objects without a prototype, so __proto__,
 * constructor or prototype are keys like any other (an object literal or a
 * plain assignment would have dropped or redirected them). A path that is
 * the prefix of another (data.a=1 with data.a.b=2) is refused: no event
 * could match both, and merging them would drop one.
 */
function containment(filters: [string, string, string][], errors: ParamError[]): Record<string, unknown> | undefined {
  if (filters.length === 0) return undefined;
  const sorted = [...filters].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i][1].startsWith(`${sorted[i - 1][1]}.`)) {
      errors.push({ pointer: `/${sorted[i][0]}`, reason: `conflicts with ${sorted[i - 1][0]}: a value can not be both a leaf and an object` });
    }
  }
  const root: Record<string, unknown> = Object.create(null);
  for (const [, path, raw] of filters) {
    const segments = path.split(".");
    let node = root;
    for (const key of segments.slice(0, -1)) {
      if (!Object.hasOwn(node, key) || typeof node[key] !== "object" || node[key] === null) node[key] = Object.create(null);
      node = node[key] as Record<string, unknown>;
    }
    node[segments[segments.length - 1]] = filterValue(raw);
  }
  return root;
}

export function parseAuditQuery(
  query: Record<string, unknown>,
  now = new Date(),
  extraKnown: string[] = [],
): { ok: true; value: ParsedQuery } | { ok: false; errors: ParamError[] } {
  const errors: ParamError[] = [];
  const filter: AuditFilter = {};
  const one = (name: string): string | undefined => {
    const v = query[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string") {
      errors.push({ pointer: `/${name}`, reason: "give this parameter once" });
      return undefined;
    }
    if (v.length === 0 || v.length > 1024 || v.includes("\u0000")) {
      errors.push({ pointer: `/${name}`, reason: "must be 1 to 1024 characters without NUL" });
      return undefined;
    }
    return v;
  };
  const dataFilters: [string, string, string][] = [];
  for (const name of Object.keys(query)) {
    if (KNOWN.has(name) || extraKnown.includes(name)) continue;
    const m = DATA_PATH.exec(name);
    if (m) {
      const v = one(name);
      if (v !== undefined) dataFilters.push([name, m[1], v]);
    } else if (name.startsWith("data.")) {
      errors.push({ pointer: `/${name}`, reason: "a data filter is data.<path>: 1 to 8 keys of letters, digits, _ and - (at most 64 each), joined by dots" });
    } else {
      errors.push({ pointer: `/${name}`, reason: "unknown parameter" });
    }
  }
  const data = containment(dataFilters, errors);
  if (data) filter.data = data;
  for (const name of TEXT_FILTERS) {
    const v = one(name);
    if (v !== undefined) filter[name] = v;
  }
  const eventType = one("event_type");
  if (eventType !== undefined) {
    if (/^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.\*$/.test(eventType)) filter.event_type_prefix = eventType.slice(0, -1);
    else if (/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/.test(eventType)) filter.event_type = eventType;
    else errors.push({ pointer: "/event_type", reason: "a dotted lower-case type, or a prefix ending in .* (e.g. gateway.*)" });
  }
  const enums: [string, readonly string[]][] = [["actor_type", ACTOR_TYPES], ["outcome", OUTCOMES], ["severity", SEVERITIES]];
  for (const [name, allowed] of enums) {
    const v = one(name);
    if (v === undefined) continue;
    const normal = v.toLowerCase() === "warn" ? "warning" : v.toLowerCase();
    if (allowed.includes(normal)) (filter as Record<string, string>)[name] = normal;
    else errors.push({ pointer: `/${name}`, reason: `one of ${allowed.join(", ")}` });
  }
  for (const name of ["since", "until"] as const) {
    const v = one(name);
    if (v === undefined) continue;
    const t = parseTime(v, now);
    if (t) filter[name] = t;
    else errors.push({ pointer: `/${name}`, reason: "a duration like 15m, 24h, 7d or an RFC 3339 time" });
  }
  let limit = 100;
  const rawLimit = one("limit");
  if (rawLimit !== undefined) {
    limit = Number(rawLimit);
    if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > 1000) errors.push({ pointer: "/limit", reason: "an integer from 1 to 1000" });
  }
  let order: "asc" | "desc" = "desc";
  const rawOrder = one("order");
  if (rawOrder !== undefined) {
    if (rawOrder === "asc" || rawOrder === "desc") order = rawOrder;
    else errors.push({ pointer: "/order", reason: "asc or desc" });
  }
  const cursor = one("cursor");
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: { filter, limit, order, cursor } };
}

/** WHERE conditions for a filter, with their parameters, numbered from `first`. */
export function filterToSql(filter: AuditFilter, first = 1): { conditions: string[]; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(sql(`$${first + params.length - 1}`));
  };
  for (const name of TEXT_FILTERS) {
    if (filter[name] !== undefined) add((p) => `e.${name} = ${p}`, filter[name]);
  }
  if (filter.event_type) add((p) => `e.event_type = ${p}`, filter.event_type);
  if (filter.event_type_prefix) add((p) => `starts_with(e.event_type, ${p})`, filter.event_type_prefix);
  if (filter.actor_type) add((p) => `e.actor_type = ${p}::warden.actor_type`, filter.actor_type);
  if (filter.outcome) add((p) => `e.outcome = ${p}::warden.audit_outcome`, filter.outcome);
  if (filter.severity) add((p) => `e.severity >= ${p}::warden.audit_severity`, filter.severity);
  if (filter.since) add((p) => `e.occurred_at >= ${p}::timestamptz`, filter.since);
  if (filter.until) add((p) => `e.occurred_at < ${p}::timestamptz`, filter.until);
  if (filter.data) add((p) => `e.event_data @> ${p}::jsonb`, JSON.stringify(filter.data));
  return { conditions, params };
}

/**
 * The keyset condition of a cursor page: rows strictly after (occurred_at,
 * event_id) in the query's order. The row comparison is an index range on
 * (tenant_id, occurred_at, event_id); the plain occurred_at bound also lets
 * the other (tenant_id, ..., occurred_at) indexes stop at the cursor when a
 * filter picks one of them.
 */
export function keysetCondition(order: "asc" | "desc", occurredAtParam: string, eventIdParam: string): string {
  const cmp = order === "desc" ? "<" : ">";
  return `e.occurred_at ${cmp}= ${occurredAtParam}::timestamptz and (e.occurred_at, e.event_id) ${cmp} (${occurredAtParam}::timestamptz, ${eventIdParam}::uuid)`;
}
