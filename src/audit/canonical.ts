/**
 * The chain's canonical forms of an event, computed from an exported event
 * (the JSON object GET /api/v1/audit/export writes) without the database.
 * They mirror the SQL functions warden_private.audit_envelope and
 * warden_private.audit_payload_hash byte for byte, including PostgreSQL's
 * text output of jsonb and text[], so an auditor can recompute every hash of
 * an export offline (src/audit/offlineVerify.ts). A test checks both sides
 * agree on events of every shape (test/audit/offlineVerify.test.ts).
 */
import { createHash } from "node:crypto";
import { isExactNumber } from "./exactJson";

/** A JSON number kept as its source text (parseJsonExact). */
export class JsonNumber {
  constructor(readonly source: string) {}
}

/** warden_private.canonical_field: <length in characters>:<value>, or - for null. */
export function canonicalField(value: string | null | undefined): string {
  if (value === null || value === undefined) return "-";
  let n = 0;
  for (const _ of value) n++; // code points, as PostgreSQL's length() counts characters
  return `${n}:${value}`;
}

/**
 * A JSON number as PostgreSQL's numeric prints it inside jsonb: plain
 * decimal, no exponent, the scale it was given (1.50 stays 1.50, 1e2 is
 * 100, 1e-7 is 0.0000001), no negative zero.
 */
export function pgNumericText(source: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(source);
  if (!m) throw new Error(`not a JSON number: ${source}`);
  const [, sign, intPart, frac = "", expText] = m;
  const exp = expText === undefined ? 0 : Number(expText);
  const scale = Math.max(0, frac.length - exp);
  let digits = intPart + frac; // value = digits * 10^(exp - frac.length)
  const shift = exp - frac.length + scale; // digits * 10^shift / 10^scale
  digits = digits + "0".repeat(shift);
  if (digits.length <= scale) digits = "0".repeat(scale - digits.length + 1) + digits;
  let whole = digits.slice(0, digits.length - scale).replace(/^0+(?=\d)/, "");
  const fraction = digits.slice(digits.length - scale);
  if (whole === "") whole = "0";
  const zero = /^0*$/.test(whole + fraction);
  return (sign && !zero ? "-" : "") + whole + (scale ? "." + fraction : "");
}

/** A string as PostgreSQL's escape_json writes it. */
function pgJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += s[i];
  }
  return out + '"';
}

/** jsonb orders object keys by length in bytes, then bytewise. */
const SURROGATE = /[\uD800-\uDFFF]/;
function jsonbKeyOrder(a: string, b: string): number {
  const la = Buffer.byteLength(a, "utf8");
  const lb = Buffer.byteLength(b, "utf8");
  if (la !== lb) return la - lb;
  // Without surrogates, UTF-16 order is code point order, which is UTF-8 byte order.
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** A JSON value as PostgreSQL prints the jsonb holding it (value::text). */
export function jsonbText(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("a jsonb number is finite");
    return pgNumericText(String(value));
  }
  if (typeof value === "string") return pgJsonString(value);
  if (value instanceof JsonNumber) return pgNumericText(value.source);
  if (typeof (JSON as { isRawJSON?: unknown }).isRawJSON === "function" && isExactNumber(value)) return pgNumericText(value.rawJSON);
  if (Array.isArray(value)) return "[" + value.map(jsonbText).join(", ") + "]";
  if (typeof value === "object") {
    const keys = Object.keys(value as object).sort(jsonbKeyOrder);
    return "{" + keys.map((k) => pgJsonString(k) + ": " + jsonbText((value as Record<string, unknown>)[k])).join(", ") + "}";
  }
  throw new Error(`not a JSON value: ${typeof value}`);
}

/** A text[] as PostgreSQL prints it ({a,"b c",NULL}). */
export function pgTextArray(values: readonly (string | null)[]): string {
  return (
    "{" +
    values
      .map((v) => {
        if (v === null) return "NULL";
        const quote = v === "" || /^null$/i.test(v) || /[{}",\\ \t\n\r\v\f]/.test(v);
        return quote ? '"' + v.replace(/(["\\])/g, "\\$1") + '"' : v;
      })
      .join(",") +
    "}"
  );
}

/** Microseconds since the epoch of an exported timestamp (YYYY-MM-DDTHH:MM:SS.ffffffZ). */
export function isoMicros(iso: string): bigint {
  const m = /^(\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/.exec(iso);
  if (!m) throw new Error(`not an exported timestamp: ${iso}`);
  const seconds = Date.parse(m[1] + "Z");
  if (!Number.isFinite(seconds)) throw new Error(`not an exported timestamp: ${iso}`);
  return (BigInt(seconds) / 1000n) * 1_000_000n + BigInt((m[2] ?? "").padEnd(6, "0"));
}

/** An exported event (the fields the chain covers). */
export interface ExportedEvent {
  event_id: string;
  tenant_id: string | null;
  occurred_at: string;
  event_type: string | null;
  category: string | null;
  action: string | null;
  outcome: string;
  severity: string;
  actor_type: string;
  txid: string;
  table_name: string | null;
  correlation_id: string | null;
  trace_id: string | null;
  parent_event_id: string | null;
  actor_id: string | null;
  actor_ip: string | null;
  user_agent: string | null;
  resource_type: string | null;
  resource_id: string | null;
  service: string | null;
  row_pk: unknown;
  changed_fields: (string | null)[] | null;
  old_values: unknown;
  new_values: unknown;
  event_data: unknown;
  redacted_fields?: Record<string, unknown> | null;
}

function nullable(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** warden_private.audit_envelope of an exported event. */
export function envelopeOf(e: ExportedEvent): string {
  return [
    "warden.envelope.v1",
    e.event_id,
    canonicalField(nullable(e.tenant_id)),
    isoMicros(e.occurred_at).toString(),
    canonicalField(nullable(e.event_type)),
    canonicalField(nullable(e.category)),
    canonicalField(nullable(e.action)),
    e.outcome,
    e.severity,
    e.actor_type,
    String(e.txid),
    canonicalField(nullable(e.table_name)),
    canonicalField(nullable(e.correlation_id)),
    canonicalField(nullable(e.trace_id)),
    canonicalField(nullable(e.parent_event_id)),
  ].join("|");
}

function jsonbField(v: unknown): string {
  return canonicalField(v === null || v === undefined ? null : jsonbText(v));
}

/** warden_private.audit_payload_hash of an exported event (sha256 of its canonical payload). */
export function payloadHashOf(e: ExportedEvent): Buffer {
  const host = e.actor_ip === null || e.actor_ip === undefined ? null : String(e.actor_ip).replace(/\/\d+$/, "");
  const text = [
    "warden.payload.v1",
    canonicalField(nullable(e.actor_id)),
    canonicalField(host),
    canonicalField(nullable(e.user_agent)),
    canonicalField(nullable(e.resource_type)),
    canonicalField(nullable(e.resource_id)),
    canonicalField(nullable(e.service)),
    jsonbField(e.row_pk),
    canonicalField(e.changed_fields === null || e.changed_fields === undefined ? null : pgTextArray(e.changed_fields)),
    jsonbField(e.old_values),
    jsonbField(e.new_values),
    jsonbField(e.event_data),
  ].join("|");
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * A number token JavaScript may not carry exactly: 16 or more digit/dot
 * characters, an exponent, or a fraction ending in 0 (as src/audit/exactJson.ts).
 * Any other JSON number survives JSON.parse: pgNumericText gives PostgreSQL's
 * text for it from String(value).
 */
const MAYBE_INEXACT = /(?:^|[:[,])\s*-?(?:[\d.]{16}|\d+(?:\.\d+)?[eE]|\d+\.\d*0(?!\d))/;

/**
 * Parses one JSON text with every number's exact value: JSON.parse when no
 * number could lose anything, else a small parser that keeps each number as
 * a JsonNumber. Works on any Node version (no JSON.rawJSON needed).
 */
export function parseJsonExact(text: string): unknown {
  if (!MAYBE_INEXACT.test(text)) return JSON.parse(text);
  let i = 0;
  const fail = (): never => {
    throw new SyntaxError(`invalid JSON at position ${i}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c)) fail();
      if (c === 0x22) break;
      if (c === 0x5c) i++;
      i++;
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (depth: number): unknown => {
    if (depth > 1000) fail();
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const k = str();
        ws();
        if (text[i++] !== ":") fail();
        Object.defineProperty(obj, k, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return obj;
        } else fail();
      }
    }
    if (c === "[") {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return arr;
        } else fail();
      }
    }
    if (c === '"') return str();
    if (text.startsWith("true", i)) return (i += 4), true;
    if (text.startsWith("false", i)) return (i += 5), false;
    if (text.startsWith("null", i)) return (i += 4), null;
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 4096));
    if (!m) fail();
    i += m![0].length;
    // Plain numbers where JavaScript carries them exactly; the source text otherwise.
    return String(Number(m![0])) === m![0] ? Number(m![0]) : new JsonNumber(m![0]);
  };
  const out = value(0);
  ws();
  if (i !== text.length) fail();
  return out;
}
