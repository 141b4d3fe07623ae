/** One request's events across services, in order (GET /audit/correlations/{id}). */
import { useEffect, useState } from "preact/hooks";
import { html } from "./html";
import { ApiError, type AuditEvent } from "./api";
import { RedactedMark } from "./json";
import type { Nav } from "./main";

export function TimelineView(props: { nav: Nav; initial: string }) {
  const [draft, setDraft] = useState(props.initial);
  const [id, setId] = useState(props.initial);
  const [body, setBody] = useState<{ events: AuditEvent[]; count: number; truncated: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!id) return;
    setError(null);
    props.nav.api
      .get(`audit/correlations/${encodeURIComponent(id)}`)
      .then(setBody)
      .catch((err) => {
        setBody(null);
        setError(err instanceof ApiError ? err.message : String(err));
      });
  }, [id]);

  const start = body?.events[0] ? Date.parse(body.events[0].occurred_at) : 0;
  return html`<section class="timeline-view">
    <form class="inline" onSubmit=${(e: Event) => {
      e.preventDefault();
      setId(draft.trim());
    }}>
      <label>Correlation id <input id="t-correlation" value=${draft} onInput=${(e: Event) => setDraft((e.target as HTMLInputElement).value)} /></label>
      <button type="submit" id="t-load">Show timeline</button>
    </form>
    ${error && html`<p class="error" role="alert" id="timeline-error">${error}</p>`}
    ${body &&
    html`<p class="note">${body.count} event${body.count === 1 ? "" : "s"}${body.truncated ? " (the first 10,000)" : ""}</p>
      <ol class="timeline" id="timeline">
        ${body.events.map(
          (e) => html`<li class=${`tl ${e.outcome}`} data-event-id=${e.event_id}>
            <span class="offset">+${((Date.parse(e.occurred_at) - start) / 1000).toFixed(3)} s</span>
            <span class="service">${e.service ?? e.table_name ?? "—"}</span>
            <strong>${e.event_type}</strong>
            <span>${e.actor_type ?? ""} ${e.actor_id ?? ""}</span>
            <span class=${`outcome ${e.outcome}`}>${e.outcome}</span>
            ${e.redacted_fields && html`<${RedactedMark} method=${Object.values(e.redacted_fields).join(", ")} />`}
            <time>${e.occurred_at}</time>
          </li>`,
        )}
      </ol>`}
  </section>`;
}
