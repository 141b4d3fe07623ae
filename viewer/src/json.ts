/** JSON values rendered as nested lists, with redacted paths marked (never hidden silently). */
import { html } from "./html";
import { redactionOf, removedUnder, type Redactions } from "./redaction";

export function RedactedMark(props: { method: string }) {
  return html`<span class="redacted" data-redacted=${props.method} title=${`redacted by the tenant's policy (${props.method})`}>redacted · ${props.method}</span>`;
}

function scalar(value: unknown) {
  if (value === null) return html`<span class="null">null</span>`;
  if (typeof value === "string") return html`<span class="str">${JSON.stringify(value)}</span>`;
  return html`<span class="num">${JSON.stringify(value)}</span>`;
}

/** `path` is the redaction path of `value` (e.g. event_data, event_data.customer). */
export function JsonValue(props: { value: unknown; path: string; redactions: Redactions }) {
  const { value, path, redactions } = props;
  const mark = redactionOf(redactions, path);
  if (value === null || typeof value !== "object") {
    return html`<span>${scalar(value)}${mark && html` <${RedactedMark} method=${mark} />`}</span>`;
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
  const removed = removedUnder(redactions, path).filter((p) => p.split(".").length === path.split(".").length + 1);
  return html`<ul class="json">
    ${mark && html`<li><${RedactedMark} method=${mark} /></li>`}
    ${entries.map(([k, v]) => html`<li data-path=${`${path}.${k}`}><span class="key">${k}</span>: <${JsonValue} value=${v} path=${`${path}.${k}`} redactions=${redactions} /></li>`)}
    ${removed.map((p) => html`<li class="removed" data-path=${p}><span class="key">${p.slice(path.length + 1)}</span>: <${RedactedMark} method="remove" /></li>`)}
  </ul>`;
}
