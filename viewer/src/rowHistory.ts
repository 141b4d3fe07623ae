/** Every version of one row, each with a before/after diff (GET /audit/row-history). */
import { useEffect, useState } from "preact/hooks";
import { html } from "./html";
import { ApiError } from "./api";
import { RedactedMark } from "./json";
import { columnRedaction } from "./redaction";
import type { Nav } from "./main";

interface Version {
  event_id: string | null;
  occurred_at: string;
  action: string;
  actor_type: string | null;
  actor_id: string | null;
  txid: string | null;
  changed_fields: string[] | null;
  old_values: Record<string, unknown> | null;
  new_values: Record<string, unknown> | null;
  row_data: Record<string, unknown> | null;
  redacted_fields: Record<string, string> | null;
}

const show = (v: unknown) => (v === undefined ? "" : JSON.stringify(v));

function Diff(props: { v: Version }) {
  const { v } = props;
  const before = v.old_values ?? {};
  const after = v.new_values ?? {};
  const columns = v.action === "update" && v.changed_fields?.length ? v.changed_fields : [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return html`<table class="diff">
    <thead><tr><th>column</th><th>before</th><th>after</th></tr></thead>
    <tbody>
      ${columns.map((c) => {
        const changed = show(before[c]) !== show(after[c]);
        const oldMark = v.redacted_fields?.[`old_values.${c}`];
        const newMark = v.redacted_fields?.[`new_values.${c}`];
        return html`<tr class=${changed ? "changed" : ""} data-column=${c}>
          <td>${c}</td>
          <td class="before">${c in before ? show(before[c]) : html`<span class="null">—</span>`}${oldMark && html` <${RedactedMark} method=${oldMark} />`}</td>
          <td class="after">${c in after ? show(after[c]) : html`<span class="null">—</span>`}${newMark && html` <${RedactedMark} method=${newMark} />`}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

export function RowHistoryView(props: { nav: Nav; initial: { table: string; pk: string } | null }) {
  const [table, setTable] = useState(props.initial?.table ?? "");
  const [pk, setPk] = useState(props.initial?.pk ?? "");
  const [target, setTarget] = useState(props.initial);
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [scoped, setScoped] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!target) return;
    setError(null);
    props.nav.api
      .get("audit/row-history", new URLSearchParams({ table: target.table, pk: target.pk }))
      .then((body) => {
        setVersions(body.versions);
        setScoped(body.scoped);
      })
      .catch((err) => {
        setVersions(null);
        setError(err instanceof ApiError ? err.message : String(err));
      });
  }, [target]);

  return html`<section class="history-view">
    <form class="inline" onSubmit=${(e: Event) => {
      e.preventDefault();
      setTarget({ table: table.trim(), pk: pk.trim() });
    }}>
      <label>Table <input id="rh-table" value=${table} placeholder="public.orders" onInput=${(e: Event) => setTable((e.target as HTMLInputElement).value)} /></label>
      <label>Primary key (JSON) <input id="rh-pk" value=${pk} placeholder='{"id": 42}' onInput=${(e: Event) => setPk((e.target as HTMLInputElement).value)} /></label>
      <button type="submit" id="rh-load">Show history</button>
    </form>
    ${error && html`<p class="error" role="alert" id="history-error">${error}</p>`}
    ${versions && versions.length === 0 && html`<p class="empty" id="history-empty">No versions of this row${scoped ? " within this token's scope" : ""}.</p>`}
    ${versions &&
    html`<ol class="versions" id="row-history">
      ${versions.map(
        (v, i) => html`<li class="version" data-action=${v.action}>
          <header><strong>v${i + 1} · ${v.action}</strong> <time>${v.occurred_at}</time> by ${v.actor_type ?? "?"} ${v.actor_id ?? ""} ${v.txid ? html`<span class="note">txid ${v.txid}</span>` : ""}</header>
          <${Diff} v=${v} />
          ${v.row_data &&
          html`<details><summary>row after this change</summary><dl class="fields">${Object.entries(v.row_data).map(([c, val]) => {
            const mark = columnRedaction(v.redacted_fields, c);
            return html`<dt>${c}</dt><dd>${show(val)}${mark && html` <${RedactedMark} method=${mark} />`}</dd>`;
          })}</dl></details>`}
        </li>`,
      )}
    </ol>`}
  </section>`;
}
