/**
 * JSON request bodies as Warden can store them: parsed with every number's
 * exact value kept, then checked, without recursion, for what PostgreSQL
 * would refuse or what would overflow a stack further on. The ingest fast
 * path, the Express ingest route and the GraphQL body guard all use this,
 * so a value that would fail a group commit never reaches one.
 * Numbers keep their exact value (src/audit/exactJson.ts).
 */

import { isExactNumber, writtenOutDigits } from "../audit/exactJson";

export { parseJson } from "../audit/exactJson";

/** Objects and arrays nested at most this deep inside an event's field (data counts as level 1). */
export const MAX_DEPTH = 64;
/** A number written out in full (as jsonb prints it: 1e3 is 1000) has at most this many digits. */
export const MAX_NUMBER_DIGITS = 1000;
/** Numbers written with an exponent expand, in one request, to at most this many digits in all. */
export const MAX_EXPANDED_DIGITS = 1024 * 1024;

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
  return mayHoldProblems(body, opts) ? problemsOf(body, opts) : [];
}

/**
 * The walk of the usual body, which holds nothing to report: no pointers
 * built, only whether anything needs a closer look (false: certainly
 * nothing; true: problemsOf decides).
 */
function mayHoldProblems(body: unknown, opts: InspectOptions): boolean {
  const maxDepth = opts.fieldDepth + MAX_DEPTH - 1;
  const values: unknown[] = [body];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (typeof value === "string") {
      if (opts.scanStrings && stringProblem(value)) return true;
    } else if (typeof value === "number") {
      const abs = Math.abs(value);
      if (abs >= 1e21 || (abs !== 0 && abs < 1e-6)) return true;
    } else if (typeof value === "object" && value !== null) {
      if (depth > maxDepth || isExactNumber(value)) return true;
      if (Array.isArray(value)) {
        for (const v of value) {
          values.push(v);
          depths.push(depth + 1);
        }
      } else {
        for (const k in value) {
          if (opts.scanStrings && stringProblem(k)) return true;
          values.push((value as Record<string, unknown>)[k]);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/** Every problem, with its pointer. */
function problemsOf(body: unknown, opts: InspectOptions): JsonProblem[] {
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
