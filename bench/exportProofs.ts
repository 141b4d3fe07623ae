/**
 * Bench section "export-proofs": the self-verifying export
 * (GET /api/v1/audit/export?format=jsonl&proofs=true, docs/export.md) and
 * its offline check (`warden verify-export`), on one tenant holding
 * WARDEN_BENCH_EXPORT_PROOFS_EVENTS sealed events (default 200,000).
 * Same-run baselines: the plain JSONL export of the same tenant (what the
 * proofs cost the server), and `warden verify` of the same tenant in the
 * database (what verifying the file costs against verifying the trail).
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { BenchContext, BenchSection } from "./types";
import { ensureWindowPartitions, loadEvents } from "./auditData";
import { auditorKey, authenticatorUrl, startInProcessServer } from "./httpClient";
import { envInt, fmtInt, withClient, benchSealingKey } from "./util";
import { sealOnce } from "../src/audit/sealer";
import { verifyTrail } from "../src/audit/verifier";
import { verifyExportFile } from "../src/audit/offlineVerify";

const EVENTS = envInt("WARDEN_BENCH_EXPORT_PROOFS_EVENTS", 200_000);
const MB = 1024 * 1024;

/** Streams an export into a file; returns seconds and bytes. */
function download(port: number, key: string, query: string, file: string): Promise<{ seconds: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const out = fs.createWriteStream(file);
    http
      .get({ host: "127.0.0.1", port, path: `/api/v1/audit/export?${query}`, headers: { authorization: `Bearer ${key}` } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`export answered ${res.statusCode}`));
          return;
        }
        res.pipe(out);
        out.on("finish", () => resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes: fs.statSync(file).size }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

export const exportProofsSection: BenchSection = {
  name: "export-proofs",
  async run(ctx: BenchContext): Promise<void> {
    const key = benchSealingKey();
    const tenant = await withClient(ctx.ownerUrl, async (c) => {
      await ensureWindowPartitions(c);
      await sealOnce(c, key); // whatever earlier sections left
      const t = (await c.query("select warden_private.create_tenant('bench export proofs') as id")).rows[0].id as string;
      const first = Number((await c.query("select count(*) as n from warden.audit_events")).rows[0].n) + 20_000_000;
      const loadSecs = await loadEvents(c, [t], first, EVENTS);
      await c.query("vacuum (analyze) warden.audit_events");
      const started = process.hrtime.bigint();
      const sealed = await sealOnce(c, key);
      const sealSecs = Number(process.hrtime.bigint() - started) / 1e9;
      ctx.log(`loaded ${fmtInt(EVENTS)} events in ${loadSecs.toFixed(1)} s; sealed ${fmtInt(sealed.sealed)} in ${sealSecs.toFixed(1)} s (${sealed.blocks} blocks)`);
      return t;
    });
    const apiKey = await auditorKey(ctx.ownerUrl, tenant);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-bench-proofs-"));
    const server = await startInProcessServer(ctx.ownerUrl, await authenticatorUrl(ctx), 4, key);
    try {
      const plainFile = path.join(dir, "plain.jsonl");
      const proofsFile = path.join(dir, "proofs.jsonl");
      const plain = await download(server.port, apiKey.key, "format=jsonl", plainFile);
      const proofs = await download(server.port, apiKey.key, "format=jsonl&proofs=true", proofsFile);
      const plainRate = EVENTS / plain.seconds;
      const proofsRate = EVENTS / proofs.seconds;
      ctx.log(
        `plain export ${plain.seconds.toFixed(1)} s, ${fmtInt(plain.bytes / MB)} MB; with proofs ${proofs.seconds.toFixed(1)} s, ${fmtInt(proofs.bytes / MB)} MB ` +
          `(${(proofs.bytes / plain.bytes).toFixed(2)}x the size)`,
      );
      ctx.record({
        name: `JSONL export with proofs, ${fmtInt(EVENTS)} sealed events`,
        value: `${fmtInt(proofsRate)} events/s`,
        baseline: `${fmtInt(plainRate)} events/s plain JSONL export`,
        ratio: proofsRate / plainRate,
      });

      const vStarted = process.hrtime.bigint();
      const report = await verifyExportFile(proofsFile, key.publicKey);
      const vSecs = Number(process.hrtime.bigint() - vStarted) / 1e9;
      const dbStarted = process.hrtime.bigint();
      const db = await withClient(ctx.ownerUrl, (c) => verifyTrail(c, key, { tenantId: tenant }));
      const dbSecs = Number(process.hrtime.bigint() - dbStarted) / 1e9;
      ctx.log(
        `offline verify: ${report.status}, ${fmtInt(report.events_verified)} events, ${report.blocks_verified} blocks, ${report.checkpoints_verified} checkpoint(s) in ${vSecs.toFixed(1)} s; ` +
          `warden verify in the database: ok=${db.ok} (first_bad ${JSON.stringify(db.first_bad)}, suspects ${db.suspect_events}), ${fmtInt(db.events_verified)} events in ${dbSecs.toFixed(1)} s`,
      );
      if (report.status === "tampered") ctx.log(`WARNING: the export did not verify: ${JSON.stringify(report.problems.slice(0, 3))}`);
      if (report.events_unsealed) ctx.log(`${report.events_unsealed} exported event(s) in no signed block (suspect events the sealer set aside: the bench loads events across ${30} days)`);
      ctx.record({
        name: `verify-export of the file (${fmtInt(proofs.bytes / MB)} MB)`,
        value: `${fmtInt(report.events_verified / vSecs)} events/s`,
        baseline: `${fmtInt(db.events_verified / dbSecs)} events/s warden verify (database)`,
        ratio: report.events_verified / vSecs / (db.events_verified / dbSecs),
      });
    } finally {
      await server.close();
      if (process.env.WARDEN_BENCH_PROOFS_KEEP) ctx.log(`kept ${dir}`);
      else fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
