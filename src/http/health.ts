/**
 * /healthz: the process is up. /readyz: the database answers and every
 * migration shipped with this build has been applied.
 */
import { Router } from "express";
import type pg from "pg";
import { committedMigrations } from "../db/migrate";
import { problem, sendProblem } from "./problem";

export function healthRoutes(ownerPool: pg.Pool): Router {
  const router = Router();
  const expected = committedMigrations().length;

  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  router.get("/readyz", async (_req, res) => {
    try {
      const { rows } = await ownerPool.query<{ applied: number }>(
        "select count(*)::int as applied from graphile_migrate.migrations",
      );
      const applied = rows[0].applied;
      if (applied < expected) {
        sendProblem(res, problem(503, "migrations_pending", `${expected - applied} migration(s) not applied`, { applied, expected }));
        return;
      }
      res.json({ status: "ready", migrations: { applied, expected } });
    } catch (err) {
      sendProblem(res, problem(503, "database_unavailable", `the database is not reachable: ${(err as Error).message}`));
    }
  });
  return router;
}
