/**
 * Delivery settings, from the environment (read once per process):
 *   WARDEN_NOTIFY_ALLOW_PRIVATE=true   webhooks may reach private, loopback and link-local
 *                                      addresses (development and tests only)
 *   WARDEN_NOTIFY_TIMEOUT_MS           per-request timeout (default 10000)
 *   WARDEN_NOTIFY_MAX_RESPONSE_BYTES   response bodies are read up to this (default 65536)
 *   WARDEN_NOTIFY_RETRY_HOURS          retries stop and the delivery is dead-lettered after (default 24)
 *   WARDEN_NOTIFY_DNS_SERVER           resolve webhook hosts with this DNS server (host:port) instead of the system resolver
 *   WARDEN_NATS_URL                    JetStream (default nats://127.0.0.1:4222)
 *   WARDEN_NOTIFY_WEBHOOK_CONCURRENCY  requests in flight per webhook subscription (default 1: strictly in order; more
 *                                      sends in order but lets arrivals overlap, and a retry may land after later events)
 *   WARDEN_NOTIFY_BATCH                deliveries per batch (default 1000); webhook and JetStream subscriptions stream
 *                                      pages of at most 500 / 2000 of them (src/notify/deliver.ts)
 *   WARDEN_NOTIFY_BUDGET_MS            a delivery job sends for at most this long, then queues itself again (default 5000)
 *   WARDEN_NOTIFY_STALE_LOCK_SECONDS   a delivery job locked longer than this belongs to a dead worker, whose locks the
 *                                      dispatcher releases with graphile_worker.force_unlock_workers
 *                                      (default 300; must exceed the budget plus the timeout)
 *   WARDEN_NOTIFY_KEEP_DAYS            finished deliveries (delivered, digested, throttled) and their attempts are
 *                                      deleted this many days after they were logged (default 30; pending and dead
 *                                      ones are kept); the daily prune_notifications task
 */
import { boundedNumberFromEnv } from "../config";

export interface NotifySettings {
  allowPrivate: boolean;
  timeoutMs: number;
  maxResponseBytes: number;
  retryHours: number;
  dnsServer?: string;
  natsUrl: string;
  /** Deliveries per batch of one subscription. */
  batchSize: number;
  budgetMs: number;
  staleLockSeconds: number;
  webhookConcurrency: number;
  /** Days a finished delivery stays in the log. */
  keepDays: number;
}

/** A numeric setting (fractions accepted, as they always were). */
function int(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  return boundedNumberFromEnv(env, name, dflt, min, max, { integer: false });
}

export function notifySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): NotifySettings {
  return {
    allowPrivate: env.WARDEN_NOTIFY_ALLOW_PRIVATE === "true",
    timeoutMs: int(env, "WARDEN_NOTIFY_TIMEOUT_MS", 10_000, 100, 120_000),
    maxResponseBytes: int(env, "WARDEN_NOTIFY_MAX_RESPONSE_BYTES", 65_536, 0, 10_485_760),
    retryHours: int(env, "WARDEN_NOTIFY_RETRY_HOURS", 24, 0, 24 * 30),
    dnsServer: env.WARDEN_NOTIFY_DNS_SERVER || undefined,
    natsUrl: env.WARDEN_NATS_URL || "nats://127.0.0.1:4222",
    batchSize: int(env, "WARDEN_NOTIFY_BATCH", 1000, 1, 100_000),
    budgetMs: int(env, "WARDEN_NOTIFY_BUDGET_MS", 5000, 10, 60_000),
    staleLockSeconds: int(env, "WARDEN_NOTIFY_STALE_LOCK_SECONDS", 300, 1, 86_400),
    webhookConcurrency: int(env, "WARDEN_NOTIFY_WEBHOOK_CONCURRENCY", 1, 1, 64),
    keepDays: boundedNumberFromEnv(env, "WARDEN_NOTIFY_KEEP_DAYS", 30, 1, 3650),
  };
}
