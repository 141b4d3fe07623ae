/**
 * GET /api/v1/projects/{project_id}/activity?limit=&before_occurred_at=&before_event_id=:
 * a project's activity feed (warden.project_activity), newest first, for
 * anyone with at least viewer on the project; `next` holds the keyset of
 * the following page. Anyone else: 403 (the function's SQLSTATE 42501).
 */
import { Router } from "express";
import type pg from "pg";
import { withRequestContext } from "../../db/requestContext";
import { problem, sendProblem } from "../problem";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const ACTIVITY_COLUMNS = `event_id, to_json(occurred_at) #>> '{}' as occurred_at, event_type, action, outcome, actor_type, actor_id,
  actor_name, resource_type, resource_id, table_name, changed_fields, old_values, new_values, event_data, redacted_fields, summary`;

export function projectActivityRoutes(authPool: pg.Pool): Router {
  const router = Router();
  router.get("/projects/:projectId/activity", async (req, res, next) => {
    const errors: { pointer: string; reason: string }[] = [];
    const projectId = req.params.projectId;
    if (!UUID.test(projectId)) errors.push({ pointer: "/project_id", reason: "a uuid" });
    const q = req.query as Record<string, unknown>;
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) errors.push({ pointer: "/limit", reason: "an integer from 1 to 500" });
    const beforeAt = q.before_occurred_at;
    const beforeId = q.before_event_id;
    if (beforeAt !== undefined && (typeof beforeAt !== "string" || Number.isNaN(Date.parse(beforeAt)))) {
      errors.push({ pointer: "/before_occurred_at", reason: "an RFC 3339 time (the last entry's occurred_at)" });
    }
    if (beforeId !== undefined && (typeof beforeId !== "string" || !UUID.test(beforeId))) errors.push({ pointer: "/before_event_id", reason: "a uuid" });
    if (beforeId !== undefined && beforeAt === undefined) errors.push({ pointer: "/before_event_id", reason: "needs before_occurred_at" });
    if (errors.length) {
      sendProblem(res, problem(400, "invalid_query", "the query parameters are invalid", { errors }));
      return;
    }
    try {
      const rows = await withRequestContext(authPool, req.warden!, res.locals.traceId, async (client) => {
        const { rows } = await client.query(
          `select ${ACTIVITY_COLUMNS} from warden.project_activity($1, $2::timestamptz, $3::uuid, $4)`,
          [projectId, beforeAt ?? null, beforeId ?? null, limit],
        );
        return rows;
      });
      const last = rows[rows.length - 1];
      res.json({
        project_id: projectId.toLowerCase(),
        entries: rows,
        next: rows.length === limit && last ? { before_occurred_at: last.occurred_at, before_event_id: last.event_id } : null,
      });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
