/**
 * EXTENSION POINT: the sections `npm run bench` runs, in this order.
 *
 * To add a benchmark, write a module exporting a BenchSection (see
 * bench/types.ts and bench/capture.ts for an example):
 *
 *   export const mySection: BenchSection = {
 *     name: "my-thing",
 *     async run(ctx) {
 *       // ctx.ownerUrl (warden_owner on warden_bench), ctx.rootUrl (superuser),
 *       // ctx.log(line) for progress, ctx.record({...}) for the summary table.
 *       // Measure a baseline in the same run and record the ratio; never fail on a figure.
 *     },
 *   };
 *
 * and append it below. Run only some sections with
 * `npm run bench -- capture` or BENCH_SECTIONS=capture,sealing.
 */
import type { BenchSection } from "./types";
import { captureSection } from "./capture";
import { sealingSection } from "./sealing";
import { ingestSection } from "./ingest";
import { retentionSection } from "./retention";
import { redactionSection } from "./redaction";
import { querySection } from "./query";
import { exportSection } from "./export";
import { exportProofsSection } from "./exportProofs";
import { contextSection } from "./context";
import { dqSection } from "./dq";
import { viewerSection } from "./viewer";
import { sessionsSection } from "./sessions";
import { verifySection } from "./verify";
import { loggingSection } from "./logging";
import { notifySection } from "./notify";
import { usageSection } from "./usage";

export const sections: BenchSection[] = [
  captureSection, // trigger capture: audited vs unaudited table
  sealingSection, // hash-chain sealing and verification vs a plain cursor read
  ingestSection, // POST /api/v1/audit/events (single and batched) vs a raw INSERT of the same events
  retentionSection, // purging a month: partition detach + drop vs row deletes in batches
  redactionSection, // masked vs raw reads of the same page (API and SQL); write-time enforce trigger cost
  querySection, // GET /api/v1/audit/... p50/p95/p99 at 1M and 5M events vs the same SQL without HTTP
  exportSection, // GET /api/v1/audit/export of 1M events: server RSS growth and throughput vs a pg cursor read
  exportProofsSection, // export with proofs vs plain export; verify-export of the file vs warden verify in the database
  contextSection, // set_context's commit-time check (the outside-a-transaction warning) vs the same transaction without it
  sessionsSection, // user-token lookup with a session vs membership only; revocation NOTIFY delivery vs a round trip
  verifySection, // full warden verify vs the same events read with the same streamed cursor; incremental scheduled verify
  dqSection, // data quality: one-scan dq_run vs count(*) and vs one query per rule; dq_enforce reject vs plain INSERT
  viewerSection, // viewer tokens: scoped and unscoped reads vs an auditor's token with the same filter
  loggingSection, // one JSON request line per ingest POST (LOG_LEVEL=info) vs LOG_LEVEL=silent
  notifySection, // notifications: webhook and JetStream deliveries/s from a backlog vs bare loops; commit-to-webhook p95 at 1,000 events/s
  usageSection, // usage metering: the daily rollup vs one plain aggregate over the same events
];
