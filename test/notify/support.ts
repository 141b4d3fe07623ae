/** Shared pieces of the notification tests: a webhook receiver, events written as committed rows, a dispatch+deliver loop. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type pg from "pg";
import { dispatchOnce } from "../../src/notify/dispatch";
import { deliverBatch } from "../../src/notify/deliver";
import { poolDb } from "../../src/notify/db";
import { notifySettingsFromEnv, type NotifySettings } from "../../src/notify/settings";

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Answer with this status (default 204); a function decides per request. */
  status: number | ((r: Received) => number | "hang");
  /** Answer after this many milliseconds. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const hanging: http.ServerResponse[] = [];
  const rec: Receiver = {
    url: "",
    received: [],
    status: 204,
    delayMs: 0,
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      const s = typeof rec.status === "function" ? rec.status(r) : rec.status;
      if (s === "hang") {
        hanging.push(res);
        return;
      }
      // Only what the receiver accepted counts as received.
      if (s < 300) rec.received.push(r);
      res.statusCode = s;
      if (rec.delayMs) setTimeout(() => res.end(), rec.delayMs);
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return rec;
}

export function testSettings(over: Partial<NotifySettings> = {}): NotifySettings {
  return { ...notifySettingsFromEnv({}), allowPrivate: true, timeoutMs: 2000, ...over };
}

/** Writes n committed events for a tenant (one transaction); returns their ids in order. */
export async function writeEvents(pool: pg.Pool, tenantId: string, n: number, type = "gateway.signal.received", extra: { severity?: string; data?: object; outcome?: string } = {}): Promise<string[]> {
  const { rows } = await pool.query(
    `insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, severity, outcome, event_data, resource_type, resource_id)
     select $1, $2, split_part($2, '.', 1), 'received', 'service', 'gateway', $4::warden.audit_severity, $5::warden.audit_outcome,
            $6::jsonb || jsonb_build_object('i', i), 'signal', i::text
     from generate_series(1, $3) i order by i returning event_id`,
    [tenantId, type, n, extra.severity ?? "info", extra.outcome ?? "success", JSON.stringify(extra.data ?? {})],
  );
  return rows.map((r) => r.event_id);
}

/** Dispatches until the horizon has passed every event written so far. */
export async function dispatchAll(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query("select pg_current_xact_id()::text::bigint as x");
  const target = BigInt(rows[0].x);
  for (let i = 0; i < 100; i++) {
    await dispatchOnce(pool);
    const s = await pool.query("select min(position)::text as p from warden_private.subscription_positions");
    const b = await pool.query("select builtin_position::text as p from warden_private.notify_state");
    if ((s.rows[0].p === null || BigInt(s.rows[0].p) > target) && BigInt(b.rows[0].p) > target) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the dispatcher's horizon did not pass the events written");
}

/** Delivers a subscription until nothing is due. */
export async function deliverAll(pool: pg.Pool, subscriptionId: string, settings: NotifySettings): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const r = await deliverBatch(poolDb(pool), subscriptionId, settings);
    if (!r.more) return;
  }
}
