/** The events table: the query API's filters, keyset paging, details, export. */
import { useEffect, useState } from "preact/hooks";
import { html } from "./html";
import { ApiError, type AuditEvent } from "./api";
import { JsonValue, RedactedMark } from "./json";
import type { Nav } from "./main";

const TEXT_FILTERS: [string, string, string][] = [
  ["event_type", "Event type", "e.g. shop.order.placed or shop.*"],
  ["actor_id", "Actor id", ""],
  ["resource_type", "Resource type", ""],
  ["resource_id", "Resource id", ""],
  ["correlation_id", "Correlation id", ""],
  ["service", "Service", ""],
  ["since", "Since", "15m, 24h, 7d or an RFC 3339 time"],
  ["until", "Until", "RFC 3339 time"],
];
const SELECTS: [string, string, string[]][] = [
  ["actor_type", "Actor type", ["user", "api_key", "service", "system", "db_role"]],
  ["outcome", "Outcome", ["success", "failure", "unknown"]],
  ["severity", "Severity at least", ["debug", "info", "notice", "warning", "error", "critical"]],
];

type Filters = Record<string, string>;

/** The query string of the filters: data lines "path=value" become data.path=value. */
export function filterParams(f: Filters): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) {
    if (k === "data" || k === "limit" || k === "order" || !v.trim()) continue;
    p.set(k, v.trim());
  }
  for (const line of (f.data ?? "").split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) p.set(`data.${line.slice(0, i).trim()}`, line.slice(i + 1).trim());
  }
  return p;
}

function Details(props: { event: AuditEvent; nav: Nav; onClose(): void }) {
  const e = props.event;
  const r = e.redacted_fields;
  const fields = Object.keys(e).filter((k) => !["event_data", "old_values", "new_values", "redacted_fields", "row_pk"].includes(k));
  return html`<aside class="details" id="event-details" data-event-id=${e.event_id}>
    <div class="details-head">
      <h2>${e.event_type}</h2>
      <button class="link" id="close-details" onClick=${props.onClose}>Close</button>
    </div>
    ${r && html`<p class="redaction-note" id="redaction-note">Fields hidden by the tenant's redaction policy are marked <${RedactedMark} method="…" />.</p>`}
    <dl class="fields">
      ${fields.map(
        (k) => html`<dt>${k}</dt><dd data-field=${k}>${e[k] === null ? html`<span class="null">—</span>` : Array.isArray(e[k]) ? (e[k] as string[]).join(", ") : String(e[k])}
          ${r?.[k] && html` <${RedactedMark} method=${r[k]} />`}</dd>`,
      )}
    </dl>
    ${e.correlation_id && html`<button id="open-timeline" onClick=${() => props.nav.openTimeline(e.correlation_id!)}>Correlation timeline</button>`}
    ${e.table_name && e.row_pk && html`<button id="open-row-history" onClick=${() => props.nav.openHistory(e.table_name!, e.row_pk!)}>Row history of ${e.table_name}</button>`}
    ${e.event_data !== null && e.event_data !== undefined && html`<h3>data</h3><div class="json-root" id="event-data"><${JsonValue} value=${e.event_data} path="event_data" redactions=${r} /></div>`}
    ${e.row_pk && html`<h3>row key</h3><${JsonValue} value=${e.row_pk} path="row_pk" redactions=${r} />`}
    ${e.old_values && html`<h3>old values</h3><${JsonValue} value=${e.old_values} path="old_values" redactions=${r} />`}
    ${e.new_values && html`<h3>new values</h3><${JsonValue} value=${e.new_values} path="new_values" redactions=${r} />`}
  </aside>`;
}

export function EventsView(props: { nav: Nav }) {
  const { api } = props.nav;
  const [draft, setDraft] = useState<Filters>({ limit: "50", order: "desc" });
  const [applied, setApplied] = useState<Filters>({ limit: "50", order: "desc" });
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState(0);
  const [rows, setRows] = useState<AuditEvent[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<AuditEvent | null>(null);
  const [exportNote, setExportNote] = useState<string | null>(null);

  useEffect(() => {
    const params = filterParams(applied);
    params.set("limit", applied.limit || "50");
    params.set("order", applied.order || "desc");
    const cursor = cursors[page];
    if (cursor) params.set("cursor", cursor);
    let cancelled = false;
    setLoading(true);
    api
      .get<{ data: AuditEvent[]; next_cursor: string | null }>("audit/events", params)
      .then((body) => {
        if (cancelled) return;
        setRows(body.data);
        setNext(body.next_cursor);
        setError(null);
      })
      .catch((err) => {
        if (cancelled) return;
        setRows([]);
        setNext(null);
        setError(err instanceof ApiError ? err.message : String(err));
      })
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [applied, page, cursors]);

  const apply = (e: Event) => {
    e.preventDefault();
    setCursors([null]);
    setPage(0);
    setSelected(null);
    setApplied({ ...draft });
  };
  const set = (k: string) => (e: Event) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value });
  const exportAs = async (format: "jsonl" | "csv") => {
    const params = filterParams(applied);
    params.set("format", format);
    setExportNote(`exporting ${format}…`);
    try {
      const size = await api.download("audit/export", params, `audit-export.${format}`);
      setExportNote(`exported ${format} (${size} bytes) with the current filters`);
    } catch (err) {
      setExportNote(err instanceof ApiError ? err.message : String(err));
    }
  };

  return html`<section class="events">
    <form class="filters" id="filters" onSubmit=${apply}>
      ${TEXT_FILTERS.map(
        ([k, label, ph]) => html`<label>${label}<input name=${k} id=${`f-${k}`} value=${draft[k] ?? ""} placeholder=${ph} onInput=${set(k)} /></label>`,
      )}
      ${SELECTS.map(
        ([k, label, options]) => html`<label>${label}<select name=${k} id=${`f-${k}`} value=${draft[k] ?? ""} onChange=${set(k)}>
          <option value="">any</option>${options.map((o) => html`<option value=${o}>${o}</option>`)}
        </select></label>`,
      )}
      <label class="wide">Data contains (one path=value a line)<textarea id="f-data" rows="2" value=${draft.data ?? ""} placeholder="customer.tier=gold" onInput=${set("data")}></textarea></label>
      <label>Page size<select id="f-limit" value=${draft.limit} onChange=${set("limit")}>${["10", "25", "50", "100", "500"].map((o) => html`<option value=${o}>${o}</option>`)}</select></label>
      <label>Order<select id="f-order" value=${draft.order} onChange=${set("order")}><option value="desc">newest first</option><option value="asc">oldest first</option></select></label>
      <div class="actions">
        <button type="submit" id="apply-filters">Apply filters</button>
        <button type="button" id="export-jsonl" onClick=${() => exportAs("jsonl")}>Export JSONL</button>
        <button type="button" id="export-csv" onClick=${() => exportAs("csv")}>Export CSV</button>
        ${exportNote && html`<span class="note" id="export-note">${exportNote}</span>`}
      </div>
    </form>
    ${error && html`<p class="error" id="events-error" role="alert">${error}</p>`}
    <div class="results">
      <table id="events-table" class=${loading ? "loading" : ""}>
        <thead><tr><th>occurred at</th><th>event type</th><th>actor</th><th>resource</th><th>outcome</th><th>severity</th><th>correlation</th></tr></thead>
        <tbody>
          ${(rows ?? []).map(
            (e) => html`<tr class=${selected?.event_id === e.event_id ? "event-row selected" : "event-row"} data-event-id=${e.event_id} data-event-type=${e.event_type} onClick=${() => setSelected(e)}>
              <td>${e.occurred_at}</td>
              <td>${e.event_type}${e.redacted_fields && html` <span class="redacted-flag" title="some fields are redacted">redacted</span>`}</td>
              <td>${e.actor_type ?? ""} ${e.actor_id ?? ""}</td>
              <td>${e.resource_type ?? e.table_name ?? ""} ${e.resource_id ?? ""}</td>
              <td class=${`outcome ${e.outcome}`}>${e.outcome}</td>
              <td class=${`severity sev-${e.severity}`}>${e.severity}</td>
              <td>${e.correlation_id
                ? html`<button class="link" onClick=${(ev: Event) => {
                    ev.stopPropagation();
                    props.nav.openTimeline(e.correlation_id!);
                  }}>${e.correlation_id}</button>`
                : ""}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${rows && rows.length === 0 && !error && html`<p class="empty" id="events-empty">No events match these filters.</p>`}
      <div class="pager">
        <button id="prev-page" disabled=${page === 0 || loading} onClick=${() => setPage(page - 1)}>← Previous</button>
        <span id="page-number">page ${page + 1}</span>
        <button id="next-page" disabled=${!next || loading} onClick=${() => {
          setCursors([...cursors.slice(0, page + 1), next]);
          setPage(page + 1);
        }}>Next →</button>
      </div>
    </div>
    ${selected && html`<${Details} event=${selected} nav=${props.nav} onClose=${() => setSelected(null)} />`}
  </section>`;
}
