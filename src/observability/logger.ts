/**
 * Structured JSON logs (pino), one logger for the process: the HTTP request
 * lines (src/observability/httpLog.ts), the worker's job outcomes, pool and
 * server errors. LOG_LEVEL sets the level (trace, debug, info, warn, error,
 * fatal, silent; default info, silent under jest unless set). Lines go to
 * stderr, so a CLI command's --json output on stdout stays parseable.
 *
 * Secrets never reach a line: nothing logs request headers, bodies, query
 * strings or SQL parameters, and the redact paths below censor the usual
 * credential keys should an object carrying one ever be logged.
 */
import pino, { type DestinationStream, type Logger } from "pino";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Keys censored wherever they appear (one level deep, and in req/headers). */
export const REDACT_PATHS = [
  "authorization",
  "password",
  "token",
  "secret",
  "key",
  "api_key",
  "cookie",
  "*.authorization",
  "*.password",
  "*.token",
  "*.secret",
  "*.key",
  "*.api_key",
  "*.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
  "*.headers['x-api-key']",
];

export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const raw = env.LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return env.JEST_WORKER_ID ? "silent" : "info";
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(env.LOG_LEVEL)}`);
  }
  return raw as LogLevel;
}

function makeLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "warden" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    },
    destination ?? pino.destination({ fd: 2, sync: false }),
  );
}

let root: Logger | undefined;

/** The process's logger (created on first use from LOG_LEVEL). */
export function getLogger(): Logger {
  root ??= makeLogger(logLevelFromEnv());
  return root;
}

/** A child logger for one component, e.g. logger("worker"). */
export function logger(component: string): Logger {
  return getLogger().child({ component });
}

/**
 * Replaces the process's logger: tests send the lines to a stream they
 * read; `level` defaults to LOG_LEVEL.
 */
export function configureLogging(opts: { level?: LogLevel; destination?: DestinationStream } = {}): Logger {
  root = makeLogger(opts.level ?? logLevelFromEnv(), opts.destination);
  return root;
}

/** Writes buffered lines out (on shutdown). */
export function flushLogs(): void {
  try {
    root?.flush();
  } catch {
    /* not yet ready (sonic-boom opening): nothing buffered */
  }
}

/**
 * What a log line says about an error: its class, SQLSTATE, message and
 * stack, never the driver's detail, hint or query parameters (where a
 * database error would echo the values that failed, e.g. a duplicate key).
 */
export function errorFields(err: unknown): { type: string; code?: string; message: string; stack?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { type: err.name, ...(typeof code === "string" ? { code } : {}), message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  }
  return { type: typeof err, message: String(err) };
}
