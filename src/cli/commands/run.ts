/** warden start | worker | migrate: long-running processes and setup. */
import { loadConfig } from "../../config";
import { prepareDatabase } from "../../db/bootstrap";
import { makePool } from "../../db/pools";
import { redactUrl } from "../../db/urls";
// The server (PostGraphile) and the worker load on use: every other command
// starts without them (about a second less per CLI call).
const lazy = {
  server: () => require("../../server") as typeof import("../../server"),
  worker: () => require("../../worker/runner") as typeof import("../../worker/runner"),
};
import { loadSealingKey } from "../../audit/sealingKey";
import { JSON_OPTION, type CommandSpec } from "../registry";
import { emit, note } from "../output";
import { errorFields, logger } from "../../observability/logger";

/**
 * SIGINT/SIGTERM (and SIGHUP: the terminal went away) stop the process
 * cleanly: in-flight requests and jobs finish, pools close, an embedded
 * PostgreSQL started here shuts down. A stop that cannot finish (the
 * database vanished under the worker, say) must not keep the process
 * alive: after `timeoutSeconds`, or on a second signal, it exits with
 * status 1.
 */
function onSignal(stop: () => Promise<void>, timeoutSeconds: number): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) {
      logger("server").warn({ signal }, "signal received again, exiting without waiting");
      process.exit(1);
    }
    stopping = true;
    logger("server").info({ signal }, "signal received, stopping");
    const deadline = setTimeout(() => {
      logger("server").error({ timeout_s: timeoutSeconds }, "did not stop within SHUTDOWN_TIMEOUT_SECONDS; exiting");
      process.exit(1);
    }, timeoutSeconds * 1000);
    deadline.unref();
    stop()
      .then(() => process.exit(0))
      .catch((err) => {
        logger("server").error({ err: errorFields(err) }, "error while stopping");
        process.exit(1);
      });
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  process.on("SIGHUP", handler);
}

export const start: CommandSpec = {
  name: "start",
  summary: "run the API and the worker (embedded PostgreSQL unless DATABASE_URL); creates and migrates the database",
  options: {
    "no-worker": { type: "boolean", help: "serve the API only (run `warden worker` elsewhere)" },
    json: JSON_OPTION,
  },
  examples: ["npx warden start", "PORT=8080 DATABASE_URL=postgres://warden_owner@db/warden npx warden start --no-worker"],
  run: async (args) => {
    const json = args.booleans.has("json");
    const config = loadConfig();
    const warden = await lazy.server().startWarden(config, {
      worker: !args.booleans.has("no-worker"),
      log: json ? () => undefined : (line) => console.log(line),
    });
    onSignal(warden.stop, config.shutdownTimeoutSeconds);
    const info = {
      url: warden.url,
      graphql: `${warden.url}/graphql`,
      graphiql: config.production ? null : `${warden.url}/graphiql`,
      health: `${warden.url}/healthz`,
      database: redactUrl(warden.urls.ownerUrl),
      embedded: Boolean(warden.urls.embedded),
    };
    emit(
      json,
      info,
      [
        `Warden is running`,
        `  GraphQL:  ${info.graphql}`,
        info.graphiql ? `  GraphiQL: ${info.graphiql}` : null,
        `  REST:     ${warden.url}/api/v1`,
        `  Health:   ${info.health}  ${warden.url}/readyz`,
        `  Database: ${info.database}${info.embedded ? " (embedded)" : ""}`,
      ]
        .filter(Boolean)
        .join("\n"),
    );
  },
};

export const worker: CommandSpec = {
  name: "worker",
  summary: "run only the background worker (capture, sealing, retention, partitions)",
  options: { json: JSON_OPTION },
  examples: ["npx warden worker"],
  run: async (args) => {
    const config = loadConfig();
    const urls = await prepareDatabase(config, { migrate: true, createCluster: false });
    note(`database: ${urls.description}`);
    const pool = makePool(urls.ownerUrl, config.workerConcurrency + 2, "warden-worker");
    const runner = await lazy.worker().startWorker({ pool, concurrency: config.workerConcurrency, sealingKey: loadSealingKey(config) });
    onSignal(async () => {
      await runner.stop();
      await pool.end();
      if (urls.embedded?.startedHere) await urls.embedded.stop();
    }, config.shutdownTimeoutSeconds);
    emit(args.booleans.has("json"), { worker: "running", concurrency: config.workerConcurrency }, "Warden worker is running");
  },
};

export const migrateCommand: CommandSpec = {
  name: "migrate",
  summary: "create the roles and the database (or the embedded cluster), apply migrations",
  options: { json: JSON_OPTION },
  examples: ["ROOT_DATABASE_URL=postgres://postgres@db/postgres DATABASE_URL=postgres://warden_owner@db/warden npx warden migrate"],
  run: async (args) => {
    const urls = await prepareDatabase(loadConfig(), { migrate: true });
    if (urls.embedded?.startedHere) await urls.embedded.stop();
    emit(args.booleans.has("json"), { migrated: true, database: redactUrl(urls.ownerUrl) }, `migrations applied (${urls.description.replace(" (started for this command)", "")})`);
  },
};
