/**
 * The embedded PostgreSQL that `npm start` runs without DATABASE_URL: it
 * lives in its own process group (a terminal's Ctrl-C reaches Warden, not
 * the database), Warden stops it last and cleanly, and a server that cannot
 * start says why with its log. Each test starts a real server of its own.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbedded } from "../../src/db/embedded";
import { startWardenProcess } from "../support/cli";
import { freePort } from "../support/freePort";

jest.setTimeout(180_000);

/** Process group of a process (field 5 of /proc/<pid>/stat); null when it is gone. */
function processGroup(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return null;
  }
}

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755); // the server runs as the postgres user when this runs as root
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

test("the embedded server runs in its own process group and stop() shuts it down and removes a throwaway cluster", async () => {
  const dataDir = path.join(tempDir("warden-embedded-"), "pgdata");
  const server = await startEmbedded({ dataDir, port: await freePort(), password: "embedded-test-pw", persistent: false });
  const pid = server.pid!;
  try {
    expect(server.startedHere).toBe(true);
    // its own group, led by the postmaster: not this process's group
    expect(processGroup(pid)).toBe(pid);
    expect(processGroup(process.pid)).not.toBe(pid);
    const c = new pg.Client({ connectionString: server.rootUrl });
    await c.connect();
    expect((await c.query("select current_setting('server_version_num')::int >= 150000 as ok")).rows[0].ok).toBe(true);
    await c.end();
    // a second start on the same port and password shares the running server
    const again = await startEmbedded({ dataDir, port: Number(new URL(server.rootUrl).port), password: "embedded-test-pw", persistent: false });
    expect(again).toMatchObject({ startedHere: false, rootUrl: server.rootUrl });
  } finally {
    await server.stop();
  }
  expect(processGroup(pid)).toBeNull();
  expect(fs.existsSync(dataDir)).toBe(false);
  expect(fs.existsSync(`${dataDir}.log`)).toBe(false);
});

test("stop() lets a session that is still working finish on its own, and cuts off one that lingers", async () => {
  const dataDir = path.join(tempDir("warden-embedded-stop-"), "pgdata");
  const server = await startEmbedded({ dataDir, port: await freePort(), password: "embedded-stop-pw", persistent: false });
  const busy = new pg.Client({ connectionString: server.rootUrl });
  const idle = new pg.Client({ connectionString: server.rootUrl });
  const busyErrors: string[] = [];
  const idleErrors: string[] = [];
  busy.on("error", (e) => busyErrors.push(e.message));
  idle.on("error", (e) => idleErrors.push(e.message));
  await busy.connect();
  await idle.connect();
  // a statement under way when the stop begins (as a request or job that
  // is ending while its pool closes) completes, and its session ends cleanly
  const work = busy.query("select pg_sleep(0.5), 'done' as result").then(async (r) => {
    await busy.end();
    return r.rows[0].result as string;
  });
  await new Promise((r) => setTimeout(r, 50));
  const stopping = server.stop();
  expect(await work).toBe("done");
  expect(busyErrors).toEqual([]);
  // a session that never leaves does not hold the stop up for good
  await stopping;
  expect(idleErrors.join("\n")).toMatch(/terminating connection/);
  expect(processGroup(server.pid!)).toBeNull();
});

test("a server that cannot start fails with the reason from its log", async () => {
  const dataDir = path.join(tempDir("warden-embedded-bad-"), "pgdata");
  const port = await freePort();
  const server = await startEmbedded({ dataDir, port, password: "first-pw", persistent: true });
  try {
    // the same cluster again while it runs, under another password: the
    // connection check fails, so a second postmaster is tried and refuses
    await expect(startEmbedded({ dataDir, port, password: "other-pw", persistent: true })).rejects.toThrow(
      /exited while starting[\s\S]*(lock file|already running|postmaster\.pid)/i,
    );
  } finally {
    await server.stop();
  }
  expect(fs.readFileSync(`${dataDir}.log`, "utf8")).toMatch(/database system is shut down/);
});

test("Ctrl-C on `warden start` with the embedded server: Warden drains, then stops PostgreSQL cleanly, with no connection errors", async () => {
  const stateDir = tempDir("warden-start-embedded-");
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ["DATABASE_URL", "AUTH_DATABASE_URL", "ROOT_DATABASE_URL", "SHADOW_DATABASE_URL"]) delete env[name];
  const warden = startWardenProcess(
    {
      ...env,
      WARDEN_STATE_DIR: stateDir,
      WARDEN_EMBEDDED_PG_PORT: String(await freePort()),
      WARDEN_JWT_SECRET: "embedded-start-test-secret-0123456789abcdef",
      PORT: String(port),
      LOG_LEVEL: "info",
    },
    { detached: true },
  );
  const first = await warden.firstLine(150_000);
  expect({ started: first !== null, stderr: first !== null ? "" : warden.stderr() }).toEqual({ started: true, stderr: "" });
  expect(JSON.parse(first!)).toMatchObject({ embedded: true });
  expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  const dataDir = path.join(stateDir, "pgdata");
  const postmasterPid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  expect(processGroup(postmasterPid)).toBe(postmasterPid);

  // Ctrl-C: SIGINT to the terminal's process group
  process.kill(-warden.child.pid!, "SIGINT");
  expect(await warden.exited).toBe(0);
  // structured logs (src/observability/logger.ts)
  expect(warden.stderr()).toMatch(/"signal":"SIGINT".*"msg":"signal received, stopping"/);
  expect(warden.stderr()).not.toMatch(/connection error|terminating connection|Client error/i);
  // a clean shutdown removes postmaster.pid and says so in the server's log
  expect(fs.existsSync(path.join(dataDir, "postmaster.pid"))).toBe(false);
  expect(fs.readFileSync(`${dataDir}.log`, "utf8")).toMatch(/database system is shut down/);
  expect(processGroup(postmasterPid)).toBeNull();
});
