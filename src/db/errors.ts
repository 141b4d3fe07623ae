/**
 * Maps PostgreSQL errors (SQLSTATE) to Warden's stable error codes. Used by
 * REST (problem+json) and GraphQL (extensions) alike, so one database error
 * reads the same on every path.
 */
export interface MappedError {
  status: number;
  code: string;
  /** Safe to show to the client. */
  message: string;
  missingRole?: string;
  /** Per-item validation problems ({pointer, reason}) from warden.record_audit_events. */
  errors?: unknown[];
}

interface PgLikeError {
  code?: unknown;
  message?: unknown;
  hint?: unknown;
  detail?: unknown;
  routine?: unknown;
}

function isPgError(err: unknown): err is PgLikeError & { code: string; message: string } {
  return (
    typeof err === "object" &&
    err !== null &&
    typeof (err as PgLikeError).code === "string" &&
    /^[0-9A-Z]{5}$/.test((err as PgLikeError).code as string) &&
    typeof (err as PgLikeError).message === "string"
  );
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND"]);

/** The database could not be reached or the connection dropped. */
function isConnectionError(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return (
    (typeof code === "string" && CONNECTION_CODES.has(code)) ||
    (typeof message === "string" && /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message))
  );
}

/** SQLSTATE/hint pairs whose detail is a JSON list of {pointer, reason}. */
const LISTED_PROBLEMS: Record<string, { status: number; code: string }> = {
  "22023/validation_failed": { status: 400, code: "validation_failed" },
  "22023/occurred_at_out_of_window": { status: 400, code: "occurred_at_out_of_window" },
  "23505/event_id_taken": { status: 409, code: "event_id_taken" },
};

/** Returns null when the error is not a PostgreSQL (or database connection) error. */
export function mapPgError(err: unknown): MappedError | null {
  if (isConnectionError(err)) {
    return { status: 503, code: "database_unavailable", message: "the database is unavailable; retry" };
  }
  if (!isPgError(err)) return null;
  const { code, message } = err;
  const hint = typeof err.hint === "string" ? err.hint : "";
  const missingRole = /missing_role=([a-z_]+)/.exec(hint)?.[1];
  // Problems with a JSON pointer each (the detail): validation, the
  // occurred_at window, a client event_id that is another tenant's.
  const listed = LISTED_PROBLEMS[`${code}/${hint}`];
  if (listed && typeof err.detail === "string") {
    try {
      return { status: listed.status, code: listed.code, message, errors: JSON.parse(err.detail) as unknown[] };
    } catch {
      /* fall through: a plain invalid-input error */
    }
  }
  switch (true) {
    case code === "42501":
      return { status: 403, code: "forbidden", message, missingRole };
    case code === "23505":
      return { status: 409, code: "conflict", message };
    case code === "23503":
      return { status: 400, code: "invalid_reference", message };
    case code === "P0002":
      return { status: 404, code: "not_found", message };
    case code === "57014" || code === "55P03" || code === "40001" || code === "40P01":
      return { status: 503, code: "database_busy", message: "the database is busy; retry" };
    // A client naming a table that does not exist (e.g. warden.restore's regclass argument), or a column or
    // type that does not exist or does not fit (data-quality rules, auditing options).
    case code.startsWith("22") || code.startsWith("23") || code === "42P01" || code === "42703" || code === "42704" || code === "42804":
      return { status: 400, code: "invalid_input", message };
    // A value too deep or too large for the server to process (stack depth, statement too complex).
    case code.startsWith("54"):
      return { status: 400, code: "input_too_complex", message };
    case code.startsWith("08") || code === "57P01" || code === "57P03" || code === "53300":
      return { status: 503, code: "database_unavailable", message: "the database is unavailable; retry" };
    default:
      // Anything else is Warden's fault: do not leak internals.
      return { status: 500, code: "internal_error", message: "an internal error occurred" };
  }
}
