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
import { envelopeOf, parseJsonExact, payloadHashOf, type ExportedEvent } from "./canonical";
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

const parseExact = parseJsonExact;

/** Per exported event: where it is, and a digest of what must match its sealed position. */
interface EventSeen {
  line: number;
  /** sha256(envelope || 0x0a || payload hash hex), or of the envelope alone when the export redacted the payload. */
  digest: string;
  /** Its leaf prefix (hex) as recomputed from the file, null when the payload is redacted. */
  leaf: string | null;
  redacted: boolean;
}

function digestOf(env: string, phHex: string | null): string {
  const h = createHash("sha256").update(env);
  if (phHex !== null) h.update("\n").update(phHex);
  return h.digest("base64");
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

/** A signed checkpoint being walked block by block. */
interface Walk {
  cp: CheckpointRecord;
  last: bigint;
  next: bigint;
  prevHead: Buffer | null;
  done: boolean;
}

/**
 * One pass over the file: header, events (a digest each), checkpoints,
 * prune and erasure records, then each block checked as it is read, then
 * the manifest.
 */
export async function verifyExportLines(lines: AsyncIterable<string> | Iterable<string>, publicKey: KeyObject): Promise<OfflineReport> {
  const keyId = keyIdOf(publicKey);
  const sealing = { publicKey, keyId };
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

  let tenantKey = "";
  let manifest: ExportManifest | null = null;
  let manifestLine = 0;
  const hash = createHash("sha256");
  const events = new Map<string, EventSeen>();
  const walks = new Map<string, Walk>(); // by first_seq
  let walk: Walk | null = null;
  let blocksSeen = false;
  const cover = new PruneCover();
  const erasedTo = new Map<string, Map<string, Buffer>>(); // event -> erased hash hex -> original hash
  const hasher = new EventHasher();

  const keyMismatch = (header: ExportHeader) =>
    header.public_key_sha256 !== publicKeySha256(publicKey) || header.key_id !== keyId;

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

  const onCheckpoint = (cp: CheckpointRecord) => {
    let valid = false;
    try {
      valid =
        cp.key_id === keyId &&
        cp.tenant_key === tenantKey &&
        checkpointSignatureValid(
          sealing,
          { tenantKey: cp.tenant_key, firstSeq: BigInt(cp.first_seq), lastSeq: BigInt(cp.last_seq), headHash: Buffer.from(cp.head_hash, "hex"), signedAt: new Date(cp.signed_at) },
          Buffer.from(cp.signature, "base64"),
        );
    } catch {
      valid = false;
    }
    if (!valid) {
      note({ reason: "bad_signature", seq: String(cp.first_seq), detail: `checkpoint ${cp.first_seq}..${cp.last_seq} has no valid signature by this key` });
      return;
    }
    report.checkpoints_verified++;
    walks.set(String(cp.first_seq), { cp, last: BigInt(cp.last_seq), next: BigInt(cp.first_seq), prevHead: null, done: false });
  };

  const onPrune = (line: number, r: PruneRecordLine) => {
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
      return;
    }
    if (record.method === "rows") for (const id of record.eventIds ?? []) cover.ids.add(id);
    else if (record.rangeFrom && record.rangeTo) {
      cover.ranges.push({ from: micros(r.range_from)!, to: micros(r.range_to)!, sealedThrough: BigInt(r.sealed_through) });
    }
  };

  const onErasure = (line: number, r: ErasureRecordLine) => {
    const record = {
      eventId: r.event_id,
      tenantKey: r.tenant_key,
      erasureId: r.erasure_id,
      originalHash: Buffer.from(r.original_payload_hash, "hex"),
      erasedHash: Buffer.from(r.erased_payload_hash, "hex"),
    };
    let valid = false;
    try {
      valid = r.key_id === keyId && r.tenant_key === tenantKey && erasureRecordSignatureValid(sealing, record, Buffer.from(r.signature, "base64"));
    } catch {
      valid = false;
    }
    if (!valid) {
      note({ reason: "bad_signature", line, event_id: r.event_id, detail: `the erasure record of event ${r.event_id} does not verify with this key` });
      return;
    }
    let m = erasedTo.get(r.event_id);
    if (!m) erasedTo.set(r.event_id, (m = new Map()));
    m.set(r.erased_payload_hash, record.originalHash);
  };

  /** Ends the current walk: its last block's head must be the signed one. */
  const endWalk = () => {
    if (!walk) return;
    if (walk.next === walk.last + 1n) {
      if (!walk.prevHead || !walk.prevHead.equals(Buffer.from(walk.cp.head_hash, "hex"))) {
        note({ reason: "chain", seq: String(walk.cp.first_seq), detail: `the chain up to seq ${walk.cp.last_seq} does not end at the signed head` });
      }
    } else {
      note({ reason: "chain", seq: walk.next.toString(), detail: `checkpoint ${walk.cp.first_seq}..${walk.cp.last_seq}: the blocks from seq ${walk.next} are not in the file` });
    }
    walk.done = true;
    walk = null;
  };

  const onBlock = (line: number, b: BlockRecord) => {
    const first = BigInt(b.first_seq);
    const bLast = BigInt(b.last_seq);
    if (!walk || walk.next !== first) {
      if (walk) endWalk();
      const started = walks.get(String(b.first_seq));
      if (!started || started.done) {
        note({ reason: "chain", line, seq: String(b.first_seq), detail: `block ${b.first_seq}..${b.last_seq} is covered by no valid checkpoint, or out of sequence` });
        return;
      }
      walk = started;
    }
    const prev = Buffer.from(b.prev_hash, "hex");
    const storedHead = Buffer.from(b.head_hash, "hex");
    const leaves = Buffer.from(b.leaf_prefixes, "hex");
    if (walk.prevHead && !prev.equals(walk.prevHead)) note({ reason: "chain", line, seq: String(b.first_seq), detail: `block ${b.first_seq}..${b.last_seq} does not continue the chain` });
    if (!Array.isArray(b.positions) || BigInt(b.positions.length) !== bLast - first + 1n || leaves.length !== b.positions.length * LEAF_PREFIX_BYTES || bLast > walk.last) {
      note({ reason: "malformed", line, seq: String(b.first_seq), detail: `block ${b.first_seq}..${b.last_seq} does not hold one position and leaf per event inside its checkpoint` });
      walk.next = bLast + 1n;
      walk.prevHead = storedHead;
      return;
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
          note({ reason: "missing", line, seq: at.toString(), event_id: id, detail: "a sealed event is gone and no signed prune record covers it" });
        }
        // Purged after the events were read (the proofs are read last): the event must still be the sealed one.
        const gone = events.get(id);
        if (gone) {
          events.delete(id);
          if (gone.leaf === null) events.set(id, gone); // a redacted payload cannot be matched to a bare leaf: unproven
          else if (gone.leaf === sealedLeaf.toString("hex")) report.events_verified++;
          else note({ reason: "modified", line: gone.line, event_id: id, seq: at.toString(), detail: "the exported event differs from what was sealed at its position" });
        }
        return;
      }
      hasher.load(env, ph);
      // Usually the payload is the sealed one; only a mismatch looks for signed erasure records.
      const sealedPh = hasher.leafPrefix().equals(sealedLeaf)
        ? hasher.payloadHash
        : resolveErased(id, Buffer.from(hasher.envelope), Buffer.from(hasher.payloadHash), sealedLeaf);
      let erased = false;
      if (!sealedPh) {
        note({ reason: "modified", line, seq: at.toString(), event_id: id, detail: "the event at this position differs from what was sealed" });
      } else {
        erased = !sealedPh.equals(hasher.payloadHash);
        hasher.replacePayloadHash(sealedPh);
      }
      head = hasher.chain(head);
      // The exported event, if any, must be exactly this position's.
      const seen = events.get(id);
      if (!seen) return;
      events.delete(id);
      // Its digest matches the position's, or (erased after the events were read) its own leaf is the sealed one.
      if (seen.digest !== digestOf(env, seen.redacted ? null : ph) && seen.leaf !== sealedLeaf.toString("hex")) {
        note({ reason: "modified", line: seen.line, event_id: id, seq: at.toString(), detail: "the exported event differs from what was sealed at its position" });
        return;
      }
      report.events_verified++;
      if (seen.redacted) report.events_payload_redacted++;
      else if (erased) report.events_erased++;
    });
    // A block with purged events no longer hashes to its head: its links and the signed heads hold it.
    if (!pruned && !head.equals(storedHead)) note({ reason: "chain", line, seq: String(b.first_seq), detail: `block ${b.first_seq}..${b.last_seq}: its events do not hash to its head` });
    walk.prevHead = storedHead;
    walk.next = bLast + 1n;
    report.blocks_verified++;
    if (walk.next === walk.last + 1n) endWalk();
  };

  let n = 0;
  for await (const text of lines as AsyncIterable<string>) {
    n++;
    if (text === "") continue;
    let obj: any;
    try {
      // Proof lines hold no number whose digits matter: only events need the exact parse.
      obj = text.startsWith('{"block":') ? JSON.parse(text) : parseExact(text);
    } catch {
      note({ reason: "malformed", line: n, detail: "the line is not JSON" });
      hash.update(text + "\n");
      continue;
    }
    if (manifest) note({ reason: "manifest", line: n, detail: "lines follow the manifest" });
    if (obj && typeof obj === "object" && "manifest" in obj && Object.keys(obj).length === 1) {
      manifest = obj.manifest;
      manifestLine = n;
      continue;
    }
    hash.update(text + "\n");
    if (n === 1) {
      const header: ExportHeader | undefined = obj?.warden_export;
      if (!header) {
        note({ reason: "malformed", line: 1, detail: "the file does not start with a warden_export header: export with ?format=jsonl&proofs=true" });
        continue;
      }
      report.tenant_id = header.tenant_id ?? null;
      tenantKey = header.tenant_id ?? "";
      if (header.version !== EXPORT_FORMAT_VERSION) note({ reason: "malformed", line: 1, detail: `unknown export format version ${header.version}` });
      if (keyMismatch(header)) {
        note({
          reason: "key_mismatch",
          line: 1,
          detail: `the export was signed by key ${header.key_id} (sha256 ${header.public_key_sha256}); the key given is ${keyId} (sha256 ${publicKeySha256(publicKey)})`,
        });
      }
      continue;
    }
    const isProof = obj?.checkpoint || obj?.prune_record || obj?.erasure_record;
    if (blocksSeen && (isProof || (obj && typeof obj.event_id === "string"))) {
      note({ reason: "malformed", line: n, detail: "blocks must come last, before the manifest" });
    }
    if (obj?.warden_export) {
      note({ reason: "malformed", line: n, detail: "a second header" });
    } else if (obj?.checkpoint) {
      onCheckpoint(obj.checkpoint);
    } else if (obj?.prune_record) {
      onPrune(n, obj.prune_record);
    } else if (obj?.erasure_record) {
      onErasure(n, obj.erasure_record);
    } else if (obj?.block) {
      blocksSeen = true;
      onBlock(n, obj.block);
    } else if (obj && typeof obj.event_id === "string") {
      report.events++;
      if (events.has(obj.event_id)) note({ reason: "modified", line: n, event_id: obj.event_id, detail: "the event appears twice" });
      try {
        const e = obj as ExportedEvent;
        const redacted = !!e.redacted_fields && typeof e.redacted_fields === "object" && Object.keys(e.redacted_fields).length > 0;
        const env = envelopeOf(e);
        const ph = redacted ? null : payloadHashOf(e);
        events.set(obj.event_id, {
          line: n,
          digest: digestOf(env, ph ? ph.toString("hex") : null),
          leaf: ph ? leafPrefix(Buffer.from(env, "utf8"), ph).toString("hex") : null,
          redacted,
        });
      } catch (err) {
        note({ reason: "malformed", line: n, event_id: obj.event_id, detail: `the event cannot be hashed: ${(err as Error).message}` });
      }
    } else {
      note({ reason: "malformed", line: n, detail: "a line that is neither an event nor a proof record" });
    }
  }
  endWalk();
  for (const w of walks.values()) {
    if (!w.done) note({ reason: "chain", seq: String(w.cp.first_seq), detail: `checkpoint ${w.cp.first_seq}..${w.cp.last_seq}: its blocks are not in the file` });
  }
  // Exported events no signed block reached: not proven.
  report.events_unsealed = events.size;

  if (!manifest) {
    note({ reason: "manifest", detail: "the manifest line is missing: the file was cut short" });
  } else {
    const sha256 = hash.digest("hex");
    if (manifest.count !== report.events) note({ reason: "manifest", line: manifestLine, detail: `the manifest counts ${manifest.count} events, the file holds ${report.events}` });
    if (manifest.sha256 !== sha256) note({ reason: "manifest", line: manifestLine, detail: "the lines before the manifest do not hash to its sha256: a line was changed, added, dropped or moved" });
    else if (!exportManifestSignatureValid(publicKey, tenantKey, manifest)) note({ reason: "manifest", line: manifestLine, detail: "the manifest's signature does not verify with this key" });
  }

  report.ok = problemCount === 0 && report.events_unsealed === 0;
  report.status = problemCount > 0 ? "tampered" : report.events_unsealed > 0 ? "incomplete" : "ok";
  return report;
}
