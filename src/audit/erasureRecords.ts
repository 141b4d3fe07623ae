/**
 * Signed erasure records. A GDPR erasure rewrites payload fields of events
 * the chain may already have sealed; for each rewritten event the database
 * keeps (event, payload hash after, payload hash before) in
 * warden_private.erasure_records. The sealing key (never in the database)
 * signs each record; the verifier accepts an event whose payload changed
 * only when a validly signed record maps its current payload hash back to
 * the one that was sealed. An attacker who edits a payload and inserts a
 * record cannot sign it, so the edit is still reported.
 *
 * Records are signed right after an erasure by the API or CLI (that
 * erasure's only). A record written without the key (warden.erase_subject
 * from plain SQL) stays unsigned until an operator runs `warden sign-records`.
 */
import { sign, verify } from "node:crypto";
import type pg from "pg";
import { LEAF_PREFIX_BYTES, leafPrefix } from "./chain";
import type { SealingKey } from "./sealingKey";

export interface ErasureRecord {
  eventId: string;
  tenantKey: string;
  erasureId: string;
  originalHash: Buffer;
  erasedHash: Buffer;
}

export function erasureRecordMessage(r: ErasureRecord): Buffer {
  return Buffer.from(
    ["warden.erasure.v1", r.eventId, r.tenantKey, r.erasureId, r.originalHash.toString("hex"), r.erasedHash.toString("hex")].join("\n"),
    "utf8",
  );
}

export function signErasureRecord(key: SealingKey, r: ErasureRecord): Buffer {
  if (!key.privateKey) throw new Error("this seal key can only verify, not sign");
  return sign(null, erasureRecordMessage(r), key.privateKey);
}

export function erasureRecordSignatureValid(key: SealingKey, r: ErasureRecord, signature: Buffer): boolean {
  try {
    return verify(null, erasureRecordMessage(r), key.publicKey, signature);
  } catch {
    return false;
  }
}

const RECORD_COLUMNS = `r.event_id::text as event_id, r.tenant_key::text as tenant_key, r.erasure_id::text as erasure_id,
  r.original_payload_hash, r.erased_payload_hash`;

function toRecord(row: { event_id: string; tenant_key: string; erasure_id: string; original_payload_hash: Buffer; erased_payload_hash: Buffer }): ErasureRecord {
  return {
    eventId: row.event_id,
    tenantKey: row.tenant_key,
    erasureId: row.erasure_id,
    originalHash: row.original_payload_hash,
    erasedHash: row.erased_payload_hash,
  };
}

/**
 * Which unsigned erasure records to sign: one erasure's (the API and CLI,
 * right after they ran it), or every pending one (`warden sign-records`, an
 * operator's explicit act after a DBA erased a subject from plain SQL).
 * Nothing signs records automatically: a pass that signed whatever it found
 * would also sign a record forged by hand.
 */
export type ErasureSigningScope = { erasureId: string } | "all_pending";

/** Unsigned erasure records in a scope (what `warden sign-records --dry-run` lists). */
export async function pendingErasureRecords(client: pg.ClientBase, key: SealingKey, scope: ErasureSigningScope, limit = 1000): Promise<ErasureRecord[]> {
  const { rows } = await client.query(
    `select ${RECORD_COLUMNS} from warden_private.erasure_records r
     where ($2::uuid is null or r.erasure_id = $2::uuid)
       and not exists (select 1 from warden_private.erasure_record_signatures s
                       where s.event_id = r.event_id and s.erased_payload_hash = r.erased_payload_hash and s.key_id = $1)
     limit $3`,
    [key.keyId, scope === "all_pending" ? null : scope.erasureId, limit],
  );
  return rows.map(toRecord);
}

/** Signs the erasure records in `scope` the key has not signed yet, on the caller's client and transaction; returns how many. */
export async function signPendingErasureRecords(client: pg.ClientBase, key: SealingKey, scope: ErasureSigningScope): Promise<number> {
  if (!key.privateKey) return 0;
  let signed = 0;
  for (;;) {
    const records = await pendingErasureRecords(client, key, scope);
    if (!records.length) return signed;
    await client.query(
      `insert into warden_private.erasure_record_signatures (event_id, erased_payload_hash, key_id, signature)
       select * from unnest($1::uuid[], $2::bytea[], $3::text[], $4::bytea[])
       on conflict do nothing`,
      [records.map((r) => r.eventId), records.map((r) => r.erasedHash), records.map(() => key.keyId), records.map((r) => signErasureRecord(key, r))],
    );
    signed += records.length;
  }
}

/**
 * The validly signed erasure records of one chain, for the verifier:
 * event id -> (payload hash after erasure, hex) -> payload hash before.
 */
export class ErasureIndex {
  private constructor(private readonly byEvent: Map<string, Map<string, Buffer>>) {}

  static empty(): ErasureIndex {
    return new ErasureIndex(new Map());
  }

  /**
   * `withUnsigned`: also the records no signature of this key covers yet
   * (the verifier asks whether they alone explain a difference: status
   * pending_signature). A record with a wrong signature never counts.
   */
  static async load(client: pg.ClientBase, key: SealingKey, tenantKey: string, withUnsigned = false): Promise<ErasureIndex> {
    const { rows } = await client.query(
      `select ${RECORD_COLUMNS}, s.signature
       from warden_private.erasure_records r
       ${withUnsigned ? "left " : ""}join warden_private.erasure_record_signatures s
         on s.event_id = r.event_id and s.erased_payload_hash = r.erased_payload_hash and s.key_id = $2
       where r.tenant_key = $1`,
      [tenantKey, key.keyId],
    );
    const byEvent = new Map<string, Map<string, Buffer>>();
    for (const row of rows) {
      const record = toRecord(row);
      // Only what the sealing key vouched for, and only for this chain.
      if (record.tenantKey !== tenantKey) continue;
      if (!(withUnsigned && row.signature === null) && !erasureRecordSignatureValid(key, record, row.signature)) continue;
      let m = byEvent.get(record.eventId);
      if (!m) byEvent.set(record.eventId, (m = new Map()));
      m.set(record.erasedHash.toString("hex"), record.originalHash);
    }
    return new ErasureIndex(byEvent);
  }

  /**
   * The payload hash to chain for an event: the current one when it matches
   * the sealed leaf, else the earliest hash a chain of signed erasure records
   * leads back to that matches it (an event may be erased more than once).
   * Returns the current hash when nothing matches (the verifier reports it).
   */
  resolve(eventId: string, envelope: Buffer, currentHash: Buffer, sealedLeaf: Buffer): Buffer {
    const m = this.byEvent.get(eventId);
    if (!m || leafPrefix(envelope, currentHash).equals(sealedLeaf)) return currentHash;
    let hash = currentHash;
    for (let hops = 0; hops < 64; hops++) {
      const before = m.get(hash.toString("hex"));
      if (!before) break;
      if (leafPrefix(envelope, before).subarray(0, LEAF_PREFIX_BYTES).equals(sealedLeaf)) return before;
      hash = before;
    }
    return currentHash;
  }
}
