/**
 * Small helpers shared by bench sections: timing, number formatting,
 * clients that are always closed, and a superuser CHECKPOINT so one phase
 * does not pay for the dirty pages of the previous one.
 */
import pg from "pg";
import { generateSealingKey, type SealingKey } from "../src/audit/sealingKey";

/** Seconds since `started` (a process.hrtime.bigint() reading). */
export function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Runs fn and returns its result with the wall-clock seconds it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint();
  const out = await fn();
  return [out, secondsSince(started)];
}

/** 12345.6 -> "12,346". */
export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : String(n);
}

/** 0.8123 -> "0.81x". */
export function fmtRatio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}x` : "n/a";
}

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: "warden-bench" });
  await client.connect();
  return client;
}

/** Opens a client, runs fn with it, closes it whatever happens. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Flushes dirty buffers (needs a superuser: the root URL). */
export async function checkpoint(rootUrl: string): Promise<void> {
  await withClient(rootUrl, (c) => c.query("checkpoint"));
}

/** The best (highest) of some rates; NaN when there are none. */
export function best(values: number[]): number {
  return values.length ? Math.max(...values) : NaN;
}

/** The median of some values; NaN when there are none. */
export function median(values: number[]): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A positive integer from the environment, or the fallback. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

let sealingKey: SealingKey | undefined;

/**
 * The one sealing key of a bench run. Sections share the bench database,
 * and verify checks every chain in it: checkpoints signed by a key of
 * another section would read as signed by an unknown key.
 */
export function benchSealingKey(): SealingKey {
  sealingKey ??= generateSealingKey();
  return sealingKey;
}
