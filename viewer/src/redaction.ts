/**
 * redacted_fields, as the API reports it: {"event_data.customer.email":
 * "mask", "actor_ip": "mask", "values.email": "mask", ...}. The viewer marks
 * every such field, including removed ones (which are absent from the data).
 */
export type Redactions = Record<string, string> | null | undefined;

export function redactionOf(redactions: Redactions, path: string): string | undefined {
  return redactions ? redactions[path] : undefined;
}

/** Paths under `prefix.` that were removed (method "remove"), so the viewer can still show they existed. */
export function removedUnder(redactions: Redactions, prefix: string): string[] {
  if (!redactions) return [];
  return Object.entries(redactions)
    .filter(([p, m]) => m === "remove" && p.startsWith(`${prefix}.`))
    .map(([p]) => p);
}

/** A column of a trigger-captured row (old_values / new_values / row_data): marked as "values.<column>". */
export function columnRedaction(redactions: Redactions, column: string): string | undefined {
  if (!redactions) return undefined;
  return redactions[`values.${column}`] ?? redactions[`old_values.${column}`] ?? redactions[`new_values.${column}`];
}
