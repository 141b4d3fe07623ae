/**
 * warden_events_ingested_total{source="capture"}: the database tallies the
 * promoted trigger-captured events by service and operation behind the
 * promotion watermark (warden_private.capture_ingest_counts_refresh), and
 * /metrics reads the totals at scrape time, so every process reports the
 * same count and promotion itself pays nothing.
 */
import type pg from "pg";
import { setCapturedIngested } from "../metrics";

export async function refreshCapturedIngested(ownerPool: pg.Pool): Promise<void> {
  try {
    const { rows } = await ownerPool.query<{ service: string; operation: string; n: number }>(
      "select service, operation, n::float8 as n from warden_private.capture_ingest_counts_refresh()",
    );
    setCapturedIngested(rows.map((r) => ({ service: r.service === "" ? "unknown" : r.service, operation: r.operation, n: r.n })));
  } catch {
    /* the database is away (or not migrated yet): the last totals stand */
  }
}
