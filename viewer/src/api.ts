/** The viewer's only way to Warden: the REST API under /api/v1, with the user's credential. */

export const API = new URL("../api/v1/", document.baseURI).toString();

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

async function failure(res: Response): Promise<ApiError> {
  let body: any = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  const code = body?.code ?? `http_${res.status}`;
  const detail = body?.detail ?? body?.title ?? res.statusText;
  return new ApiError(res.status, code, `${res.status} ${code}: ${detail}`, body);
}

export class Api {
  constructor(readonly token: string) {}

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, accept: "application/json" };
  }

  async get<T = any>(path: string, params?: URLSearchParams): Promise<T> {
    const url = API + path + (params && [...params.keys()].length ? `?${params}` : "");
    const res = await fetch(url, { headers: this.headers(), credentials: "omit", cache: "no-store" });
    if (!res.ok) throw await failure(res);
    return (await res.json()) as T;
  }

  /** Downloads a file (the export) with the credential in a header, never in the URL. */
  async download(path: string, params: URLSearchParams, filename: string): Promise<number> {
    const res = await fetch(`${API}${path}?${params}`, { headers: { authorization: `Bearer ${this.token}` }, credentials: "omit", cache: "no-store" });
    if (!res.ok) throw await failure(res);
    const blob = await res.blob();
    const href = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = href;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 10_000);
    return blob.size;
  }
}

/** An audit event as the REST API returns it. */
export interface AuditEvent {
  event_id: string;
  occurred_at: string;
  recorded_at: string;
  event_type: string;
  category: string | null;
  action: string | null;
  outcome: string;
  severity: string;
  actor_type: string | null;
  actor_id: string | null;
  actor_ip: string | null;
  user_agent: string | null;
  resource_type: string | null;
  resource_id: string | null;
  correlation_id: string | null;
  trace_id: string | null;
  service: string | null;
  table_name: string | null;
  row_pk: Record<string, unknown> | null;
  changed_fields: string[] | null;
  old_values: Record<string, unknown> | null;
  new_values: Record<string, unknown> | null;
  event_data: unknown;
  redacted_fields: Record<string, string> | null;
  [key: string]: unknown;
}
