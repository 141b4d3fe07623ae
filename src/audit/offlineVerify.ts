/**
 * Verifies a self-verifying export (src/audit/exportFormat.ts) with nothing
 * but the file and the sealing public key: no database. Used by
 * `warden verify-export FILE --public-key KEY`.
 *
 * What is checked, and what each finding means:
 *   key_mismatch   the file names another key than the one given
 *   manifest       the manifest is missing, or its count, hash or signature
 *                  is wrong: a line was dropped, added, changed or moved
 *   bad_signature  a checkpoint, prune or erasure record signature fails
 *   chain          a block does not continue the chain, does not hash to its
 *                  head, or a checkpoint's range or head disagrees with it
 *   missing        a sealed position has no event and no signed prune record
 *                  covers it
 *   modified       an exported event does not hash to what was sealed at its
 *                  position (and no signed erasure record explains it)
 *   malformed      a line is not what the format says
 * An exported event found in no signed block is not tampering but is not
 * proven either: it is counted as unsealed and the status is "incomplete".
 */
import fs from "node:fs";
import readline from "node:readline";
import { createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import { EventHasher, LEAF_PREFIX_BYTES, leafPrefix } from "./chain";
import { checkpointSignatureValid } from "./checkpoint";
import { keyIdOf } from "./sealingKey";
import { erasureRecordSignatureValid } from "./erasureRecords";
import { PruneCover, pruneRecordMessage, type PruneRecord } from "./pruneRecords";
import { envelopeOf, payloadHashOf, type ExportedEvent } from "./canonical";
import {
  EXPORT_FORMAT_VERSION,
  exportManifestSignatureValid,
  publicKeySha256,
  type BlockRecord,
  type CheckpointRecord,
  type ErasureRecordLine,
  type ExportHeader,
  type ExportManifest,
  type PruneRecordLine,
} from "./exportFormat";

export type OfflineReason = "key_mismatch" | "manifest" | "bad_signature" | "chain" | "missing" | "modified" | "malformed";

export interface OfflineProblem {
  reason: OfflineReason;
  detail: string;
  line?: number;
  event_id?: string;
  seq?: string;
}

export interface OfflineReport {
  status: "ok" | "tampered" | "incomplete";
  ok: boolean;
  tenant_id: string | null;
  key_id: string;
  events: number;
  /** Events whose content was recomputed and found where the chain sealed it. */
  events_verified: number;
  /** Of those, events whose payload was erased under a signed erasure record. */
  events_erased: number;
  /** Events whose payload the export redacted: their envelope and position are verified, their payload hash is taken from the proof. */
  events_payload_redacted: number;
  /** Events in no signed block (sealed after the export's proofs, or not sealed yet). */
  events_unsealed: number;
  checkpoints_verified: number;
  blocks_verified: number;
  /** Sealed positions whose event retention purged, covered by a signed prune record. */
  positions_pruned: number;
  /** Problems found (the first 100). */
  problems: OfflineProblem[];
}

const MAX_PROBLEMS = 100;

/** Reads a PEM (SPKI public key, or a PKCS#8 private key whose public half is used) or base64 SPKI DER. */
export function parsePublicKey(text: string): KeyObject {
  const t = text.trim();
  const key = t.startsWith("-----") ? createPublicKey(t) : createPublicKey({ key: Buffer.from(t, "base64"), format: "der", type: "spki" });
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`the public key must be an Ed25519 key, got ${key.asymmetricKeyType}`);
  return key;
}

/** JSON.parse keeping every number's source text where JavaScript would change it (as src/audit/exactJson.ts). */
function parseExact(text: string): any {
  const J = JSON as unknown as { parse(t: string, r: (k: string, v: unknown, ctx?: { source?: string }) => unknown): unknown; rawJSON(t: string): unknown };
  return J.parse(text, (_k, v, ctx) => (typeof v === "number" && ctx?.source !== undefined && String(v) !== ctx.source ? J.rawJSON(ctx.source) : v));
}

interface EventSeen {
  line: number;
  env: string;
  ph: Buffer | null; // null: payload redacted in the export
}

interface PositionAt {
  block: number;
  ord: number;
  seq: bigint;
  env: string;
  ph: Buffer;
}

function micros(iso: string | null): bigint | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? BigInt(ms) * 1000n : null;
}

export async function verifyExportFile(file: string, publicKey: KeyObject): Promise<OfflineReport> {
  return verifyExportLines(readline.createInterface({ input: fs.createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity }), publicKey);
}

export async function verifyExportText(text: string, publicKey: KeyObject): Promise<OfflineReport> {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return verifyExportLines(lines, publicKey);
}

export async function verifyExportLines(lines: AsyncIterable<string> | Iterable<string>, publicKey: KeyObject): Promise<OfflineReport> {
  const keyId = keyIdOf(publicKey);
  const problems: OfflineProblem[] = [];
  let problemCount = 0;
  const note = (p: OfflineProblem) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const report: OfflineReport = {
    status: "ok",
    ok: true,
    tenant_id: null,
    key_id: keyId,
    events: 0,
    events_verified: 0,
    events_erased: 0,
    events_payload_redacted: 0,
    events_unsealed: 0,
    checkpoints_verified: 0,
    blocks_verified: 0,
    positions_pruned: 0,
    problems,
  };

  let header: ExportHeader | null = null;
  let manifest: ExportManifest | null = null;
  let manifestLine = 0;
  const hash = createHash("sha256");
  const events = new Map<string, EventSeen>();
  const checkpoints: CheckpointRecord[] = [];
  const blocks: BlockRecord[] = [];
  const prunes: { line: number; r: PruneRecordLine }[] = [];
  const erasures: { line: number; r: ErasureRecordLine }[] = [];
  let n = 0;
  for await (const text of lines as AsyncIterable<string>) {
    n++;
    if (text === "") continue;
    let obj: any;
    try {
      obj = parseExact(text);
    } catch {
      note({ reason: "malformed", line: n, detail: "the line is not JSON" });
      hash.update(text + "\n");
      continue;
    }
    if (manifest) {
      note({ reason: "manifest", line: n, detail: "lines follow the manifest" });
    }
    if (obj && typeof obj === "object" && "manifest" in obj && Object.keys(obj).length === 1) {
      manifest = obj.manifest;
      manifestLine = n;
      continue;
    }
    hash.update(text + "\n");
    if (n === 1) {
      if (!obj?.warden_export) {
        note({ reason: "malformed", line: 1, detail: "the file does not start with a warden_export header: export with ?format=jsonl&proofs=true" });
      } else {
        header = obj.warden_export;
      }
      continue;
    }
    if (obj?.warden_export) {
      note({ reason: "malformed", line: n, detail: "a second header" });
    } else if (obj?.checkpoint) {
      checkpoints.push(obj.checkpoint);
    } else if (obj?.block) {
      blocks.push(obj.block);
    } else if (obj?.prune_record) {
      prunes.push({ line: n, r: obj.prune_record });
    } else if (obj?.erasure_record) {
      erasures.push({ line: n, r: obj.erasure_record });
    } else if (obj && typeof obj.event_id === "string") {
      report.events++;
      if (events.has(obj.event_id)) note({ reason: "modified", line: n, event_id: obj.event_id, detail: "the event appears twice" });
      try {
        const e = obj as ExportedEvent;
        const redacted = e.redacted_fields && typeof e.redacted_fields === "object" && Object.keys(e.redacted_fields).length > 0;
        events.set(obj.event_id, { line: n, env: envelopeOf(e), ph: redacted ? null : payloadHashOf(e) });
      } catch (err) {
        note({ reason: "malformed", line: n, event_id: obj.event_id, detail: `the event cannot be hashed: ${(err as Error).message}` });
      }
    } else {
      note({ reason: "malformed", line: n, detail: "a line that is neither an event nor a proof record" });
    }
  }

  // 1. The header and the signed manifest: the file is whole, in order, and from the key's holder.
  if (header) {
    report.tenant_id = header.tenant_id ?? null;
    if (header.version !== EXPORT_FORMAT_VERSION) note({ reason: "malformed", line: 1, detail: `unknown export format version ${header.version}` });
    if (header.public_key_sha256 !== publicKeySha256(publicKey) || header.key_id !== keyId) {
      note({
        reason: "key_mismatch",
        line: 1,
        detail: `the export was signed by key ${header.key_id} (sha256 ${header.public_key_sha256}); the key given is ${keyId} (sha256 ${publicKeySha256(publicKey)})`,
      });
    }
  }
  const tenantKey = report.tenant_id ?? "";
  if (!manifest) {
    note({ reason: "manifest", detail: "the manifest line is missing: the file was cut short" });
  } else {
    const sha256 = hash.digest("hex");
    if (manifest.count !== report.events) note({ reason: "manifest", line: manifestLine, detail: `the manifest counts ${manifest.count} events, the file holds ${report.events}` });
    if (manifest.sha256 !== sha256) note({ reason: "manifest", line: manifestLine, detail: "the lines before the manifest do not hash to its sha256: a line was changed, added, dropped or moved" });
    else if (!exportManifestSignatureValid(publicKey, tenantKey, manifest)) note({ reason: "manifest", line: manifestLine, detail: "the manifest's signature does not verify with this key" });
  }

  // 2. Signed records: prune cover and erasure index (only what verifies counts).
  const cover = new PruneCover();
  for (const { line, r } of prunes) {
    const record: PruneRecord = {
      id: r.id,
      tenantKey: r.tenant_key,
      method: r.method,
      partitionName: r.partition_name,
      rangeFrom: r.range_from ? new Date(r.range_from) : null,
      rangeTo: r.range_to ? new Date(r.range_to) : null,
      sealedThrough: r.sealed_through,
      eventIds: r.event_ids,
      eventCount: r.event_count,
      createdAt: new Date(r.created_at),
    };
    let valid = false;
    try {
      valid = r.key_id === keyId && r.tenant_key === tenantKey && verify(null, pruneRecordMessage(record, new Date(r.signed_at)), publicKey, Buffer.from(r.signature, "base64"));
    } catch {
      valid = false;
    }
    if (!valid) {
      note({ reason: "bad_signature", line, detail: `prune record ${r.id} does not verify with this key` });
      continue;
    }
    if (record.method === "rows") for (const id of record.eventIds ?? []) cover.ids.add(id);
    else if (record.rangeFrom && record.rangeTo) {
      cover.ranges.push({ from: micros(r.range_from)!, to: micros(r.range_to)!, sealedThrough: BigInt(r.sealed_through) });
    }
  }
  const erasedTo = new Map<string, Map<string, Buffer>>(); // event -> erased hash hex -> original hash
  for (const { line, r } of erasures) {
    const record = {
      eventId: r.event_id,
      tenantKey: r.tenant_key,
      erasureId: r.erasure_id,
      originalHash: Buffer.from(r.original_payload_hash, "hex"),
      erasedHash: Buffer.from(r.erased_payload_hash, "hex"),
    };
    const sealing = { publicKey, keyId };
    if (r.key_id !== keyId || r.tenant_key !== tenantKey || !erasureRecordSignatureValid(sealing, record, Buffer.from(r.signature, "base64"))) {
      note({ reason: "bad_signature", line, event_id: r.event_id, detail: `the erasure record of event ${r.event_id} does not verify with this key` });
      continue;
    }
    let m = erasedTo.get(r.event_id);
    if (!m) erasedTo.set(r.event_id, (m = new Map()));
    m.set(r.erased_payload_hash, record.originalHash);
  }
  /** The sealed payload hash a current one leads back to through signed erasure records, or null. */
  const resolveErased = (eventId: string, env: Buffer, current: Buffer, sealedLeaf: Buffer): Buffer | null => {
    if (leafPrefix(env, current).equals(sealedLeaf)) return current;
    const m = erasedTo.get(eventId);
    let h = current;
    for (let hops = 0; m && hops < 64; hops++) {
      const before = m.get(h.toString("hex"));
      if (!before) break;
      if (leafPrefix(env, before).equals(sealedLeaf)) return before;
      h = before;
    }
    return null;
  };

  // 3. Checkpoints: signed by the key, and the blocks of each range chain from prev to the signed head.
  const blocksByFirst = new Map<string, number>();
  blocks.forEach((b, i) => blocksByFirst.set(String(b.first_seq), i));
  const signedBlock = new Set<number>();
  const positions = new Map<string, PositionAt>();
  const hasher = new EventHasher();
  for (const cp of checkpoints) {
    let valid = false;
    try {
      valid =
        cp.key_id === keyId &&
        cp.tenant_key === tenantKey &&
        checkpointSignatureValid(
          { publicKey, keyId },
          { tenantKey: cp.tenant_key, firstSeq: BigInt(cp.first_seq), lastSeq: BigInt(cp.last_seq), headHash: Buffer.from(cp.head_hash, "hex"), signedAt: new Date(cp.signed_at) },
          Buffer.from(cp.signature, "base64"),
        );
    } catch {
      valid = false;
    }
    if (!valid) {
      note({ reason: "bad_signature", seq: cp.first_seq, detail: `checkpoint ${cp.first_seq}..${cp.last_seq} has no valid signature by this key` });
      continue;
    }
    report.checkpoints_verified++;
    let seq = BigInt(cp.first_seq);
    const last = BigInt(cp.last_seq);
    let prevHead: Buffer | null = null;
    while (seq <= last) {
      const bi = blocksByFirst.get(seq.toString());
      if (bi === undefined) {
        note({ reason: "chain", seq: seq.toString(), detail: `checkpoint ${cp.first_seq}..${cp.last_seq}: the block starting at seq ${seq} is not in the file` });
        break;
      }
      const b = blocks[bi];
      signedBlock.add(bi);
      const first = BigInt(b.first_seq);
      const bLast = BigInt(b.last_seq);
      const prev = Buffer.from(b.prev_hash, "hex");
      const storedHead = Buffer.from(b.head_hash, "hex");
      const leaves = Buffer.from(b.leaf_prefixes, "hex");
      if (prevHead && !prev.equals(prevHead)) note({ reason: "chain", seq: b.first_seq, detail: `block ${b.first_seq}..${b.last_seq} does not continue the chain` });
      if (!Array.isArray(b.positions) || BigInt(b.positions.length) !== bLast - first + 1n || leaves.length !== b.positions.length * LEAF_PREFIX_BYTES) {
        note({ reason: "malformed", seq: b.first_seq, detail: `block ${b.first_seq}..${b.last_seq} does not hold one position and leaf per event` });
        break;
      }
      let head: Buffer = prev;
      let pruned = false;
      b.positions.forEach(([id, us, env, ph], i) => {
        const at = first + BigInt(i);
        const sealedLeaf = leaves.subarray(i * LEAF_PREFIX_BYTES, (i + 1) * LEAF_PREFIX_BYTES);
        if (env === null || ph === null) {
          if (cover.covers(id, at, us === null ? null : BigInt(us))) {
            report.positions_pruned++;
            pruned = true;
          } else {
            note({ reason: "missing", seq: at.toString(), event_id: id, detail: "a sealed event is gone and no signed prune record covers it" });
          }
          return;
        }
        hasher.load(env, ph);
        const sealedPh = resolveErased(id, Buffer.from(hasher.envelope), Buffer.from(hasher.payloadHash), sealedLeaf);
        if (!sealedPh) {
          note({ reason: "modified", seq: at.toString(), event_id: id, detail: "the event at this position differs from what was sealed" });
        } else {
          hasher.replacePayloadHash(sealedPh);
        }
        head = hasher.chain(head);
        positions.set(id, { block: bi, ord: i, seq: at, env, ph: Buffer.from(ph, "hex") });
      });
      // A block with purged events no longer hashes to its head: its links and the signed heads hold it.
      if (!pruned && !head.equals(storedHead)) note({ reason: "chain", seq: b.first_seq, detail: `block ${b.first_seq}..${b.last_seq}: its events do not hash to its head` });
      prevHead = storedHead;
      report.blocks_verified++;
      seq = bLast + 1n;
    }
    if (seq === last + 1n && prevHead && !prevHead.equals(Buffer.from(cp.head_hash, "hex"))) {
      note({ reason: "chain", seq: cp.first_seq, detail: `the chain up to seq ${cp.last_seq} does not end at the signed head` });
    } else if (seq > last + 1n) {
      note({ reason: "chain", seq: cp.last_seq, detail: `checkpoint ${cp.first_seq}..${cp.last_seq} ends inside a block` });
    }
  }

  // 4. Each exported event: its recomputed envelope and payload hash are the ones sealed at its position.
  for (const [id, seen] of events) {
    const at = positions.get(id);
    if (!at) {
      report.events_unsealed++;
      continue;
    }
    if (seen.env !== at.env) {
      note({ reason: "modified", line: seen.line, event_id: id, seq: at.seq.toString(), detail: "the event's envelope fields differ from what was sealed" });
      continue;
    }
    if (seen.ph === null) {
      report.events_payload_redacted++;
      report.events_verified++;
      continue;
    }
    if (!seen.ph.equals(at.ph)) {
      note({ reason: "modified", line: seen.line, event_id: id, seq: at.seq.toString(), detail: "the event's payload differs from what was sealed" });
      continue;
    }
    const leaves = Buffer.from(blocks[at.block].leaf_prefixes, "hex").subarray(at.ord * LEAF_PREFIX_BYTES, (at.ord + 1) * LEAF_PREFIX_BYTES);
    if (!leafPrefix(Buffer.from(at.env, "utf8"), at.ph).equals(leaves)) report.events_erased++;
    report.events_verified++;
  }
  // Blocks that no valid checkpoint reached prove nothing; their events stay unsealed.
  blocks.forEach((b, i) => {
    if (!signedBlock.has(i)) note({ reason: "chain", seq: b.first_seq, detail: `block ${b.first_seq}..${b.last_seq} is covered by no valid checkpoint` });
  });

  report.ok = problemCount === 0 && report.events_unsealed === 0;
  report.status = problemCount > 0 ? "tampered" : report.events_unsealed > 0 ? "incomplete" : "ok";
  return report;
}
