/**
 * Notification subscriptions (tenant owners and admins; the tenant always
 * comes from the credential, row-level security and the SQL functions
 * enforce it):
 *   POST   /api/v1/subscriptions                       create (a webhook's whsec_ secret is in this response only)
 *   GET    /api/v1/subscriptions                       list
 *   GET    /api/v1/subscriptions/{id}                  one
 *   PATCH  /api/v1/subscriptions/{id}                  {enabled}
 *   DELETE /api/v1/subscriptions/{id}
 *   POST   /api/v1/subscriptions/{id}/test             sends a test message now, answers with the result
 *   GET    /api/v1/subscriptions/{id}/deliveries       the delivery log (status, limit, before)
 *   GET    /api/v1/subscriptions/{id}/attempts         every attempt (event_id, limit)
 *   POST   /api/v1/subscriptions/{id}/deliveries/{event_id}/redeliver
 *   POST   /api/v1/subscriptions/{id}/replay           {since}: deliver again from a point in time
 * Filters use the query API's vocabulary as a JSON object; a bad one is a
 * 400 whose errors carry JSON pointers (/filter/...).
 */
import { Router, type Request, type Response } from "express";
import type pg from "pg";
import { withRequestContext } from "../../db/requestContext";
import { requireRole } from "../auth";
import { problem, sendProblem } from "../problem";
import { checkWebhookUrl } from "../../notify/webhook";
import { loadSubscription, testSubscription } from "../../notify/deliver";
import { poolDb } from "../../notify/db";
import { notifySettingsFromEnv } from "../../notify/settings";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FIELDS = ["name", "filter", "channel", "webhook_url", "inbox_user_ids", "inbox_role", "jetstream_subject_prefix", "throttle_max", "throttle_window_seconds", "digest"];
const COLUMNS = `s.id, s.name, s.filter, s.channel, s.inbox_user_ids, s.inbox_role, s.webhook_url, s.jetstream_subject_prefix,
  s.throttle_max, s.throttle_window_seconds, s.digest, s.enabled, s.disabled_reason, s.disabled_at, s.created_by, s.created_at, s.updated_at`;

export function subscriptionRoutes(authPool: pg.Pool, ownerPool: pg.Pool): Router {
  const router = Router();
  const managers = requireRole("owner", "admin");
  const settings = notifySettingsFromEnv();
  const ctx = <T>(req: Request, res: Response, fn: (c: pg.PoolClient) => Promise<T>) =>
    withRequestContext(authPool, req.warden!, res.locals.traceId, fn, { ip: req.ip, userAgent: req.get("user-agent") });
  const idOr400 = (req: Request, res: Response): string | null => {
    const id = String(req.params.subscriptionId);
    if (UUID.test(id)) return id;
    sendProblem(res, problem(400, "invalid_subscription_id", "subscription ids are uuids"));
    return null;
  };
  const notFound = (res: Response, id: string) => sendProblem(res, problem(404, "not_found", `no subscription ${id} in your tenant`));

  router.post("/subscriptions", managers, async (req, res, next) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      sendProblem(res, problem(400, "invalid_body", "expected a JSON object {name, filter, channel, webhook_url?, inbox_user_ids?, inbox_role?, jetstream_subject_prefix?, throttle_max?, throttle_window_seconds?, digest?}"));
      return;
    }
    const errors: { pointer: string; reason: string }[] = Object.keys(body)
      .filter((k) => !FIELDS.includes(k))
      .map((k) => ({ pointer: `/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`, reason: "unknown field" }));
    const str = (k: string) => (body[k] === undefined || body[k] === null ? null : typeof body[k] === "string" ? (body[k] as string) : (errors.push({ pointer: `/${k}`, reason: "a string" }), null));
    const int = (k: string) => (body[k] === undefined || body[k] === null ? null : Number.isInteger(body[k]) ? (body[k] as number) : (errors.push({ pointer: `/${k}`, reason: "an integer" }), null));
    const name = str("name");
    const channel = str("channel");
    const webhookUrl = str("webhook_url");
    const inboxRole = str("inbox_role");
    const prefix = str("jetstream_subject_prefix");
    const throttleMax = int("throttle_max");
    const throttleWindow = int("throttle_window_seconds");
    const filter = body.filter === undefined ? {} : body.filter;
    if (filter === null || typeof filter !== "object" || Array.isArray(filter)) errors.push({ pointer: "/filter", reason: "a JSON object" });
    let inboxUsers: string[] | null = null;
    if (body.inbox_user_ids !== undefined && body.inbox_user_ids !== null) {
      if (!Array.isArray(body.inbox_user_ids) || !body.inbox_user_ids.every((u) => typeof u === "string" && UUID.test(u))) {
        errors.push({ pointer: "/inbox_user_ids", reason: "a list of user ids (uuids)" });
      } else inboxUsers = body.inbox_user_ids as string[];
    }
    if (inboxRole !== null && !["owner", "admin", "auditor", "support", "member"].includes(inboxRole)) {
      errors.push({ pointer: "/inbox_role", reason: "one of owner, admin, auditor, support, member" });
    }
    if (body.digest !== undefined && typeof body.digest !== "boolean") errors.push({ pointer: "/digest", reason: "true or false" });
    if (channel === "webhook" && webhookUrl !== null) {
      // Form and the addresses the host resolves to now (checked again at every connect).
      const why = await checkWebhookUrl(webhookUrl, settings);
      if (why) errors.push({ pointer: "/webhook_url", reason: why });
    }
    if (errors.length) {
      sendProblem(res, problem(400, "validation_failed", "the request body is invalid", { errors }));
      return;
    }
    try {
      const created = await ctx(req, res, async (c) => {
        const { rows } = await c.query(
          `select (r).* from (select warden.create_subscription($1, $2::jsonb, $3, $4, $5::uuid[], $6::warden.tenant_role, $7, $8, $9, $10) as r) x`,
          [name, JSON.stringify(filter), channel, webhookUrl, inboxUsers, inboxRole, prefix, throttleMax, throttleWindow, body.digest === true],
        );
        const sub = await c.query(`select ${COLUMNS} from warden.subscriptions s where s.id = $1`, [rows[0].id]);
        return { ...sub.rows[0], ...(rows[0].secret ? { secret: rows[0].secret } : {}) };
      });
      res.status(201).json(created);
    } catch (err) {
      next(err);
    }
  });

  router.get("/subscriptions", managers, async (req, res, next) => {
    try {
      const rows = await ctx(req, res, async (c) => (await c.query(`select ${COLUMNS} from warden.subscriptions s order by s.created_at, s.id`)).rows);
      res.json({ data: rows });
    } catch (err) {
      next(err);
    }
  });

  router.get("/subscriptions/:subscriptionId", managers, async (req, res, next) => {
    const id = idOr400(req, res);
    if (!id) return;
    try {
      const rows = await ctx(req, res, async (c) => (await c.query(`select ${COLUMNS} from warden.subscriptions s where s.id = $1`, [id])).rows);
      if (!rows.length) return notFound(res, id);
      res.json(rows[0]);
    } catch (err) {
      next(err);
    }
  });

  router.patch("/subscriptions/:subscriptionId", managers, async (req, res, next) => {
    const id = idOr400(req, res);
    if (!id) return;
    const body = req.body as Record<string, unknown> | undefined;
    const unknown = body && typeof body === "object" && !Array.isArray(body) ? Object.keys(body).filter((k) => k !== "enabled") : [];
    if (!body || typeof body !== "object" || Array.isArray(body) || typeof body.enabled !== "boolean" || unknown.length) {
      const errors = [...unknown.map((k) => ({ pointer: `/${k}`, reason: "unknown field (only enabled can change; delete and create to change the rest)" }))];
      if (!body || typeof (body as Record<string, unknown>).enabled !== "boolean") errors.push({ pointer: "/enabled", reason: "true or false" });
      sendProblem(res, problem(400, "validation_failed", "the request body is invalid", { errors }));
      return;
    }
    try {
      const row = await ctx(req, res, async (c) => {
        await c.query("select warden.set_subscription_enabled($1, $2)", [id, body.enabled]);
        return (await c.query(`select ${COLUMNS} from warden.subscriptions s where s.id = $1`, [id])).rows[0];
      });
      res.json(row);
    } catch (err) {
      next(err);
    }
  });

  router.delete("/subscriptions/:subscriptionId", managers, async (req, res, next) => {
    const id = idOr400(req, res);
    if (!id) return;
    try {
      const deleted = await ctx(req, res, async (c) => (await c.query("select warden.delete_subscription($1) as ok", [id])).rows[0].ok);
      if (!deleted) return notFound(res, id);
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });

  router.post("/subscriptions/:subscriptionId/test", managers, async (req, res, next) => {
    const id = idOr400(req, res);
    if (!id) return;
    try {
      // Visible to the caller (row-level security) before the worker's view (with the secret) is used.
      const visible = await ctx(req, res, async (c) => (await c.query("select 1 from warden.subscriptions s where s.id = $1", [id])).rowCount);
      if (!visible) return notFound(res, id);
      const sub = await loadSubscription(ownerPool, id);
      if (!sub) return notFound(res, id);
      const r = await testSubscription(poolDb(ownerPool), sub, settings);
      res.json({ subscription_id: id, channel: r.channel, ok: r.ok, status_code: r.statusCode, latency_ms: Number(r.latencyMs.toFixed(3)), error: r.error });
    } catch (err) {
      next(err);
    }
  });

  router.get("/subscriptions/:subscriptionId/deliveries", managers, async (req, res, next) => {
    const id = idOr400(req, res);
    if (!id) return;
    const status = req.query.status;
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    const before = req.query.before;
    const errors: { pointer: string; reason: string }[] = [];
    if (status !== undefined && !["pending", "delivered", "dead", "throttled", "digested"].includes(String(status))) errors.push({ pointer: "/status", reason: "one of pending, delivered, dead, throttled, digested" });
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) errors.push({ pointer: "/limit", reason: "an integer from 1 to 1000" });
    if (before !== undefined && !/^\d{1,18}$/.test(String(before))) errors.push({ pointer: "/before", reason: "a delivery id" });
    if (errors.length) {
      sendProblem(res, problem(400, "invalid_query", "the query parameters are invalid", { errors }));
      return;
    }
    try {
      const rows = await ctx(req, res, async (c) => {
        const sub = await c.query("select 1 from warden.subscriptions s where s.id = $1", [id]);
        if (!sub.rowCount) return null;
        return (
          await c.query(
            `select d.id::text as id, d.event_id, d.event_type, d.occurred_at, d.status, d.attempts, d.first_attempt_at, d.last_attempt_at,
                    d.next_attempt_at, d.last_status_code, d.last_error, d.delivered_at, d.created_at
             from warden.notification_deliveries d
             where d.subscription_id = $1 and ($2::text is null or d.status = $2) and ($3::bigint is null or d.id < $3)
             order by d.id desc limit $4`,
            [id, status ?? null, before ?? null, limit],
          )
        ).rows;
      });
      if (!rows) return notFound(res, id);
      res.json({ data: rows, next_before: rows.length === limit ? rows[rows.length - 1].id : null });
    } catch (err) {
      next(err);
    }
  });

  router.get("/subscriptions/:subscriptionId/attempts", managers, async (req, res, next) => {
    const id = idOr400(req, res);
    if (!id) return;
    const eventId = req.query.event_id;
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if ((eventId !== undefined && !UUID.test(String(eventId))) || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
      sendProblem(res, problem(400, "invalid_query", "event_id is a uuid; limit an integer from 1 to 1000"));
      return;
    }
    try {
      const rows = await ctx(req, res, async (c) =>
        (
          await c.query(
            `select a.id::text as id, d.event_id, a.attempt, a.status_code, a.latency_ms::float8 as latency_ms, a.error, a.attempted_at
             from warden.notification_delivery_attempts a join warden.notification_deliveries d on d.id = a.delivery_id
             where a.subscription_id = $1 and ($2::uuid is null or d.event_id = $2) order by a.id desc limit $3`,
            [id, eventId ?? null, limit],
          )
        ).rows,
      );
      res.json({ data: rows });
    } catch (err) {
      next(err);
    }
  });

  router.post("/subscriptions/:subscriptionId/deliveries/:eventId/redeliver", managers, async (req, res, next) => {
    const id = idOr400(req, res);
    if (!id) return;
    const eventId = String(req.params.eventId);
    if (!UUID.test(eventId)) {
      sendProblem(res, problem(400, "invalid_event_id", "event ids are uuids"));
      return;
    }
    try {
      const row = await ctx(req, res, async (c) => (await c.query("select (r).id::text as id, (r).event_id, (r).status from (select warden.redeliver_notification($1, $2) as r) x", [id, eventId])).rows[0]);
      res.status(202).json(row);
    } catch (err) {
      next(err);
    }
  });

  router.post("/subscriptions/:subscriptionId/replay", managers, async (req, res, next) => {
    const id = idOr400(req, res);
    if (!id) return;
    const since = (req.body as Record<string, unknown> | undefined)?.since;
    if (typeof since !== "string" || Number.isNaN(Date.parse(since)) || !/^\d{4}-\d{2}-\d{2}T/.test(since)) {
      sendProblem(res, problem(400, "validation_failed", "the request body is invalid", { errors: [{ pointer: "/since", reason: "an RFC 3339 time" }] }));
      return;
    }
    try {
      const n = await ctx(req, res, async (c) => (await c.query("select warden.replay_subscription($1, $2::timestamptz) as n", [id, since])).rows[0].n);
      res.status(202).json({ subscription_id: id, since, events: n });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
