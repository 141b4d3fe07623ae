/**
 * Shapes shared by the bench harness (bench/run.ts) and its sections: what a
 * section gets (BenchContext), what it is (BenchSection) and the figures it
 * hands back for the summary table (BenchResult).
 */

/** One line of the summary table printed at the end of `npm run bench`. */
export interface BenchResult {
  /** What was measured, e.g. "bulk INSERT ... SELECT 100,000 rows". */
  name: string;
  /** The measured figure, formatted with its unit (e.g. "41,200 rows/s"). */
  value: string;
  /** The same-run baseline, formatted with its unit; omitted when there is none. */
  baseline?: string;
  /** value / baseline, when both are rates of the same thing. */
  ratio?: number;
  /** The target in words, e.g. ">= 0.60x" or "<= 600 B". */
  target?: string;
  /** Whether the target was met; undefined when there is no target. */
  met?: boolean;
}

export interface BenchContext {
  /** warden_owner on the bench database (warden_bench). */
  ownerUrl: string;
  /** A superuser on the same server (checkpoint, settings). */
  rootUrl: string;
  /** Prints one progress line (indented under the section heading). */
  log(line: string): void;
  /** Adds a line to the summary table, under the section's name. */
  record(result: BenchResult): void;
}

export interface BenchSection {
  /** Short name: the heading, the summary group and the BENCH_SECTIONS key. */
  name: string;
  /** Runs the section; must close every client it opens, also on failure. */
  run(ctx: BenchContext): Promise<void>;
}
