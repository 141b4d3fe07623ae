/**
 * `npm run bench`: Warden's performance figures, each against a baseline
 * measured in the same run. Prints; never fails on a figure.
 */
import { prepareBenchDatabase } from "./database";
import { benchCapture } from "./capture";
import { benchSealing } from "./sealing";

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  const db = await prepareBenchDatabase();
  log(`Warden bench on PostgreSQL ${db.serverVersion}`);
  try {
    log("\n== capture (audited vs unaudited table) ==");
    const capture = await benchCapture(db.ownerUrl, db.rootUrl, log);
    log("\n== sealing and verification ==");
    const seal = await benchSealing({ ownerUrl: db.ownerUrl, log });

    log("\n== results ==");
    log("| workload | unaudited rows/s | audited rows/s | ratio | target |");
    log("|---|---|---|---|---|");
    for (const f of capture.figures) {
      log(`| ${f.name} | ${fmt(f.plainPerSecond)} | ${fmt(f.auditedPerSecond)} | ${f.ratio.toFixed(2)}x | >= ${f.target}x ${f.ratio >= f.target ? "met" : "MISSED"} |`);
    }
    log(`| audit bytes per event, 5-column UPDATE (incl. indexes) | | ${fmt(capture.bytesPerUpdate)} B | | <= 600 B ${capture.bytesPerUpdate <= 600 ? "met" : "MISSED"} |`);
    log(`| audit bytes per event, INSERT (incl. indexes) | | ${fmt(capture.bytesPerInsert)} B | | |`);
    log("");
    log("| sealing/verify | events/s | baseline: plain cursor read events/s | ratio | target |");
    log("|---|---|---|---|---|");
    log(`| seal (${fmt(seal.events)} events) | ${fmt(seal.sealPerSecond)} | ${fmt(seal.readPerSecond)} | ${(seal.sealPerSecond / seal.readPerSecond).toFixed(2)}x | >= 50,000/s ${seal.sealPerSecond >= 50_000 ? "met" : "MISSED"} |`);
    log(`| verify | ${fmt(seal.verifyPerSecond)} | ${fmt(seal.readPerSecond)} | ${(seal.verifyPerSecond / seal.readPerSecond).toFixed(2)}x | >= 200,000/s ${seal.verifyPerSecond >= 200_000 ? "met" : "MISSED"} |`);
    log(`| sealing lag at ${fmt(seal.writeRatePerSecond)} single-row writes/s | max ${seal.maxLagSeconds.toFixed(2)} s | | | < 5 s ${seal.maxLagSeconds < 5 ? "met" : "MISSED"} |`);
  } finally {
    await db.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
