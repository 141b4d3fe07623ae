/**
 * Runtime configuration, read once from the environment.
 * Every setting has a sensible default so `npm start` needs none.
 */
import path from "node:path";

export const ROLE_OWNER = "warden_owner";
export const ROLE_AUTHENTICATOR = "warden_authenticator";
export const ROLE_VISITOR = "warden_visitor";
/** Data-quality runs read targets (and run custom_sql) as this NOLOGIN role: read-only, no access to Warden's internals. */
export const ROLE_DQ_SANDBOX = "warden_dq_sandbox";

/** The project folder (where package.json lives), also when running from dist/. */
export const PROJECT_ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");

export interface WardenConfig {
  /** Owner connection (migrations, worker, CLI). Undefined: use the embedded server. */
  databaseUrl?: string;
  /** Superuser connection used to create roles and databases. */
  rootDatabaseUrl?: string;
  /** Authenticator connection for the API; derived from databaseUrl when unset. */
  authDatabaseUrl?: string;
  port: number;
  host: string;
  production: boolean;
  /** Where Warden keeps local state (embedded data, generated secrets). */
  stateDir: string;
  embeddedPort: number;
  jwtSecret?: string;
  workerConcurrency: number;
  /** How long `warden start` / `warden worker` wait for a clean stop after SIGTERM before exiting anyway. */
  shutdownTimeoutSeconds: number;
}

function intFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535 * 1000) {
    throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/**
 * A bounded number from the environment: the fallback when unset or empty,
 * otherwise a number from min to max (a whole one unless integer is false),
 * or an error that names the variable, the bounds and what it got.
 */
export function boundedNumberFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  { integer = true }: { integer?: boolean } = {},
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new Error(`${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WardenConfig {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    rootDatabaseUrl: env.ROOT_DATABASE_URL || undefined,
    authDatabaseUrl: env.AUTH_DATABASE_URL || undefined,
    port: intFromEnv("PORT", 3000, env),
    host: env.HOST || "127.0.0.1",
    production: env.NODE_ENV === "production",
    stateDir: path.resolve(env.WARDEN_STATE_DIR || path.join(PROJECT_ROOT, ".warden")),
    embeddedPort: intFromEnv("WARDEN_EMBEDDED_PG_PORT", 54329, env),
    jwtSecret: env.WARDEN_JWT_SECRET || undefined,
    workerConcurrency: intFromEnv("WORKER_CONCURRENCY", 4, env),
    shutdownTimeoutSeconds: intFromEnv("SHUTDOWN_TIMEOUT_SECONDS", 15, env),
  };
}
