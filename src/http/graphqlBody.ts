/**
 * The JSON body of a GraphQL request, read and parsed here (after the
 * credential) instead of by grafserv: numbers keep their exact value (the
 * JSON scalar of recordAuditEvents stores what it was sent, as REST does),
 * and a body nested deeper than any valid request is refused with 400
 * before a recursive step (variable coercion, JSON.stringify on the way to
 * PostgreSQL) can overflow the stack. The depth rule of an event's data
 * itself lives in SQL (warden_private.audit_event_rule_problems).
 */
import express, { type NextFunction, type Request, type Response } from "express";
import { inspectJson, parseJson } from "./jsonInput";
import { problem, sendProblem } from "./problem";
import { INVALID_UTF8, strictUtf8 } from "./body";

/** grafserv's own default request size limit. */
const GRAPHQL_BODY_LIMIT = 100_000;
/** Containers above an event's data in a GraphQL body: the body, variables, a list, an event (and some slack for inputs nesting it deeper). */
const GRAPHQL_FIELD_DEPTH = 8;
/**
 * Braces and brackets a GraphQL document may nest: selections and input
 * literals (an event's data written inline, 64 levels, inside a mutation's
 * arguments). graphql-js parses and validates recursively and overflowed
 * the stack at about 2,000 levels.
 */
export const MAX_DOCUMENT_DEPTH = 80;

/** The deepest nesting of { and [ in a GraphQL document, outside its strings ("..." and """..."""). */
export function documentDepth(doc: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < doc.length; i++) {
    const ch = doc.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      if (doc.startsWith('"""', i)) {
        const end = doc.indexOf('"""', i + 3);
        i = end < 0 ? doc.length : end + 2;
      } else {
        for (i++; i < doc.length && doc.charCodeAt(i) !== 0x22; i++) if (doc.charCodeAt(i) === 0x5c /* \ */) i++;
      }
    } else if (ch === 0x23 /* # comment */) {
      while (i < doc.length && doc.charCodeAt(i) !== 0x0a) i++;
    } else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > max) max = depth;
    } else if (ch === 0x7d || ch === 0x5d) {
      depth--;
    }
  }
  return max;
}

const readText = express.text({
  type: "application/json",
  limit: GRAPHQL_BODY_LIMIT,
  defaultCharset: "utf-8",
  verify: (_req, _res, buf, encoding) => {
    if ((encoding ?? "utf-8").toLowerCase().replace("utf8", "utf-8") !== "utf-8") return;
    try {
      strictUtf8.decode(buf);
    } catch {
      throw Object.assign(new Error(INVALID_UTF8), { status: 400, type: "encoding.invalid_utf8" });
    }
  },
});

export function graphqlBody(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== "POST" || !req.is("application/json")) {
    next();
    return;
  }
  readText(req, res, (err?: unknown) => {
    if (err) {
      next(err);
      return;
    }
    if (typeof req.body !== "string") {
      next();
      return;
    }
    let body: unknown;
    try {
      body = parseJson(req.body);
    } catch {
      sendProblem(res, problem(400, "malformed_json", "the request body is not valid JSON"));
      return;
    }
    const problems = inspectJson(body, { fieldDepth: GRAPHQL_FIELD_DEPTH, scanStrings: false });
    const query = (body as { query?: unknown } | null)?.query;
    if (typeof query === "string" && documentDepth(query) > MAX_DOCUMENT_DEPTH) {
      problems.push({ pointer: "/query", reason: `braces and brackets nested more than ${MAX_DOCUMENT_DEPTH} levels deep` });
    }
    if (problems.length) {
      sendProblem(res, problem(400, "validation_failed", "the body holds values that cannot be stored as sent", { errors: problems }));
      return;
    }
    req.body = body;
    next();
  });
}
