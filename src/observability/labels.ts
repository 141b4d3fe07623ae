/**
 * Bounded label values: a metric labelled by a value clients choose (a
 * service name, an operation) would otherwise grow one series per value.
 * The first `max` distinct values a process sees keep their name; every
 * later one is reported as "other". The mapping never changes for a value
 * once made, so counters stay monotonic.
 */
export const OTHER = "other";

export class BoundedLabel {
  private readonly kept = new Set<string>();

  constructor(
    readonly max: number,
    private readonly fallback: string = "unknown",
  ) {}

  /** The label value to report for `value`. */
  value(value: unknown): string {
    if (typeof value !== "string" || value === "") return this.fallback;
    // label values stay short and printable
    const v = value.length > 64 ? value.slice(0, 64) : value;
    if (this.kept.has(v)) return v;
    if (this.kept.size >= this.max) return OTHER;
    this.kept.add(v);
    return v;
  }
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`${name} must be an integer from 1 to 1000, got ${JSON.stringify(raw)}`);
  return n;
}

/** The bounds of warden_events_ingested_total's service and operation labels. */
export class IngestLabels {
  private readonly services: BoundedLabel;
  private readonly operations: BoundedLabel;

  constructor(maxServices = 25, maxOperations = 25) {
    this.services = new BoundedLabel(maxServices);
    this.operations = new BoundedLabel(maxOperations);
  }

  /** WARDEN_METRICS_MAX_SERVICES and WARDEN_METRICS_MAX_OPERATIONS (default 25 each). */
  static fromEnv(): IngestLabels {
    return new IngestLabels(intFromEnv("WARDEN_METRICS_MAX_SERVICES", 25), intFromEnv("WARDEN_METRICS_MAX_OPERATIONS", 25));
  }

  service(value: unknown): string {
    return this.services.value(value);
  }

  operation(value: unknown): string {
    return this.operations.value(value);
  }
}

/** The operation of a posted event: its action, else the last segment of its event type (as the database records it). */
export function postedOperation(item: Record<string, unknown>): unknown {
  if (typeof item.action === "string" && item.action !== "") return item.action;
  if (typeof item.event_type === "string") return item.event_type.slice(item.event_type.lastIndexOf(".") + 1);
  return undefined;
}
