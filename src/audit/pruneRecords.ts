/**
 * Prune records: what retention removed from a tenant's sealed trail, signed
 * with the sealing key so the verifier can tell a purge from a deletion.
 *
 * - method "rows": the exact event ids of one deleted batch.
 * - method "partition": a dropped monthly partition, i.e. every event of the
 *   tenant with occurred_at in [range_from, range_to) that was sealed at or
 *   before sealed_through (later events cannot have been in it).
 *
 * The database writes the records (warden_private.governance_*); the
 * retention run that holds the sealing key (`warden retention`, the worker's
 * job) signs each record in the transaction that wrote it. Nothing signs a
 * record automatically after the fact: a record written without the key (a
 * DBA calling warden.apply_retention from SQL) stays unsigned, and its
 * events count as missing, until an operator signs it with
 * `warden sign-records`. So a record forged by hand never gets signed.
 */
import { createHash, sign, verify } from "node:crypto";
import type pg from "pg";
import type { SealingKey } from "./sealingKey";

export const MICROS_BYTES = 8;

export interface PruneRecord {
  id: string;
  tenantKey: string;
  method: "partition" | "rows";
  partitionName: string;
  rangeFrom: Date | null;
  rangeTo: Date | null;
  sealedThrough: string;
  eventIds: string[] | null;
  eventCount: string;
  createdAt: Date;
}

function iso(d: Date | null): string {
  return d ? d.toISOString() : "-";
}

export function pruneRecordMessage(r: PruneRecord, signedAt: Date): Buffer {
  const ids = r.eventIds ? createHash("sha256").update(r.eventIds.join("\n")).digest("hex") : "-";
  return Buffer.from(
    [
      "warden.prune.v1",
      r.id,
      r.tenantKey,
      r.method,
      r.partitionName,
      iso(r.rangeFrom),
      iso(r.rangeTo),
      r.sealedThrough,
      r.eventCount,
      ids,
      r.createdAt.toISOString(),
      signedAt.toISOString(),
    ].join("\n"),
    "utf8",
  );
}

const RECORD_COLUMNS = `r.id::text as id, r.tenant_key::text as tenant_key, r.method, r.partition_name, r.range_from, r.range_to,
  r.sealed_through::text as sealed_through, r.event_ids::text[] as event_ids, r.event_count::text as event_count, r.created_at`;

function toRecord(row: Record<string, any>): PruneRecord {
  return {
    id: row.id,
    tenantKey: row.tenant_key,
    method: row.method,
    partitionName: row.partition_name,
    rangeFrom: row.range_from,
    rangeTo: row.range_to,
    sealedThrough: row.sealed_through,
    eventIds: row.event_ids,
    eventCount: row.event_count,
    createdAt: row.created_at,
  };
}

/**
 * Which unsigned prune records to sign:
 * - "this_transaction": only those the caller's open transaction wrote
 *   (their xmin is its transaction id), i.e. the purge it just did. Nobody
 *   else's record, and no record forged by hand, can be signed this way.
 * - "all_pending": every unsigned record: an operator's explicit act
 *   (`warden sign-records`), after a DBA ran retention from plain SQL.
 */
export type SigningScope = "this_transaction" | "all_pending";

/** The unsigned prune records in a scope (what `warden sign-records --dry-run` lists). */
export async function pendingPruneRecords(client: pg.ClientBase, scope: SigningScope, limit = 100): Promise<PruneRecord[]> {
  const { rows } = await client.query(
    `select ${RECORD_COLUMNS} from warden_private.prune_records r
     where not exists (select 1 from warden_private.prune_record_signatures s where s.record_id = r.id)
       and ($1 = 'all_pending' or r.xmin = (txid_current() % 4294967296)::text::xid)
     order by r.id limit $2`,
    [scope, limit],
  );
  return rows.map(toRecord);
}

/** Signs the unsigned prune records in `scope`; returns how many. */
export async function signPendingPruneRecords(client: pg.ClientBase, key: SealingKey, scope: SigningScope): Promise<number> {
  if (!key.privateKey) return 0;
  let signed = 0;
  for (;;) {
    const records = await pendingPruneRecords(client, scope);
    if (records.length === 0) return signed;
    for (const record of records) {
      const signedAt = new Date();
      const signature = sign(null, pruneRecordMessage(record, signedAt), key.privateKey);
      await client.query(
        `insert into warden_private.prune_record_signatures (record_id, signed_at, key_id, signature) values ($1, $2, $3, $4)
         on conflict (record_id) do nothing`,
        [record.id, signedAt, key.keyId, signature],
      );
      signed++;
    }
  }
}

/** A sealed event's occurred_at as microseconds, packed for seal_blocks.occurred_micros. */
export function packMicros(micros: string): Buffer {
  const b = Buffer.alloc(MICROS_BYTES);
  b.writeBigInt64BE(BigInt(micros));
  return b;
}

/** The occurred_at (micros) of the ord-th (1-based) event of a block, or null for blocks sealed before it was stored. */
export function microsAt(occurredMicros: Buffer | null, ord: number): bigint | null {
  if (!occurredMicros) return null;
  return occurredMicros.readBigInt64BE((ord - 1) * MICROS_BYTES);
}

interface Range {
  from: bigint;
  to: bigint;
  sealedThrough: bigint;
}

/** What the validly signed prune records of one tenant cover. */
export class PruneCover {
  readonly ids = new Set<string>();
  readonly ranges: Range[] = [];
  /** Records ignored because their signature is missing or wrong. */
  unsigned = 0;

  covers(eventId: string, seq: bigint, occurredMicros: bigint | null): boolean {
    if (this.ids.has(eventId)) return true;
    if (occurredMicros === null) return false;
    return this.ranges.some((r) => seq <= r.sealedThrough && occurredMicros >= r.from && occurredMicros < r.to);
  }

  get empty(): boolean {
    return this.ids.size === 0 && this.ranges.length === 0;
  }
}

function micros(d: Date): bigint {
  return BigInt(d.getTime()) * 1000n;
}

/** Loads and checks one tenant's prune records: only those signed by this key count. */
/** `withUnsigned`: records without any signature count too (see ErasureIndex.load). */
export async function loadPruneCover(client: pg.ClientBase, key: SealingKey, tenantKey: string, withUnsigned = false): Promise<PruneCover> {
  const cover = new PruneCover();
  const { rows } = await client.query(
    `select ${RECORD_COLUMNS}, s.signed_at, s.key_id, s.signature
     from warden_private.prune_records r left join warden_private.prune_record_signatures s on s.record_id = r.id
     where r.tenant_key = $1 order by r.id`,
    [tenantKey],
  );
  for (const row of rows) {
    const record = toRecord(row);
    let valid = withUnsigned && !row.signature;
    if (row.signature && row.key_id === key.keyId) {
      try {
        valid = verify(null, pruneRecordMessage(record, row.signed_at), key.publicKey, row.signature);
      } catch {
        valid = false;
      }
    }
    if (!valid) {
      cover.unsigned++;
      continue;
    }
    if (record.method === "rows") {
      for (const id of record.eventIds ?? []) cover.ids.add(id);
    } else if (record.rangeFrom && record.rangeTo) {
      cover.ranges.push({ from: micros(record.rangeFrom), to: micros(record.rangeTo), sealedThrough: BigInt(record.sealedThrough) });
    }
  }
  return cover;
}
