/**
 * The tenant's chain state (GET /audit/verify). Rendered defensively: the
 * known fields first (ok, status, last verified, first_bad, capture gaps),
 * then every other field the server reports, whatever it is.
 */
import { useEffect, useState } from "preact/hooks";
import { html } from "./html";
import { ApiError } from "./api";
import type { Nav } from "./main";

const KNOWN = ["ok", "status", "tenant_id", "last_verified_at", "verified_at", "last_verified", "first_bad", "capture_gaps", "gaps", "capture_gap"];

function value(v: unknown): string {
  if (v === null || v === undefined) return "—";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export function VerifyView(props: { nav: Nav }) {
  const [report, setReport] = useState<Record<string, unknown> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [checkedAt, setCheckedAt] = useState<string | null>(null);
  const load = () => {
    setLoading(true);
    props.nav.api
      .get<Record<string, unknown>>("audit/verify")
      .then((r) => {
        setReport(r);
        setError(null);
        setCheckedAt(new Date().toISOString());
      })
      .catch((err) => {
        setReport(null);
        setError(err instanceof ApiError ? err.message : String(err));
      })
      .finally(() => setLoading(false));
  };
  useEffect(load, []);

  const r = report ?? {};
  const status = typeof r.status === "string" ? r.status : r.ok === true ? "ok" : r.ok === false ? "broken" : "unknown";
  const lastVerified = r.last_verified_at ?? r.verified_at ?? r.last_verified ?? checkedAt;
  const gaps = [r.capture_gaps, r.gaps, r.capture_gap].find((g) => g !== undefined && g !== null);
  const gapList = Array.isArray(gaps) ? gaps : gaps ? [gaps] : [];
  return html`<section class="verify-view" id="verify-status">
    <div class="actions"><button id="verify-run" disabled=${loading} onClick=${load}>${loading ? "Verifying…" : "Verify now"}</button></div>
    ${error && html`<p class="error" role="alert" id="verify-error">${error}</p>`}
    ${report &&
    html`<div class=${`chain-state ${status}`} id="chain-state" data-status=${status}>
        <span class="big">${status === "ok" ? "✓ chain intact" : status === "broken" ? "✗ chain broken" : status}</span>
        <span>last verified ${value(lastVerified)}</span>
      </div>
      ${r.first_bad ? html`<div class="error" id="first-bad">First bad link: ${value(r.first_bad)}</div>` : null}
      ${gapList.length > 0 &&
      html`<div class="gaps" id="capture-gaps"><h3>Capture gaps</h3><ul>${gapList.map((g) => html`<li>${value(g)}</li>`)}</ul></div>`}
      <dl class="fields" id="verify-fields">
        ${Object.entries(r)
          .filter(([k]) => !KNOWN.includes(k))
          .map(([k, v]) => html`<dt>${k}</dt><dd data-field=${k}>${value(v)}</dd>`)}
      </dl>`}
  </section>`;
}
