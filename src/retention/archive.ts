/**
 * Archives one audit partition before retention drops it:
 * <dir>/<partition>.jsonl.gz (one event per line, to_jsonb of the row, in
 * (occurred_at, event_id) order) and <dir>/<partition>.manifest.json with
 * the row count and the sha256 of the gzipped file. Streams through a
 * cursor: memory stays flat whatever the partition's size. The caller runs
 * this inside the transaction that then drops the partition, holding a
 * lock that keeps writers out of it, so the archive is exactly what is
 * dropped.
 */
import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { createGzip } from "node:zlib";
import { once } from "node:events";
import type pg from "pg";

export interface ArchiveResult {
  partition: string;
  file: string;
  manifest: string;
  rows: number;
  sha256: string;
}

const PARTITION = /^audit_events_p[0-9]{6}$/;

export async function archivePartition(client: pg.ClientBase, partition: string, dir: string, fetchSize = 5_000): Promise<ArchiveResult> {
  if (!PARTITION.test(partition)) throw new Error(`not a monthly audit partition: ${JSON.stringify(partition)}`);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${partition}.jsonl.gz`);
  const manifest = path.join(dir, `${partition}.manifest.json`);
  const tmp = `${file}.partial`;
  const out = fs.createWriteStream(tmp, { mode: 0o600 });
  const gzip = createGzip();
  const hash = createHash("sha256");
  gzip.on("data", (chunk: Buffer) => hash.update(chunk));
  gzip.pipe(out);
  let rows = 0;
  try {
    await client.query(
      `declare warden_archive no scroll cursor for
       select to_jsonb(e)::text as j from warden_private.${partition} e order by e.occurred_at, e.event_id`,
    );
    for (;;) {
      const res = await client.query(`fetch ${fetchSize} from warden_archive`);
      if (res.rows.length === 0) break;
      const chunk = res.rows.map((r) => r.j).join("\n") + "\n";
      rows += res.rows.length;
      if (!gzip.write(chunk)) await once(gzip, "drain");
    }
    await client.query("close warden_archive");
    gzip.end();
    await once(out, "finish");
  } catch (err) {
    gzip.destroy();
    out.destroy();
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  const sha256 = hash.digest("hex");
  fs.renameSync(tmp, file);
  fs.writeFileSync(
    manifest,
    JSON.stringify({ partition, file: path.basename(file), rows, sha256, format: "jsonl.gz", archived_at: new Date().toISOString() }, null, 2) + "\n",
    { mode: 0o600 },
  );
  return { partition, file, manifest, rows, sha256 };
}
