/**
 * Prometheus metrics (prom-client), one registry for the process: the HTTP
 * layer, ingest, queries and the worker record into it; GET /metrics
 * exposes it together with gauges read from the database at scrape time.
 */
import client from "prom-client";
import { IngestLabels } from "./observability/labels";

export const registry = new client.Registry();
// prom-client's default process metrics are left out: some of their names
// fail `promtool check metrics` (gauges named *_total).

export const httpRequests = new client.Counter({
  name: "warden_http_requests_total",
  help: "HTTP requests by route, method and status code.",
  labelNames: ["route", "method", "status"] as const,
  registers: [registry],
});

/** The bound on the label values of warden_events_ingested_total (one per process). */
export const ingestLabels = IngestLabels.fromEnv();

/**
 * Label values of warden_events_ingested_total are bounded: the first
 * WARDEN_METRICS_MAX_SERVICES services (default 25) and
 * WARDEN_METRICS_MAX_OPERATIONS operations (default 25) a process sees keep
 * their name, every later one is counted as "other" (src/observability/labels.ts).
 */
export const eventsIngested = new client.Counter({
  name: "warden_events_ingested_total",
  help: "Audit events stored, by source (api: posted through the API, counted by this process; capture: trigger-captured changes promoted into the audit store, counted in the database), service, operation and outcome. Services and operations beyond the bound are labelled other.",
  labelNames: ["source", "service", "operation", "outcome"] as const,
  registers: [registry],
  collect() {
    // the capture series: the database's running totals (set at scrape time), as increments
    const totals = new Map<string, { labels: { source: string; service: string; operation: string; outcome: string }; n: number }>();
    // the busiest first: when the bound is reached, the smallest go to other
    for (const r of [...capturedSnapshot].sort((a, b) => b.n - a.n)) {
      const labels = { source: "capture", service: ingestLabels.service(r.service), operation: ingestLabels.operation(r.operation), outcome: "success" };
      const k = JSON.stringify(labels);
      const t = totals.get(k);
      if (t) t.n += r.n;
      else totals.set(k, { labels, n: r.n });
    }
    for (const [k, t] of totals) {
      const reported = capturedReported.get(k) ?? 0;
      if (t.n > reported) {
        this.inc(t.labels, t.n - reported);
        capturedReported.set(k, t.n);
      }
    }
  },
});

/** Captured events promoted, by (bounded) service and operation, from the database. */
let capturedSnapshot: { service: string; operation: string; n: number }[] = [];
const capturedReported = new Map<string, number>();
export function setCapturedIngested(rows: { service: string; operation: string; n: number }[]): void {
  capturedSnapshot = rows;
}

export const writeFailures = new client.Counter({
  name: "warden_audit_write_failures_total",
  help: "POSTs of audit events that failed on Warden's side (the database refused or was away; not client mistakes), by reason.",
  labelNames: ["reason"] as const,
  registers: [registry],
});

/** The group-commit queue of this process, as its gauges read it at scrape time. */
let ingestQueueProbe: { depth: number; capacity: number } | null = null;
export function observeIngestQueue(probe: { readonly depth: number; readonly capacity: number }): void {
  ingestQueueProbe = probe;
}

export const ingestQueuedEvents = new client.Gauge({
  name: "warden_ingest_queued_events",
  help: "Audit events waiting in the group-commit queue or being written.",
  registers: [registry],
  collect() {
    this.set(ingestQueueProbe?.depth ?? 0);
  },
});

export const ingestQueueCapacity = new client.Gauge({
  name: "warden_ingest_queue_capacity_events",
  help: "Events the group-commit queue holds at most; beyond it ingest answers 503.",
  registers: [registry],
  collect() {
    this.set(ingestQueueProbe?.capacity ?? 0);
  },
});

export const ingestOverloaded = new client.Counter({
  name: "warden_ingest_overloaded_total",
  help: "Ingest POSTs refused with 503 because the group-commit queue was full.",
  registers: [registry],
});

export const writeDuration = new client.Histogram({
  name: "warden_audit_write_duration_seconds",
  help: "Time to validate and commit one POST of audit events.",
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

export const queryDuration = new client.Histogram({
  name: "warden_audit_query_duration_seconds",
  help: "Time to answer one audit query (list, single event, correlation).",
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

export const ingestInFlight = new client.Gauge({
  name: "warden_ingest_queue_depth",
  help: "Audit event POSTs accepted by the server and not yet committed.",
  registers: [registry],
});

export const rateLimited = new client.Counter({
  name: "warden_rate_limited_requests_total",
  help: "Requests refused with 429 by the per-credential rate limit.",
  registers: [registry],
});

export const workerJobs = new client.Counter({
  name: "warden_worker_jobs_total",
  help: "graphile-worker jobs finished, by task and result (success or failure).",
  labelNames: ["task", "result"] as const,
  registers: [registry],
});

export const sealingLag = new client.Gauge({
  name: "warden_sealing_lag_seconds",
  help: "Age of the oldest audit event not yet sealed (0 when everything is sealed).",
  registers: [registry],
});

export const captureBacklog = new client.Gauge({
  name: "warden_capture_backlog_events",
  help: "Trigger-captured changes of committed transactions not yet promoted into the audit store.",
  registers: [registry],
});

export const captureLag = new client.Gauge({
  name: "warden_capture_lag_seconds",
  help: "Age of the oldest captured change not yet promoted into the audit store (0 when none waits).",
  registers: [registry],
});

/** Promoted events, from the database's own running total (every process sees the same count). */
let promotedSnapshot = 0;
export function setCapturePromoted(total: number): void {
  promotedSnapshot = total;
}
export const capturePromoted = new client.Counter({
  name: "warden_capture_promoted_total",
  help: "Trigger-captured events promoted from the capture log into the audit store.",
  registers: [registry],
  collect() {
    this.reset();
    this.inc(promotedSnapshot);
  },
});

export const auditCoverage = new client.Gauge({
  name: "warden_audit_coverage_ratio",
  help: "Share of the tables of a schema whose capture works (schemas with audited tables or audited as a whole).",
  labelNames: ["schema"] as const,
  registers: [registry],
});

export const captureGaps = new client.Gauge({
  name: "warden_capture_gaps",
  help: "Audited tables whose capture is not working (a capture trigger dropped, disabled or replaced, or the table changed without its capture).",
  registers: [registry],
});

export const retentionRowsDeleted = new client.Counter({
  name: "warden_retention_rows_deleted_total",
  help: "Audit events deleted by retention (row batches and dropped partitions).",
  registers: [registry],
});

export const retentionPartitionsDropped = new client.Counter({
  name: "warden_retention_partitions_dropped_total",
  help: "Monthly audit partitions dropped whole by retention.",
  registers: [registry],
});

export const retentionLastRun = new client.Gauge({
  name: "warden_retention_last_run_timestamp_seconds",
  help: "When the last retention run (not a dry run) finished, as a Unix time (0: never).",
  registers: [registry],
});

/** Write-time redaction matches, from the database (warden_private.redaction_counts), refreshed at scrape time. */
let writeRedactionSnapshot: { mode: string; method: string; n: number }[] = [];
export function setWriteRedactions(rows: { mode: string; method: string; n: number }[]): void {
  writeRedactionSnapshot = rows;
}

/** Read-time maskings counted by the API (mode "read"); write-time ones come from the database snapshot. */
const readRedactionCounts = new Map<string, number>();
export const readRedactions = {
  inc(labels: { method: string; mode: "read" }, by = 1): void {
    readRedactionCounts.set(labels.method, (readRedactionCounts.get(labels.method) ?? 0) + by);
  },
};

export const redactions = new client.Counter({
  name: "warden_redactions_total",
  help: "Fields redacted, by method (mask, remove, hash) and mode: log and enforce at write time (counted in the database), read for values masked in API responses.",
  labelNames: ["method", "mode"] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const r of writeRedactionSnapshot) this.inc({ method: r.method, mode: r.mode }, r.n);
    for (const [method, n] of readRedactionCounts) this.inc({ method, mode: "read" }, n);
  },
});

export const verifyLastSuccess = new client.Gauge({
  name: "warden_verify_last_success_timestamp_seconds",
  help: "When the scheduled verification last verified a tenant's chain without a finding, as a Unix time (tenant: the chain's key, the zero uuid for events outside any tenant).",
  labelNames: ["tenant"] as const,
  registers: [registry],
});

/** Failed scheduled verifications, from the database's own running total (warden_private.verify_positions). */
let verifyFailuresSnapshot = 0;
export function setVerifyFailures(total: number): void {
  verifyFailuresSnapshot = total;
}
export const verifyFailures = new client.Counter({
  name: "warden_verify_failures_total",
  help: "Scheduled verification runs that found a problem in a tenant's chain (tampered or truncated), in total.",
  registers: [registry],
  collect() {
    this.reset();
    this.inc(verifyFailuresSnapshot);
  },
});

/** Times an async operation into a histogram. */
export async function timed<T>(histogram: client.Histogram, fn: () => Promise<T>): Promise<T> {
  const end = histogram.startTimer();
  try {
    return await fn();
  } finally {
    end();
  }
}

export const authInvalidations = new client.Counter({
  name: "warden_auth_invalidations_total",
  help: "Authentication cache invalidations received over LISTEN/NOTIFY, by kind (session, api_key, membership, identity_provider; reconnect after the listener was lost).",
  labelNames: ["kind"] as const,
  registers: [registry],
});

export const authInvalidationListenerUp = new client.Gauge({
  name: "warden_auth_invalidation_listener_up",
  help: "1 while this process listens for authentication cache invalidations; 0 while it reconnects (revocations then wait out the cache TTL).",
  registers: [registry],
});
