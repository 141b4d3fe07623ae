/**
 * The self-verifying export (GET /api/v1/audit/export?format=jsonl&proofs=true):
 * the record shapes and the signed manifest, shared by the exporter
 * (src/audit/exportProofs.ts) and the offline verifier
 * (src/audit/offlineVerify.ts, `warden verify-export`). One JSON object per
 * line, in this order:
 *
 *   {"warden_export": {version, proofs, tenant_id, key_id, public_key_sha256, exported_at, filter}}
 *   the events, one object per line, oldest first (as without proofs)
 *   {"checkpoint": ...}      the signed checkpoints covering those events
 *   {"prune_record": ...}    signed records of what retention purged
 *   {"erasure_record": ...}  signed records of GDPR erasures
 *   {"block": ...}           every block of those checkpoints in sequence
 *                            order, each position's event id, occurred_at
 *                            (µs), envelope and payload hash (null when
 *                            retention purged the event)
 *   {"manifest": {count, sha256, key_id, signature}}
 *
 * manifest.sha256 covers every line before it; its signature (Ed25519, the
 * sealing key) covers exportManifestMessage, so no line can be dropped,
 * added, changed or moved without the signature failing. Blocks come last so a
 * verifier checks each as it reads it, holding only the events' digests.
 */
import { createHash, sign, verify, type KeyObject } from "node:crypto";
import type { SealingKey } from "./sealingKey";

export const EXPORT_FORMAT_VERSION = 1;

export interface ExportHeader {
  version: number;
  proofs: boolean;
  tenant_id: string;
  key_id: string;
  /** sha256 of the sealing public key (SPKI DER), hex: the key to verify with. */
  public_key_sha256: string;
  exported_at: string;
  filter: Record<string, unknown>;
}

export interface CheckpointRecord {
  tenant_key: string;
  first_seq: string;
  last_seq: string;
  head_hash: string;
  signed_at: string;
  key_id: string;
  signature: string;
}

/** [event id, occurred_at µs (null for blocks sealed before it was kept), envelope, payload hash hex] */
export type Position = [string, string | null, string | null, string | null];

export interface BlockRecord {
  tenant_key: string;
  first_seq: string;
  last_seq: string;
  prev_hash: string;
  head_hash: string;
  leaf_prefixes: string;
  positions: Position[];
}

export interface PruneRecordLine {
  id: string;
  tenant_key: string;
  method: "partition" | "rows";
  partition_name: string;
  range_from: string | null;
  range_to: string | null;
  sealed_through: string;
  event_ids: string[] | null;
  event_count: string;
  created_at: string;
  signed_at: string;
  key_id: string;
  signature: string;
}

export interface ErasureRecordLine {
  event_id: string;
  tenant_key: string;
  erasure_id: string;
  original_payload_hash: string;
  erased_payload_hash: string;
  key_id: string;
  signature: string;
}

export interface ExportManifest {
  count: number;
  sha256: string;
  key_id?: string;
  signature?: string;
}

/** sha256 of a public key (SPKI DER), hex. */
export function publicKeySha256(publicKey: KeyObject): string {
  return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex");
}

export function exportManifestMessage(tenantId: string, count: number, sha256: string): Buffer {
  return Buffer.from(["warden.export.v1", tenantId, String(count), sha256].join("\n"), "utf8");
}

export function signExportManifest(key: SealingKey, tenantId: string, count: number, sha256: string): string {
  if (!key.privateKey) throw new Error("this seal key can only verify, not sign");
  return sign(null, exportManifestMessage(tenantId, count, sha256), key.privateKey).toString("base64");
}

export function exportManifestSignatureValid(publicKey: KeyObject, tenantId: string, m: ExportManifest): boolean {
  if (!m.signature) return false;
  try {
    return verify(null, exportManifestMessage(tenantId, m.count, m.sha256), publicKey, Buffer.from(m.signature, "base64"));
  } catch {
    return false;
  }
}
