/** Notification metrics in the process registry (src/metrics.ts); labels are closed sets. */
import client from "prom-client";
import { registry } from "../metrics";

export const notifyDeliveries = new client.Counter({
  name: "warden_notify_deliveries_total",
  help: "Notification delivery attempts by channel (inbox, webhook, jetstream) and result (delivered, failed, dead, throttled, digested).",
  labelNames: ["channel", "result"] as const,
  registers: [registry],
});

export const notifyMatched = new client.Counter({
  name: "warden_notify_matched_total",
  help: "Events matched to subscriptions by the dispatcher.",
  registers: [registry],
});

export const notifyLatency = new client.Histogram({
  name: "warden_notify_attempt_seconds",
  help: "Duration of one webhook attempt or JetStream publish.",
  labelNames: ["channel"] as const,
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
  registers: [registry],
});
