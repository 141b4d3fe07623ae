/**
 * The README's quickstart, run verbatim: every ```sh block and every ```sql
 * block of README.md (except one preceded by `<!-- readme-test: skip -->`),
 * in order, in one bash session with `set -euo pipefail`, against a real
 * `warden start` process on a fresh database. SQL blocks run through the
 * last `warden psql ...` command line of an earlier sh block (so the psql
 * variables the README passes are the ones the SQL uses), with
 * ON_ERROR_STOP: any failing statement fails the test.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import pg from "pg";
import { authUrl, ownerUrl, rootUrl } from "../support/db";
import { startWardenProcess, type WardenProcess } from "../support/cli";
import { freePort } from "../support/freePort";
import { databaseName, withDatabase } from "../../src/db/urls";

const ROOT = path.join(__dirname, "../..");
const SKIP = "<!-- readme-test: skip -->";

export interface Block {
  lang: "sh" | "sql";
  code: string;
  line: number;
}

/** The runnable blocks of a Markdown document, in order. */
export function extractBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    const lang = open[1];
    let prev = i - 1;
    while (prev >= 0 && lines[prev].trim() === "") prev--;
    const skipped = prev >= 0 && lines[prev].trim() === SKIP;
    if ((lang === "sh" || lang === "sql") && !skipped) blocks.push({ lang, code: lines.slice(i + 1, end).join("\n"), line: i + 1 });
    i = end;
  }
  return blocks;
}

/** One bash script: sh blocks as they are, sql blocks fed to the README's own psql command. */
export function toScript(blocks: Block[]): string {
  const parts = ["set -euo pipefail"];
  let psql: string | null = null;
  blocks.forEach((b, n) => {
    parts.push(`echo "### README block ${n + 1} (${b.lang}, line ${b.line})" >&2`);
    if (b.lang === "sh") {
      parts.push(b.code);
      const cmd = b.code.split("\n").filter((l) => /^\s*(npx )?warden psql\b/.test(l)).pop();
      if (cmd) psql = cmd.replace(/\s+#.*$/, "");
    } else {
      if (!psql) throw new Error(`README line ${b.line}: a sql block before any \`warden psql\` command in a sh block`);
      if (b.code.includes("WARDEN_README_SQL")) throw new Error("the heredoc delimiter appears in a block");
      parts.push(`${psql} <<'WARDEN_README_SQL'\n${b.code}\nWARDEN_README_SQL`);
    }
  });
  return parts.join("\n") + "\n";
}

const dbName = `${databaseName(ownerUrl())}_readme`;
let warden: WardenProcess | undefined;
let workDir: string;
let exportFile: string | undefined;

async function asRoot(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: rootUrl() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

afterAll(async () => {
  if (warden && warden.child.exitCode === null) {
    warden.child.kill("SIGTERM");
    await warden.exited;
  }
  await asRoot(`drop database if exists ${dbName} with (force)`);
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  if (exportFile) fs.rmSync(exportFile, { force: true });
});

test("the README's blocks are found, and the skip marker works", () => {
  const blocks = extractBlocks("a\n```sh\necho 1\n```\n<!-- readme-test: skip -->\n```sh\nnpm start\n```\n```sql\nselect 1;\n```\n```\nplain\n```\n");
  expect(blocks.map((b) => [b.lang, b.code])).toEqual([
    ["sh", "echo 1"],
    ["sql", "select 1;"],
  ]);
  const readme = extractBlocks(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"));
  expect(readme.filter((b) => b.lang === "sql").length).toBeGreaterThanOrEqual(4);
  expect(readme.some((b) => /warden psql/.test(b.code))).toBe(true);
  expect(readme.some((b) => /^\s*npm (start|ci)\b/m.test(b.code))).toBe(false); // the test starts Warden itself
  expect(readme.map((b) => b.code).join("\n")).not.toMatch(/<[a-z ]*uuid>/); // no placeholders to fill in
});

test("the quickstart runs verbatim, top to bottom, against a started Warden on a fresh database", async () => {
  await asRoot(`drop database if exists ${dbName} with (force)`);
  const port = await freePort();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-readme-"));
  // The script runs in the checkout, as a user would (npx finds the local warden there); it writes audit.jsonl.
  exportFile = path.join(ROOT, "audit.jsonl");
  if (fs.existsSync(exportFile)) throw new Error(`${exportFile} exists: the README's export would overwrite it; move it away`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: withDatabase(ownerUrl(), dbName),
    AUTH_DATABASE_URL: withDatabase(authUrl(), dbName),
    ROOT_DATABASE_URL: rootUrl(),
    WARDEN_STATE_DIR: path.join(workDir, ".warden"),
    WARDEN_JWT_SECRET: "readme-test-secret-readme-test-secret-0123",
    WARDEN_URL: `http://127.0.0.1:${port}`,
    PORT: String(port),
    WORKER_CONCURRENCY: "2",
  };
  warden = startWardenProcess(env);
  const first = await warden.firstLine(120_000);
  expect({ first, stderr: first ? "" : warden.stderr() }).toEqual({ first: expect.stringContaining(`127.0.0.1:${port}`), stderr: "" });

  const script = toScript(extractBlocks(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")));
  const result = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn("bash", ["-c", script], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code, out, err }));
  });
  if (result.code !== 0) console.error(`README script failed:\n--- stdout\n${result.out.slice(-4000)}\n--- stderr\n${result.err.slice(-4000)}`);
  expect(result.code).toBe(0);
  // What the quickstart promises is really there.
  expect(result.out).toMatch(/"currentTenantId":"[0-9a-f-]{36}"/);
  expect(result.out).toMatch(/"ok":\s*true/);
  expect(result.out).toMatch(/row\.update|orders/);
  const exported = fs.readFileSync(exportFile, "utf8").trim().split("\n");
  expect(JSON.parse(exported[exported.length - 1]).manifest.count).toBe(exported.length - 1);
  expect(exported.length).toBeGreaterThan(1);
}, 600_000);
