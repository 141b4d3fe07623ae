/**
 * The hash chain, shared by the sealer and the verifier:
 *   hash_i = sha256(hash_{i-1} || envelope_i || sha256(payload_i))
 * where envelope and payload hash come from SQL (warden_private.audit_envelope
 * and warden_private.audit_payload_hash). The leaf prefix (first 8 bytes of
 * sha256(envelope || payload hash)) pinpoints a tampered event.
 */
import { createHash } from "node:crypto";

export const GENESIS = Buffer.alloc(32);
export const ZERO_TENANT = "00000000-0000-0000-0000-000000000000";
export const LEAF_PREFIX_BYTES = 8;

export function chainHash(prev: Buffer, envelope: Buffer, payloadHash: Buffer): Buffer {
  return createHash("sha256").update(prev).update(envelope).update(payloadHash).digest();
}

export function leafPrefix(envelope: Buffer, payloadHash: Buffer): Buffer {
  return createHash("sha256").update(envelope).update(payloadHash).digest().subarray(0, LEAF_PREFIX_BYTES);
}

/**
 * SQL selecting the hashed parts of an event aliased `e`: the envelope as
 * text and the payload hash as hex (both decode natively, unlike bytea).
 */
export const HASHED_COLUMNS = `warden_private.audit_envelope(e) as env, encode(warden_private.audit_payload_hash(e), 'hex') as ph`;

/** The hashed parts of a fetched row as bytes. */
export function hashedParts(row: { env: string; ph: string }): [Buffer, Buffer] {
  return [Buffer.from(row.env, "utf8"), Buffer.from(row.ph, "hex")];
}
