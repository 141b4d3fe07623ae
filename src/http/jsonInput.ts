/**
 * JSON request bodies as Warden can store them: parsed with every number's
 * exact value kept, then checked, without recursion, for what PostgreSQL
 * would refuse or what would overflow a stack further on. The ingest fast
 * path, the Express ingest route and the GraphQL body guard all use this,
 * so a value that would fail a group commit never reaches one.
 *
 * Numbers: JSON.parse turns 9007199254740993 into ...992, 1e400 into
 * Infinity (stored as null) and 1e-400 into 0. A body that may hold such a
 * number is parsed again with the source text of every number at hand
 * (JSON.parse's reviver context), and a number JavaScript would not write
 * back as it came is kept as its source text (JSON.rawJSON): JSON.stringify
 * then writes it unchanged and jsonb stores its exact decimal value.
 */

import pg from "pg";

/** Objects and arrays nested at most this deep inside an event's field (data counts as level 1). */
export const MAX_DEPTH = 64;
/** A number written out in full (as jsonb prints it: 1e3 is 1000) has at most this many digits. */
export const MAX_NUMBER_DIGITS = 1000;
/** Numbers written with an exponent expand, in one request, to at most this many digits in all. */
export const MAX_EXPANDED_DIGITS = 1024 * 1024;

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
const MAYBE_INEXACT = /[:[,]\s*-?(?:[\d.]{16}|\d+(?:\.\d+)?[eE]|\d+\.\d*0(?!\d))/;

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

export interface JsonProblem {
  pointer: string;
  reason: string;
}

export const REASON_NUL = "contains U+0000, which PostgreSQL cannot store";
export const REASON_SURROGATE = "contains a lone UTF-16 surrogate (a \\ud800-\\udfff escape not in a pair)";
export const REASON_DEPTH = `objects and arrays nested more than ${MAX_DEPTH} levels deep`;
export const REASON_NUMBER = `a number of more than ${MAX_NUMBER_DIGITS} digits written out in full; send it as a string`;
export const REASON_EXPANSION = `numbers written with exponents expand to more than ${MAX_EXPANDED_DIGITS} digits in this request; send them as strings`;

export interface InspectOptions {
  /**
   * The depth of the values the limit applies to (the body is depth 1): 3
   * for the fields of the events of a batch, 2 for those of a single event.
   * A field counts as level 1: a container deeper than fieldDepth +
   * MAX_DEPTH - 1 is refused, at the pointer of the field holding it.
   */
  fieldDepth: number;
  /** False when the text holds no \u escape: strings then need no NUL or surrogate scan. */
  scanStrings: boolean;
}

const escapePointer = (key: string) => (key.includes("~") || key.includes("/") ? key.replace(/~/g, "~0").replace(/\//g, "~1") : key);

interface StringWithWellFormed {
  isWellFormed(): boolean;
}
function stringProblem(s: string): string | null {
  if (s.includes("\u0000")) return REASON_NUL;
  if (!(s as unknown as StringWithWellFormed).isWellFormed()) return REASON_SURROGATE;
  return null;
}

/**
 * Every place in a parsed body that PostgreSQL would refuse or that is too
 * deep to serialise: NUL and lone surrogates in strings and keys, nesting
 * beyond MAX_DEPTH, numbers too long written out. Iterative: any depth is
 * safe to inspect. Empty when the body can be stored as it is.
 */
export function inspectJson(body: unknown, opts: InspectOptions): JsonProblem[] {
  const problems: JsonProblem[] = [];
  const tooDeep = new Set<string>();
  const maxDepth = opts.fieldDepth + MAX_DEPTH - 1;
  let expanded = 0;
  let expansionReported = false;
  const expand = (digits: number, pointer: string) => {
    expanded += digits;
    if (expanded > MAX_EXPANDED_DIGITS && !expansionReported) {
      expansionReported = true;
      problems.push({ pointer, reason: REASON_EXPANSION });
    }
  };
  // [value, pointer, depth of value if a container, pointer of its field, its key in an object]
  const stack: [unknown, string, number, string, string | undefined][] = [[body, "", 1, "", undefined]];
  while (stack.length > 0) {
    const [value, pointer, depth, field, key] = stack.pop()!;
    if (key !== undefined && opts.scanStrings) {
      const reason = stringProblem(key);
      if (reason) problems.push({ pointer, reason: `its key ${reason}` });
    }
    if (typeof value === "string") {
      if (opts.scanStrings) {
        const reason = stringProblem(value);
        if (reason) problems.push({ pointer: pointer || "/", reason });
      }
      continue;
    }
    if (typeof value === "number") {
      const abs = Math.abs(value);
      // JavaScript writes these with an exponent: jsonb writes every digit
      if (abs >= 1e21 || (abs !== 0 && abs < 1e-6)) expand(writtenOutDigits(String(value)), pointer);
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (isExactNumber(value)) {
      const digits = writtenOutDigits(value.rawJSON);
      if (digits > MAX_NUMBER_DIGITS) problems.push({ pointer, reason: REASON_NUMBER });
      else expand(digits, pointer);
      continue;
    }
    if (depth > maxDepth) {
      if (!tooDeep.has(field)) {
        tooDeep.add(field);
        problems.push({ pointer: field, reason: REASON_DEPTH });
      }
      continue;
    }
    const childIsField = depth + 1 === opts.fieldDepth;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const p = `${pointer}/${i}`;
        stack.push([value[i], p, depth + 1, childIsField ? p : field, undefined]);
      }
    } else {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i];
        const p = `${pointer}/${escapePointer(k)}`;
        stack.push([(value as Record<string, unknown>)[k], p, depth + 1, childIsField ? p : field, k]);
      }
    }
  }
  return problems; // in document order
}
