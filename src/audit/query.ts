/**
 * The audit query language of GET /api/v1/audit/events: parsing and
 * validating query parameters into a filter, and turning a filter into a
 * parameterised WHERE clause (column names come from a fixed list; user
 * input only ever travels as parameters).
 */

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

/** A data.<path>=<value> pair as a containment object; the value is JSON when it parses, else a string. */
function containment(path: string, raw: string): Record<string, unknown> {
  let value: unknown = raw;
  try {
    const parsed = JSON.parse(raw);
    if (parsed === null || ["number", "boolean"].includes(typeof parsed)) value = parsed;
  } catch {
    /* a plain string */
  }
  return path
    .split(".")
    .reverse()
    .reduce<unknown>((acc, key) => ({ [key]: acc }), value) as Record<string, unknown>;
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = k in out && typeof out[k] === "object" && typeof v === "object" ? merge(out[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
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
  for (const name of Object.keys(query)) {
    if (KNOWN.has(name) || extraKnown.includes(name)) continue;
    const m = DATA_PATH.exec(name);
    if (m) {
      const v = one(name);
      if (v !== undefined) filter.data = merge(filter.data ?? {}, containment(m[1], v));
    } else {
      errors.push({ pointer: `/${name}`, reason: "unknown parameter" });
    }
  }
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
