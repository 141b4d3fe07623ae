/**
 * JSON with every number's exact value. JSON.parse turns 9007199254740993
 * into ...992, 1e400 into Infinity (stored as null) and 1e-400 into 0. A
 * text that may hold such a number is parsed again with the source text of
 * every number at hand (JSON.parse's reviver context), and a number
 * JavaScript would not write back as it came is kept as its source text
 * (JSON.rawJSON): JSON.stringify then writes it unchanged, and jsonb stores
 * its exact decimal value. Used for request bodies (src/http/jsonInput.ts),
 * query filter values, and audit reads (exactJsonTypes).
 */
import pg from "pg";

interface RawJson {
  readonly rawJSON: string;
}
interface JsonWithRaw {
  rawJSON(text: string): RawJson;
  isRawJSON(value: unknown): value is RawJson;
  parse(text: string, reviver: (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown): unknown;
}
const J = JSON as unknown as JsonWithRaw;

/**
 * A number token that JavaScript may not write back as sent: 16 or more
 * digits (beyond a double's 15 exact ones), an exponent, or a fraction
 * ending in 0. Matched anywhere in the text (inside strings too): a false
 * match only costs the slower exact parse.
 */
const MAYBE_INEXACT = /(?:^|[:[,])\s*-?(?:[\d.]{16}|\d+(?:\.\d+)?[eE]|\d+\.\d*0(?!\d))/;

function keepNumberSource(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === "number" && context?.source !== undefined && String(value) !== context.source) return J.rawJSON(context.source);
  return value;
}

/** Parses JSON text (an empty text is an empty object, as body-parser has it); throws SyntaxError. */
export function parseJson(text: string): unknown {
  if (text.length === 0) return {};
  return MAYBE_INEXACT.test(text) ? J.parse(text, keepNumberSource) : JSON.parse(text);
}

/**
 * pg query types that read json and jsonb with parseJson: audit reads
 * (REST queries and exports) return every number as it was stored, where
 * pg's default JSON.parse would round 9007199254740993 and turn 1e400 into
 * null. Only for queries that pass it; nothing else in the process changes.
 */
export const exactJsonTypes = {
  getTypeParser: (oid: number, format?: string): ((value: string) => unknown) =>
    oid === JSONB_OID || oid === JSON_OID ? parseJson : (pg.types.getTypeParser(oid, format as "text") as (value: string) => unknown),
};
const JSON_OID = 114;
const JSONB_OID = 3802;

/** True for a number kept as its source text by parseJson. */
export function isExactNumber(value: unknown): value is RawJson {
  return typeof value === "object" && value !== null && J.isRawJSON(value);
}

/**
 * The digits of a JSON number written out in full, as PostgreSQL's numeric
 * prints it: integer digits (at least one) plus the scale. 1e400 has 401,
 * 1e-400 has 401 (0.000...1), 1.50 has 3.
 */
export function writtenOutDigits(source: string): number {
  const m = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(source);
  if (!m) return source.length;
  const intPart = m[1];
  const frac = m[2] ?? "";
  const exp = m[3] === undefined ? 0 : Number(m[3]);
  const digits = intPart + frac;
  const lead = digits.length - digits.replace(/^0+/, "").length;
  const pointAt = intPart.length + exp - lead; // digits before the point, counted from the first non-zero one
  const intDigits = lead === digits.length ? 1 : Math.max(1, pointAt);
  const scale = Math.max(0, frac.length - exp);
  return intDigits + scale;
}

