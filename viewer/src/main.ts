/**
 * Warden's audit viewer: events (the query API's filters, keyset paging,
 * details with redactions marked), a correlation timeline, row history with
 * before/after diffs, verify status and export. Preact + htm, no JSX step.
 * It talks to Warden only through the REST API (src/http/routes/audit*.ts)
 * with the credential the user gives: a user token, an API key, or a viewer
 * token passed in the URL fragment (#token=wdv_...) by an embedding app.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { html } from "./html";
import { Api, ApiError } from "./api";
import { EventsView } from "./events";
import { TimelineView } from "./timeline";
import { RowHistoryView } from "./rowHistory";
import { VerifyView } from "./verify";
import "./style.css";


const STORAGE_KEY = "warden.viewer.token";

/** A token in the fragment (#token=...) wins, and is removed from the address bar at once. */
function initialToken(): string {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    const token = decodeURIComponent(m[1]);
    sessionStorage.setItem(STORAGE_KEY, token);
    history.replaceState(null, "", location.pathname + location.search);
    return token;
  }
  return sessionStorage.getItem(STORAGE_KEY) ?? "";
}

type View = "events" | "timeline" | "history" | "verify";

export interface Nav {
  api: Api;
  me: Me;
  openTimeline(correlationId: string): void;
  openHistory(table: string, pk: Record<string, unknown>): void;
}

interface Me {
  tenant_id: string;
  actor_id: string;
  actor_type: string;
  tenant_role: string;
  viewer_token?: { token_id: string; scope: Record<string, string>; expires_at: string };
}

function Login(props: { onLogin(token: string): void; error: string | null; busy: boolean }) {
  const [value, setValue] = useState("");
  const submit = (e: Event) => {
    e.preventDefault();
    if (value.trim()) props.onLogin(value.trim());
  };
  return html`<main class="login" id="login-screen">
    <h1>Warden audit viewer</h1>
    <form onSubmit=${submit}>
      <label for="token-input">Token or API key</label>
      <input id="token-input" type="password" autocomplete="off" spellcheck=${false} value=${value}
        onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} placeholder="a user token, wdn_... API key or wdv_... viewer token" />
      <button id="login" type="submit" disabled=${props.busy}>Open the audit trail</button>
    </form>
    ${props.error && html`<p class="error" id="login-error" role="alert">${props.error}</p>`}
    <p class="hint">The token stays in this tab (sessionStorage) and is sent only to this Warden's API.</p>
  </main>`;
}

function App() {
  const [token, setToken] = useState(initialToken());
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [view, setView] = useState<View>("events");
  const [timelineId, setTimelineId] = useState("");
  const [historyTarget, setHistoryTarget] = useState<{ table: string; pk: string } | null>(null);

  useEffect(() => {
    if (!token) return;
    let cancelled = false;
    setBusy(true);
    new Api(token)
      .get<Me>("me")
      .then((m) => {
        if (!cancelled) {
          setMe(m);
          setError(null);
        }
      })
      .catch((err) => {
        if (cancelled) return;
        sessionStorage.removeItem(STORAGE_KEY);
        setMe(null);
        setToken("");
        setError(err instanceof ApiError ? err.message : String(err));
      })
      .finally(() => !cancelled && setBusy(false));
    return () => {
      cancelled = true;
    };
  }, [token]);

  if (!token || !me) {
    return html`<${Login} busy=${busy} error=${error} onLogin=${(t: string) => {
      sessionStorage.setItem(STORAGE_KEY, t);
      setToken(t);
    }} />`;
  }
  const api = new Api(token);
  const nav: Nav = {
    api,
    me,
    openTimeline: (id) => {
      setTimelineId(id);
      setView("timeline");
    },
    openHistory: (table, pk) => {
      setHistoryTarget({ table, pk: JSON.stringify(pk) });
      setView("history");
    },
  };
  const logout = () => {
    sessionStorage.removeItem(STORAGE_KEY);
    setMe(null);
    setToken("");
  };
  const scope = me.viewer_token?.scope ?? null;
  const tab = (v: View, label: string) =>
    html`<button class=${view === v ? "tab active" : "tab"} id=${`tab-${v}`} onClick=${() => setView(v)}>${label}</button>`;
  return html`<div class="shell">
    <header>
      <strong>Warden audit viewer</strong>
      <nav>${tab("events", "Events")}${tab("timeline", "Correlation timeline")}${tab("history", "Row history")}${tab("verify", "Verify status")}</nav>
      <span class="who" id="who">tenant ${me.tenant_id.slice(0, 8)}… · ${me.tenant_role}${me.viewer_token ? " · viewer token" : ""}</span>
      <button class="link" id="logout" onClick=${logout}>Sign out</button>
    </header>
    ${scope &&
    html`<div class="scope" id="viewer-scope">
      Read-only viewer token, expires ${new Date(me.viewer_token!.expires_at).toLocaleString()}.
      ${Object.keys(scope).length ? html`Scope: ${Object.entries(scope).map(([k, v]) => html`<code>${k}=${v}</code> `)}` : "Scope: the whole tenant."}
    </div>`}
    <main>
      ${view === "events" && html`<${EventsView} nav=${nav} />`}
      ${view === "timeline" && html`<${TimelineView} nav=${nav} initial=${timelineId} />`}
      ${view === "history" && html`<${RowHistoryView} nav=${nav} initial=${historyTarget} />`}
      ${view === "verify" && html`<${VerifyView} nav=${nav} />`}
    </main>
  </div>`;
}

render(html`<${App} />`, document.getElementById("app")!);
