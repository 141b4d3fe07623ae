/**
 * The hash chain, shared by the sealer and the verifier:
 *   hash_i = sha256(hash_{i-1} || envelope_i || sha256(payload_i))
 * where envelope and payload hash come from SQL (warden_private.audit_envelope
 * and warden_private.audit_payload_hash). The leaf prefix (first 8 bytes of
 * sha256(envelope || payload hash)) pinpoints a tampered event.
 */
import { createHash, hash } from "node:crypto";

export const GENESIS = Buffer.alloc(32);
export const ZERO_TENANT = "00000000-0000-0000-0000-000000000000";
export const LEAF_PREFIX_BYTES = 8;

/** The chain step, as defined (EventHasher computes the same without per-event allocations). */
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

/**
 * The hashed parts of an event aliased `e` packed in one text column
 * (warden_private.audit_leaf_packed): the leaf prefix as 16 hex digits, the
 * payload hash as 64, then the envelope. PostgreSQL computes the leaf
 * prefix, so this process hashes each event once (the chain step).
 */
export const PACKED_COLUMN = `warden_private.audit_leaf_packed(warden_private.audit_envelope(e), warden_private.audit_payload_hash(e)) as packed`;
const PACKED_LEAF_HEX = LEAF_PREFIX_BYTES * 2;
const PACKED_ENVELOPE_AT = PACKED_LEAF_HEX + 64;
/** The envelope starts with `warden.envelope.v1|` and the event id (warden_private.audit_envelope). */
const PACKED_EVENT_ID_AT = PACKED_ENVELOPE_AT + "warden.envelope.v1|".length;

/** Whether the packed event's id is `id` (no substring made). */
export function packedEventIdIs(packed: string, id: string): boolean {
  return packed.startsWith(id, PACKED_EVENT_ID_AT) && packed.charCodeAt(PACKED_EVENT_ID_AT + 36) === 0x7c; // "|"
}

/** The event id inside a packed event (its envelope's first field). */
export function packedEventId(packed: string): string {
  return packed.substring(PACKED_EVENT_ID_AT, PACKED_EVENT_ID_AT + 36);
}

/**
 * The same two hashes for one event at a time, without a Hash object or a
 * Buffer per event: the parts are written once into a scratch buffer laid
 * out as prev || envelope || payload hash, and hashed in one call each. The
 * sealer and the verifier hash every event of a trail this way.
 */
export class EventHasher {
  private scratch = Buffer.alloc(4096);
  private envEnd = 32;
  private end = 32;

  /** Loads one event's hashed parts: the envelope text and the payload hash as hex. */
  load(envelope: string, payloadHashHex: string): void {
    // An upper bound (3 UTF-8 bytes per UTF-16 unit), so the text is not scanned twice.
    const need = 32 + envelope.length * 3 + payloadHashHex.length / 2;
    if (need > this.scratch.length) this.scratch = Buffer.alloc(need * 2);
    this.envEnd = 32 + this.scratch.write(envelope, 32, "utf8");
    this.end = this.envEnd + this.scratch.write(payloadHashHex, this.envEnd, "hex");
  }

  private readonly packedLeaf = Buffer.alloc(LEAF_PREFIX_BYTES);

  /** Loads one event packed by warden_private.audit_leaf_packed; its leaf prefix is then packedLeafEquals'. */
  loadPacked(packed: string): void {
    const need = 32 + (packed.length - PACKED_ENVELOPE_AT) * 3 + 32;
    if (need > this.scratch.length) this.scratch = Buffer.alloc(need * 2);
    this.envEnd = 32 + this.scratch.write(packed.slice(PACKED_ENVELOPE_AT), 32, "utf8");
    this.end = this.envEnd + this.scratch.write(packed.slice(PACKED_LEAF_HEX, PACKED_ENVELOPE_AT), this.envEnd, "hex");
    this.packedLeaf.write(packed.slice(0, PACKED_LEAF_HEX), "hex");
  }

  /** Whether the leaf prefix PostgreSQL packed with the loaded event equals `stored`. */
  packedLeafEquals(stored: Buffer): boolean {
    return this.packedLeaf.equals(stored);
  }

  /** The loaded envelope (a view, valid until the next load). */
  get envelope(): Buffer {
    return this.scratch.subarray(32, this.envEnd);
  }

  /** The loaded payload hash (a view, valid until the next load or replacement). */
  get payloadHash(): Buffer {
    return this.scratch.subarray(this.envEnd, this.end);
  }

  /** Replaces the payload hash (an erased event is chained with the hash it was sealed with). */
  replacePayloadHash(payloadHash: Buffer): void {
    if (payloadHash.equals(this.payloadHash)) return;
    const need = this.envEnd + payloadHash.length;
    if (need > this.scratch.length) {
      const bigger = Buffer.alloc(need * 2);
      this.scratch.copy(bigger, 0, 0, this.envEnd);
      this.scratch = bigger;
    }
    this.end = this.envEnd + payloadHash.copy(this.scratch, this.envEnd);
  }

  /** First LEAF_PREFIX_BYTES of sha256(envelope || payload hash): equals leafPrefix(). */
  leafPrefix(): Buffer {
    return hash("sha256", this.scratch.subarray(32, this.end), "buffer").subarray(0, LEAF_PREFIX_BYTES);
  }

  /** sha256(prev || envelope || payload hash): equals chainHash(). */
  chain(prev: Buffer): Buffer {
    prev.copy(this.scratch, 0, 0, 32);
    return hash("sha256", this.scratch.subarray(0, this.end), "buffer");
  }
}
