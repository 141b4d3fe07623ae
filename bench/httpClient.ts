/**
 * Bench helpers around a Warden HTTP server: one in this process (as the
 * ingest section does) or a child process whose memory can be sampled, an
 * auditor API key, keep-alive GETs, and latency percentiles.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { makePool } from "../src/db/pools";
import { Authenticator } from "../src/auth/authenticate";
import { TokenService } from "../src/auth/tokens";
import type { SealingKey } from "../src/audit/sealingKey";
import { createHttp } from "../src/http/app";
import { withUser } from "../src/db/urls";
import type { BenchContext } from "./types";
import { withClient, benchSealingKey } from "./util";

export interface BenchServer {
  port: number;
  /** The server process (this one, or the child). */
  pid: number;
  close(): Promise<void>;
}

/** A URL for warden_authenticator with a fresh password (set through the root URL). */
export async function authenticatorUrl(ctx: BenchContext): Promise<string> {
  const password = randomBytes(12).toString("hex");
  await withClient(ctx.rootUrl, (c) => c.query(`alter role warden_authenticator password '${password}'`));
  return withUser(ctx.ownerUrl, "warden_authenticator", password);
}

/** Express + PostGraphile in this process, as `warden start` runs them (no worker). */
export async function startInProcessServer(ownerUrl: string, authUrl: string, authPoolSize = 10, sealingKey: SealingKey = benchSealingKey()): Promise<BenchServer> {
  const ownerPool = makePool(ownerUrl, 4, "bench-owner");
  const authPool = makePool(authUrl, authPoolSize, "bench-api");
  const secret = randomBytes(32).toString("base64url");
  const server = await createHttp({
    ownerPool,
    authPool,
    authUrl,
    authenticator: new Authenticator(authPool, new TokenService(secret)),
    sealingKey,
    cursorSecret: secret,
    production: true,
    // tuning experiments: BENCH_INGEST_MIN_EXTRA / BENCH_INGEST_WRITERS override the queue's defaults
    ingest: {
      ...(process.env.BENCH_INGEST_MIN_EXTRA ? { minExtraWriterEvents: Number(process.env.BENCH_INGEST_MIN_EXTRA) } : {}),
      ...(process.env.BENCH_INGEST_WRITERS ? { writers: Number(process.env.BENCH_INGEST_WRITERS) } : {}),
    },
  });
  await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    pid: process.pid,
    close: async () => {
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => server.server.close(() => resolve()));
      await server.close();
      await ownerPool.end();
      await authPool.end();
    },
  };
}

/** The same server in a child process (bench/serverMain.ts), so its RSS is its own. */
export async function startChildServer(
  ownerUrl: string,
  authUrl: string,
  nodeArgs: string[] = [],
  opts: { env?: Record<string, string>; stderr?: "inherit" | "ignore" } = {},
): Promise<BenchServer & { child: ChildProcess }> {
  const child = spawn(process.execPath, [...nodeArgs, path.join(__dirname, "serverMain.js")], {
    env: { ...process.env, WARDEN_BENCH_OWNER_URL: ownerUrl, WARDEN_BENCH_AUTH_URL: authUrl, ...opts.env },
    stdio: ["ignore", "pipe", opts.stderr ?? "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return {
    port,
    pid: child.pid!,
    child,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  return kb ? Number(kb[1]) * 1024 : NaN;
}

/** An API key with tenant role auditor (what a SIEM pulling the trail would use). */
export async function auditorKey(ownerUrl: string, tenantId: string): Promise<{ id: string; key: string }> {
  return withClient(ownerUrl, async (c) => {
    const { rows } = await c.query("select id, key from warden_private.create_api_key($1, 'bench-auditor', 'auditor', 1000000)", [tenantId]);
    return rows[0];
  });
}

export class ApiClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  constructor(
    private readonly port: number,
    private readonly key: string,
  ) {}

  /** GET path; resolves with the status, the parsed JSON body and the milliseconds it took. */
  get(pathAndQuery: string): Promise<{ status: number; body: any; ms: number }> {
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const req = http.get(
        { host: "127.0.0.1", port: this.port, path: pathAndQuery, agent: this.agent, headers: { authorization: `Bearer ${this.key}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () => {
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            const text = Buffer.concat(chunks).toString("utf8");
            try {
              resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, ms });
            } catch (err) {
              reject(err);
            }
          });
        },
      );
      req.on("error", reject);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Nearest-rank percentile of some samples. */
export function percentile(samples: number[], p: number): number {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
}

export function latency(samples: number[]): Latency {
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99) };
}

export function fmtLatency(l: Latency): string {
  const f = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
  return `p50 ${f(l.p50)} / p95 ${f(l.p95)} / p99 ${f(l.p99)} ms`;
}
