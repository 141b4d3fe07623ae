/**
 * Read-time redaction, as far as TypeScript is concerned: the rules live in
 * SQL (warden_private.redact_payload, applied by the view
 * warden.audit_events_redacted). The API only passes the caller's wish to
 * see raw values (honoured for tenant owners and admins only, in SQL) and
 * counts what the view reports as redacted.
 */
import type { Request } from "express";
import type pg from "pg";
import { readRedactions } from "../metrics";

/** The request parameter / header that asks for raw values. */
export const INCLUDE_REDACTED_PARAM = "include_redacted";
export const INCLUDE_REDACTED_HEADER = "x-include-redacted";

/** true, false, or an error message for a bad value. */
export function includeRedactedFrom(req: Request): { ok: true; value: boolean } | { ok: false; reason: string } {
  const q = req.query[INCLUDE_REDACTED_PARAM];
  const raw = q !== undefined ? q : req.get(INCLUDE_REDACTED_HEADER);
  if (raw === undefined) return { ok: true, value: false };
  if (raw === "true" || raw === "false") return { ok: true, value: raw === "true" };
  return { ok: false, reason: "true or false" };
}

/** Sets warden.include_redacted for the rest of the transaction. */
export async function applyIncludeRedacted(client: pg.ClientBase, include: boolean): Promise<void> {
  await client.query("select set_config('warden.include_redacted', $1, true)", [include ? "true" : "false"]);
}

/** Counts the fields the view redacted in rows read ({field: method} in redacted_fields). */
export function countReadRedactions(rows: { redacted_fields?: Record<string, string> | null }[]): void {
  for (const row of rows) {
    if (!row.redacted_fields) continue;
    for (const method of Object.values(row.redacted_fields)) readRedactions.inc({ method, mode: "read" });
  }
}
