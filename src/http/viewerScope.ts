/**
 * Server-side enforcement of viewer tokens (src/auth/viewerTokens.ts):
 * - viewerGate: a viewer token may only GET the audit read routes; any other
 *   route (writes, API keys, invitations, subjects) and GraphQL answer 403.
 * - scopeConditions: the token's scope as WHERE conditions over the audit
 *   read source (alias e), added by every read route after the request's own
 *   filters, so no filter, cursor, event id or correlation id can reach
 *   outside it.
 */
import type { NextFunction, Request, Response } from "express";
import type { AuthContext } from "../auth/types";
import { problem, sendProblem } from "./problem";

/** The reads a viewer token may make (paths under /api/v1). */
const VIEWER_READS: RegExp[] = [
  /^\/me\/?$/,
  /^\/audit\/events\/?$/,
  /^\/audit\/events\/[^/]+\/?$/,
  /^\/audit\/correlations\/[^/]+\/?$/,
  /^\/audit\/export\/?$/,
  /^\/audit\/row-history\/?$/,
  /^\/audit\/verify\/?$/,
];

/** True when the token is confined to filters (not just the tenant). */
export function isScoped(ctx: AuthContext | undefined): boolean {
  return !!ctx?.viewer && Object.keys(ctx.viewer.scope).length > 0;
}

export function viewerGate(req: Request, res: Response, next: NextFunction): void {
  const ctx = req.warden;
  if (!ctx?.viewer) return next();
  const allowed = (req.method === "GET" || req.method === "HEAD") && VIEWER_READS.some((r) => r.test(req.path));
  if (!allowed) {
    sendProblem(res, problem(403, "viewer_token_read_only", `a viewer token may only read the audit trail; ${req.method} ${req.path} is not one of its reads`));
    return;
  }
  // The chain state covers the whole tenant: not for a token confined to part of it.
  if (/^\/audit\/verify/.test(req.path) && isScoped(ctx)) {
    sendProblem(res, problem(403, "outside_viewer_scope", "a scoped viewer token can not read the tenant's chain state"));
    return;
  }
  next();
}

/** GraphQL is not a viewer-token read path: its scope could not be enforced on every field. */
export function refuseViewerTokens(req: Request, res: Response, next: NextFunction): void {
  if (req.warden?.viewer) {
    sendProblem(res, problem(403, "viewer_token_read_only", "a viewer token can not use GraphQL; read through /api/v1/audit/*"));
    return;
  }
  next();
}

/**
 * The scope's conditions over alias `e` (a row of warden.audit_events_redacted
 * or audit_row_history joined to it), values appended to `params` (numbered
 * after those already there). Empty for anything but a scoped viewer token.
 */
export function scopeConditions(ctx: AuthContext | undefined, params: unknown[]): string[] {
  const scope = ctx?.viewer?.scope;
  if (!scope) return [];
  const conditions: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(sql(`$${params.length}`));
  };
  if (scope.actor_id !== undefined) add((p) => `e.actor_id = ${p}`, scope.actor_id);
  if (scope.actor_type !== undefined) add((p) => `e.actor_type = ${p}::warden.actor_type`, scope.actor_type);
  if (scope.resource_type !== undefined) add((p) => `e.resource_type = ${p}`, scope.resource_type);
  if (scope.resource_id !== undefined) add((p) => `e.resource_id = ${p}`, scope.resource_id);
  if (scope.service !== undefined) add((p) => `e.service = ${p}`, scope.service);
  if (scope.table_name !== undefined) add((p) => `e.table_name = ${p}`, scope.table_name);
  if (scope.event_type !== undefined) {
    if (scope.event_type.endsWith(".*")) add((p) => `starts_with(e.event_type, ${p})`, scope.event_type.slice(0, -1));
    else add((p) => `e.event_type = ${p}`, scope.event_type);
  }
  return conditions;
}
