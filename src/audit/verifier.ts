/**
 * Verifies the sealed audit trail: walks each tenant's chain block by block
 * against the events in warden.audit_events, recomputes every hash, checks
 * every signed checkpoint, and reports ok or the first bad sequence number
 * and why:
 *   missing      a sealed event is gone
 *   modified     an event's content (or the sealed chain itself) changed
 *   reordered    events no longer stand in their sealed order
 *   inserted     an event appeared inside the sealed past
 *   bad_signature a checkpoint's signature does not verify
 *
 * Beside the chain, the report has a status (VerifyStatus): tampered,
 * truncated (a chain behind its anchor outside the database, or gone),
 * pending_signature (the only differences are explained by erasure or prune
 * records written from SQL without the key), suspect, capture_gap, or ok.
 */
import type pg from "pg";
import { checkpointSignatureValid } from "./checkpoint";
import { EventHasher, GENESIS, HASHED_COLUMNS, LEAF_PREFIX_BYTES, PACKED_COLUMN, ZERO_TENANT, packedEventId, packedEventIdIs } from "./chain";
import type { SealingKey } from "./sealingKey";
import { PruneCover, loadPruneCover, microsAt } from "./pruneRecords";
import { ErasureIndex } from "./erasureRecords";
import { streamRows } from "../db/streamRows";
import type { AnchorRecord } from "./anchors";

interface VerifyRow {
  first_seq: string | null;
  stray: string | null;
  ord: number;
  id: string;
  /** True when the event sorts before the previous present one of its block (sealed order broken). */
  unordered: boolean | null;
  env: string | null;
  ph: string | null;
  /** The fast walk's rows: leaf prefix, payload hash and envelope in one column (PACKED_COLUMN) instead of env and ph. */
  packed?: string;
}

export type VerifyReason = "missing" | "modified" | "reordered" | "inserted" | "bad_signature";

export interface VerifyProblem {
  tenant_id: string | null;
  seq: number;
  reason: VerifyReason;
  event_id?: string;
  detail: string;
}

/** The overall outcome, most serious first. */
export type VerifyStatus = "tampered" | "truncated" | "pending_signature" | "suspect" | "capture_gap" | "ok";

/** A chain shorter than what was anchored outside the database (or gone). */
export interface TruncatedChain {
  tenant_id: string | null;
  /** The last sequence number anchored outside the database. */
  anchored_seq: number;
  /** The database's head now (0: the chain is gone). */
  database_seq: number;
  /** The missing range, inclusive. */
  missing_from: number;
  missing_to: number;
  anchored_at: string;
  checkpoint_id: string;
}

export interface CaptureGap {
  table_name: string;
  tenant_id: string | null;
  reason: string;
  since: string;
}

export interface PendingSignatures {
  erasure_records: number;
  prune_records: number;
}

export interface VerifyReport {
  ok: boolean;
  status: VerifyStatus;
  /** Every status that applies (status is the first of them). */
  statuses: VerifyStatus[];
  /** What the status means and what to do next. */
  message: string;
  tenants: number;
  events_verified: number;
  /** Sealed events that retention removed (covered by signed prune records). */
  events_pruned: number;
  checkpoints_verified: number;
  first_bad: VerifyProblem | null;
  /**
   * Events the sealer set aside, unsealed, because they were dated outside
   * their tenant's occurred_at window without the backfill marker (written
   * past ingest) and no operator has acknowledged yet
   * (warden.acknowledge_suspect_events): a trail holding them is not ok.
   */
  suspect_events: number;
  /** Audited tables whose capture is not working, and since when (warden.capture_gaps()). */
  capture_gaps: CaptureGap[];
  /** Chains behind the checkpoint anchored outside the database. */
  truncated: TruncatedChain[];
  /** Unsigned erasure and prune records of the verified chains (written from SQL without the seal key). */
  pending_signatures: PendingSignatures;
  /** Anchored checkpoints compared with the database (null: no anchors were given). */
  anchors_checked: number | null;
}

/** Where a tenant's verification starts: a verified, signed checkpoint. */
export interface VerifyFrom {
  seq: bigint;
  head: Buffer;
  /** The sealing watermark then: only events of later transactions are checked for insertion. */
  watermark: bigint;
}

export interface VerifyOptions {
  /** Only this tenant (null: events outside any tenant); all when undefined. */
  tenantId?: string | null;
  /** The client is already in a transaction: verify inside it (its own changes included). */
  inTransaction?: boolean;
  /** Called before each tenant's chain (the CLI's progress line). */
  onProgress?: (p: { tenant: number; tenants: number; events: number }) => void;
  /** The newest anchor per chain (readAnchors): chains are compared with them. */
  anchors?: Map<string, AnchorRecord>;
  /** Capture gaps are left out (the incremental task reports them elsewhere). */
  skipCaptureGaps?: boolean;
}

/**
 * fastWindow: positions per window of the fast walk (its memory bound: one
 * slot per position, events parked until their turn). Tests lower it.
 */
export const verifierTuning = { fastWindow: 250_000 };

/** Windows of at least this many positions have their events computed by parallel workers. */
const PARALLEL_WINDOW = 20_000;

/**
 * Since the process started: chains walked fast, chains walked exactly (the
 * fast walk gave up or found something), and the most events the fast walk
 * held at once waiting for their turn (its memory, besides the window's ids).
 */
export const verifierStats = { fastWalks: 0, exactWalks: 0, maxParked: 0 };

function tenantOut(key: string): string | null {
  return key === ZERO_TENANT ? null : key;
}

/** On the same seq, the more specific explanation wins (a moved event also hashes differently). */
const SPECIFICITY: Record<VerifyReason, number> = { bad_signature: 0, missing: 1, inserted: 2, reordered: 3, modified: 4 };

function earliest(a: VerifyProblem | null, b: VerifyProblem | null): VerifyProblem | null {
  if (!a) return b;
  if (!b) return a;
  if (b.seq !== a.seq) return b.seq < a.seq ? b : a;
  return SPECIFICITY[b.reason] < SPECIFICITY[a.reason] ? b : a;
}

interface EventKey {
  occurredAt: number;
  /** The transaction id as decimal text (compared by length, then digits: no BigInt per event). */
  txid: string;
  id: string;
}

function keyBefore(a: EventKey, b: EventKey): boolean {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt;
  if (a.txid !== b.txid) return a.txid.length !== b.txid.length ? a.txid.length < b.txid.length : a.txid < b.txid;
  return a.id < b.id;
}

interface BlockMeta {
  first_seq: string;
  last_seq: string;
  event_count: number;
  min_txid: string;
  max_txid: string;
  prev_hash: Buffer;
  head_hash: Buffer;
  leaf_prefixes: Buffer;
  occurred_micros: Buffer | null;
}

/**
 * One tenant's chain, checked in three passes. Event-level findings
 * pinpoint; chain-level ones (block links, heads, checkpoints) only count
 * when no event explains them.
 */
class TenantVerification {
  private eventProblem: VerifyProblem | null = null;
  private chainProblem: VerifyProblem | null = null;
  private readonly tenantId: string | null;
  /** last_seq of each block -> its stored head (checked against its events). */
  private readonly headAt = new Map<string, Buffer>();
  events = 0;
  pruned = 0;
  checkpoints = 0;
  private cover = new PruneCover();
  lastSealed = 0n;
  /** Events of sealed transactions in no block (inserted into the sealed past). */
  private strays: string[] = [];

  constructor(
    private readonly client: pg.ClientBase,
    private readonly key: SealingKey,
    private readonly tenantKey: string,
    /** Start after this verified checkpoint (incremental); null: from the genesis. */
    private readonly from: VerifyFrom | null = null,
    /** Count unsigned erasure and prune records as if signed (is that all that differs?). */
    private readonly provisional = false,
  ) {
    this.tenantId = tenantOut(tenantKey);
  }

  private get fromSeq(): bigint {
    return this.from?.seq ?? 0n;
  }

  get problem(): VerifyProblem | null {
    return this.eventProblem ?? this.chainProblem;
  }

  private note(p: Omit<VerifyProblem, "tenant_id">): void {
    this.eventProblem = earliest(this.eventProblem, { tenant_id: this.tenantId, ...p });
  }

  private noteChain(p: Omit<VerifyProblem, "tenant_id">): void {
    this.chainProblem = earliest(this.chainProblem, { tenant_id: this.tenantId, ...p });
  }

  /**
   * 1. Every sealed position joined to its event: present, unmodified, in order, chained.
   *
   * Two ways to bring the rows, one check per row (onRow below):
   * - exact (fast = false): one query joins every position to the tenant's
   *   events in PostgreSQL, sorted in chain order, strays (events of sealed
   *   transactions no position claims) last. It pinpoints every finding.
   * - fast (fast = true): the tenant's events stream unsorted and unjoined
   *   (PostgreSQL's parallel workers compute the hashed columns, nothing
   *   blocks on a sort), and this process puts them back in chain order
   *   by event id (fastRows). Strays are ruled out by a count instead of a
   *   join. It only ever answers "no problem" or gives up: any surprise
   *   returns false, and verifyTenant then runs the exact walk, which also
   *   names any problem the fast walk found. Returns false when it gave up.
   */
  async walkChain(fast = false): Promise<boolean> {
    const { client, tenantKey } = this;
    this.cover = await loadPruneCover(client, this.key, tenantKey, this.provisional);
    // GDPR erasures: payloads rewritten under a validly signed erasure record.
    const erasures = await ErasureIndex.load(client, this.key, tenantKey, this.provisional);
    // Block bookkeeping once per block; the cursor carries only per-event data.
    const blockRows = await client.query(
      `select b.first_seq::text as first_seq, b.last_seq::text as last_seq, cardinality(b.event_ids) as event_count,
              b.min_txid::text as min_txid, b.max_txid::text as max_txid, b.prev_hash, b.head_hash, b.leaf_prefixes, b.occurred_micros
       from warden_private.seal_blocks b where b.tenant_key = $1 and b.first_seq > $2::bigint order by b.first_seq`,
      [tenantKey, this.fromSeq.toString()],
    );
    const blocksByFirst = new Map<string, BlockMeta>();
    for (const b of blockRows.rows) blocksByFirst.set(b.first_seq, b);
    // One query streamed to the end (src/db/streamRows.ts): this process
    // checks rows while PostgreSQL still sends later ones. The chain is
    // joined to this tenant's events only, so verifying one tenant reads
    // that tenant's rows, not every tenant's; a sealed event found nowhere
    // in the tenant is looked for elsewhere afterwards (movedElsewhere).
    const params = [tenantKey, this.fromSeq.toString()];
    let tenantEvents = "e.tenant_id is null";
    if (this.tenantId !== null) {
      params.push(this.tenantId);
      tenantEvents = `e.tenant_id = $${params.length}::uuid`;
    }
    // Every sealed event has a transaction id below the watermark; the ones
    // there that no position claims are checked as inserted (one scan for both).
    if (this.from) {
      // Incremental: only transactions sealed since the verified position (the
      // BRIN index on txid), so a run reads what is new, not the tenant's history.
      // An event whose txid was changed falls outside and shows as missing, then modified.
      params.push(this.from.watermark.toString());
      tenantEvents += ` and e.txid >= $${params.length}::bigint`;
    }
    const sql = `with positions as materialized (
         select b.first_seq, u.ord, u.id
         from warden_private.seal_blocks b cross join lateral unnest(b.event_ids) with ordinality u(id, ord)
         where b.tenant_key = $1 and b.first_seq > $2::bigint
       )
       select p.first_seq::text as first_seq, p.ord::int as ord, p.id::text as id, e.env, e.ph,
              case when p.id is null then e.event_id::text end as stray,
              -- the sealed order (occurred_at, txid, event_id) checked here, on rows already sorted:
              -- nothing per event to send or compare in this process
              (e.occurred_at, e.txid, e.event_id) < lag((e.occurred_at, e.txid, e.event_id)) over (partition by p.first_seq order by p.ord) as unordered
       from positions p
       full join (
         -- planned on its own (offset 0), so parallel workers can compute the hashed columns
         select e.event_id, e.occurred_at, e.txid, ${HASHED_COLUMNS}
         from warden.audit_events e
         where ${tenantEvents} and e.txid < (select s.watermark from warden_private.seal_state s)
           and not exists (select 1 from warden_private.suspect_events x where x.event_id = e.event_id)
         offset 0
       ) e on e.event_id = p.id
       order by p.first_seq, p.ord`;
    const hasher = new EventHasher();
    let block: BlockMeta | undefined;
    // The current block: its first seq as text (compared per row) and as a number, its length.
    let blockFirstText: string | null = null;
    let blockFirst = -1n;
    let blockLength = 0;
    let lastOrdSeen = 0;
    const seqOf = (ord: number) => blockFirst + BigInt(ord) - 1n;
    let head: Buffer = this.from?.head ?? GENESIS;
    let storedHead: Buffer = head;
    let expectedNextSeq = this.fromSeq + 1n;
    // A block with pruned events no longer hashes to its head: it is held
    // by its surviving leaf prefixes, its links and the signed checkpoints.
    let blockPruned = false;
    let blockPresent = 0;
    const endOfPosition = (ord: number) => {
      if (ord !== blockLength) return;
      // The fast walk has no order flags: a block whose head no longer
      // proves its order (pruned) gets its order checked afterwards.
      if (fast && blockPruned && blockPresent > 1 && unorderedBlocks[unorderedBlocks.length - 1] !== block) unorderedBlocks.push(block!);
      storedHead = block!.head_hash;
      this.headAt.set(block!.last_seq, storedHead);
      if (!blockPruned && !storedHead.equals(head)) {
        this.noteChain({ seq: Number(blockFirst), reason: "modified", detail: `block ${blockFirst}..${block!.last_seq}: its events do not hash to its head` });
      }
    };
    // Sealed order is (occurred_at, txid, event_id) within a block: the first
    // position whose event no longer sorts there was reordered.
    // Blocks with an event out of order (few, if any): their keys are read afterwards to pinpoint it.
    const unorderedBlocks: BlockMeta[] = [];
    let blockKeys: { ord: number; key: EventKey }[] = [];
    const checkOrder = () => {
      // Usually in order: one pass proves it; only a block out of order is sorted to pinpoint the event.
      let ordered = true;
      for (let i = 1; i < blockKeys.length && ordered; i++) ordered = !keyBefore(blockKeys[i].key, blockKeys[i - 1].key);
      if (ordered) {
        blockKeys = [];
        return;
      }
      const sorted = [...blockKeys].sort((x, y) => (keyBefore(x.key, y.key) ? -1 : keyBefore(y.key, x.key) ? 1 : 0));
      const at = sorted.findIndex((x, i) => x.key.id !== blockKeys[i].key.id);
      if (at >= 0) {
        this.note({
          seq: Number(seqOf(blockKeys[at].ord)),
          reason: "reordered",
          event_id: blockKeys[at].key.id,
          detail: "events no longer stand in their sealed order (occurred_at, txid)",
        });
      }
      blockKeys = [];
    };
    // A block's end: its order is checked and the next block must start right after it.
    const finishBlock = () => {
      if (blockFirstText !== null) expectedNextSeq = blockFirst + BigInt(lastOrdSeen);
    };
    // Per event: string compares and two hashes; BigInt only per block or for a finding.
    const onRow = (r: VerifyRow) => {
      if (r.first_seq === null) {
        // sorted last: an event of a sealed transaction that no position claims
        this.strays.push(r.stray!);
        return;
      }
      if (r.first_seq !== blockFirstText) {
        // a new block: it must continue the chain
        finishBlock();
        const first = BigInt(r.first_seq);
        block = blocksByFirst.get(r.first_seq)!;
        if (first !== expectedNextSeq) {
          this.note({ seq: Number(expectedNextSeq), reason: "missing", detail: `sealed block(s) before seq ${first} are gone` });
        }
        if (!block.prev_hash.equals(storedHead)) {
          this.noteChain({ seq: Number(first), reason: "modified", detail: `block starting at seq ${first} does not continue the chain` });
        }
        head = block.prev_hash;
        blockPruned = false;
        blockPresent = 0;
        blockFirstText = r.first_seq;
        blockFirst = first;
        blockLength = Number(BigInt(block.last_seq) - first + 1n);
      }
      lastOrdSeen = r.ord;
      const present = r.env != null || r.packed != null;
      if (!present && this.cover.covers(r.id, seqOf(r.ord), microsAt(block!.occurred_micros, r.ord))) {
        this.pruned++;
        blockPruned = true;
        endOfPosition(r.ord);
        return;
      }
      this.events++;
      if (!present) {
        this.note({ seq: Number(seqOf(r.ord)), reason: "missing", event_id: r.id, detail: "the sealed event no longer exists" });
        return;
      }
      blockPresent++;
      const stored = block!.leaf_prefixes.subarray((r.ord - 1) * LEAF_PREFIX_BYTES, r.ord * LEAF_PREFIX_BYTES);
      let leafMatches: boolean;
      if (r.packed != null) {
        hasher.loadPacked(r.packed);
        const current = hasher.payloadHash;
        const sealed = erasures.resolve(r.id, hasher.envelope, current, stored);
        if (sealed === current) {
          leafMatches = hasher.packedLeafEquals(stored);
        } else {
          hasher.replacePayloadHash(sealed);
          leafMatches = hasher.leafPrefix().equals(stored);
        }
      } else {
        hasher.load(r.env!, r.ph!);
        hasher.replacePayloadHash(erasures.resolve(r.id, hasher.envelope, hasher.payloadHash, stored));
        leafMatches = hasher.leafPrefix().equals(stored);
      }
      if (r.unordered && unorderedBlocks[unorderedBlocks.length - 1] !== block) unorderedBlocks.push(block!);
      if (!leafMatches) {
        this.note({ seq: Number(seqOf(r.ord)), reason: "modified", event_id: r.id, detail: "the event's content differs from what was sealed" });
      }
      head = hasher.chain(head);
      endOfPosition(r.ord);
    };
    if (!fast) {
      await streamRows<VerifyRow>(client, sql, params, onRow);
    } else if (!(await this.fastRows(blockRows.rows, onRow))) {
      return false;
    }
    finishBlock();
    this.lastSealed = expectedNextSeq - 1n;
    for (const b of unorderedBlocks) {
      const keys = await client.query(
        `select u.ord::int as ord, e.event_id::text as id, e.txid::text as txid,
                (extract(epoch from e.occurred_at) * 1000000)::bigint::text as occurred_us
         from warden_private.seal_blocks sb cross join lateral unnest(sb.event_ids) with ordinality u(id, ord)
         join warden.audit_events e on e.event_id = u.id
         where sb.tenant_key = $1 and sb.first_seq = $2::bigint order by u.ord`,
        [tenantKey, (BigInt(b.last_seq) - BigInt(b.event_count) + 1n).toString()],
      );
      blockFirst = BigInt(b.last_seq) - BigInt(b.event_count) + 1n;
      blockKeys = keys.rows.map((k) => ({ ord: k.ord, key: { occurredAt: Number(k.occurred_us), txid: k.txid, id: k.id } }));
      checkOrder();
    }
    await this.movedElsewhere();
    return true;
  }

  /** The tenant's event filter (as the exact walk's), its parameters numbered from `first`. */
  private eventFilter(first: number): { sql: string; values: string[] } {
    const values: string[] = [];
    let sql = "e.tenant_id is null";
    if (this.tenantId !== null) {
      values.push(this.tenantId);
      sql = `e.tenant_id = $${first + values.length - 1}::uuid`;
    }
    if (this.from) {
      values.push(this.from.watermark.toString());
      sql += ` and e.txid >= $${first + values.length - 1}::bigint`;
    }
    sql += ` and e.txid < (select s.watermark from warden_private.seal_state s)
             and not exists (select 1 from warden_private.suspect_events x where x.event_id = e.event_id)`;
    return { sql, values };
  }

  /**
   * The fast walk's rows: for each window of consecutive blocks (up to
   * FAST_WINDOW positions, so memory stays bounded however long the chain),
   * the window's event ids are mapped to their positions, and the events
   * of the window's transaction range stream in whatever order PostgreSQL's
   * workers produce them. Each is parked in its position's slot; the
   * positions are handed to onRow in chain order as soon as the next one is
   * there. A position whose event never comes is handed over as absent:
   * at once when a signed prune record covers it (retention), otherwise at
   * the end of the window. Gives up (false) when an event comes twice or
   * after its position was passed as pruned, or when the tenant holds
   * events of sealed transactions that no position claimed (a stray: the
   * count of matched events must equal the count of the tenant's events
   * below the watermark).
   */
  private async fastRows(blocks: BlockMeta[], onRow: (r: VerifyRow) => void): Promise<boolean> {
    const { client, tenantKey, cover } = this;
    const PASSED = "passed"; // never a packed event (those start with hex digits)
    let matched = 0;
    let streamed = 0;
    let windows = 0;
    for (let i = 0; i < blocks.length; ) {
      windows++;
      let j = i;
      let n = 0;
      let minTx = BigInt(blocks[i].min_txid);
      let maxTx = BigInt(blocks[i].max_txid);
      while (j < blocks.length && (j === i || n + blocks[j].event_count <= verifierTuning.fastWindow)) {
        n += blocks[j].event_count;
        if (BigInt(blocks[j].min_txid) < minTx) minTx = BigInt(blocks[j].min_txid);
        if (BigInt(blocks[j].max_txid) > maxTx) maxTx = BigInt(blocks[j].max_txid);
        j++;
      }
      const win = blocks.slice(i, j);
      i = j;
      const idRows = await client.query({
        text: `select array_to_string(b.event_ids, ',') from warden_private.seal_blocks b
               where b.tenant_key = $1 and b.first_seq between $2::bigint and $3::bigint order by b.first_seq`,
        values: [tenantKey, win[0].first_seq, win[win.length - 1].first_seq],
        rowMode: "array",
      });
      if (idRows.rows.length !== win.length) return false;
      const index = new Map<string, number>();
      const idAt: string[] = new Array(n);
      // Each position's event id -> its place in the window (false: an id twice, or a count that disagrees).
      const indexPositions = (): boolean => {
        let k = 0;
        for (const [text] of idRows.rows as [string][]) {
          if (!text) return false;
          for (const id of text.split(",")) {
            if (k >= n) return false;
            index.set(id, k);
            idAt[k++] = id;
          }
        }
        return k === n && index.size === n; // an id twice leaves fewer keys than positions
      };
      // Each position's packed event (PACKED_COLUMN) until it is handed over; PASSED after.
      const slots: (string | undefined)[] = new Array(n);
      let next = 0;
      let blk = 0;
      let blkStart = 0;
      let gaveUp = false;
      let parked = 0;
      // One row object for every position handed over (onRow keeps nothing of it).
      const r: VerifyRow = { first_seq: null, ord: 0, id: "", unordered: null, env: null, ph: null, stray: null, packed: undefined };
      // Hands the positions from `next` on to onRow while their events are there (all of them at the end).
      const advance = (atEnd: boolean) => {
        while (next < n) {
          while (next >= blkStart + win[blk].event_count) blkStart += win[blk++].event_count;
          const b = win[blk];
          const ord = next - blkStart + 1;
          const packed = slots[next];
          if (packed === undefined && !atEnd) {
            // Not there (yet): only a pruned position may be passed before the window's end.
            if (cover.empty) return;
            if (!cover.covers(idAt[next], BigInt(b.first_seq) + BigInt(ord - 1), microsAt(b.occurred_micros, ord))) return;
          }
          r.first_seq = b.first_seq;
          r.ord = ord;
          r.id = idAt[next];
          r.packed = packed;
          if (packed !== undefined) parked--;
          slots[next++] = PASSED;
          onRow(r);
        }
      };
      // One window (the whole chain): every event of the tenant's filter is
      // read, so the rows streamed are the count. Several: each reads its range.
      const whole = windows === 1 && j === blocks.length;
      const filter = this.eventFilter(whole ? 1 : 3);
      // A transaction range makes PostgreSQL expect few rows and plan no
      // parallel workers; the hashed columns are most of the work, so a large
      // window asks for them (a small one is not worth starting workers for).
      const parallel = n >= PARALLEL_WINDOW;
      const saved = parallel
        ? (
            await client.query(
              `select current_setting('parallel_setup_cost') as setup, current_setting('parallel_tuple_cost') as tuple,
                      set_config('parallel_setup_cost', '0', true), set_config('parallel_tuple_cost', '0', true)`,
            )
          ).rows
        : null;
      // Rows as arrays of one column: the event id is read from the envelope inside it.
      const stream = streamRows<[string]>(
        client,
        `select ${PACKED_COLUMN}
         from warden.audit_events e
         where ${whole ? "" : "e.txid between $1::bigint and $2::bigint and "}${filter.sql}`,
        whole ? filter.values : [minTx.toString(), maxTx.toString(), ...filter.values],
        (row) => {
          streamed++;
          if (gaveUp) return;
          const packed = row[0];
          // Mostly in order, give or take the workers' interleaving: the next position first.
          const at = next < n && packedEventIdIs(packed, idAt[next]) ? next : index.get(packedEventId(packed));
          if (at === undefined) return; // an event of another window (or a stray: the count below)
          if (slots[at] !== undefined) {
            gaveUp = true; // twice, or after its position was passed as pruned
            return;
          }
          slots[at] = packed;
          matched++;
          if (at === next) advance(false);
          else if (++parked > verifierStats.maxParked) verifierStats.maxParked = parked;
        },
        { rowMode: "array" },
      );
      // PostgreSQL plans and starts hashing while this process indexes the
      // positions (no row is handled before this synchronous step ends).
      if (!indexPositions()) gaveUp = true;
      // Leading pruned positions are passed now: no arriving event would move past them.
      else advance(false);
      await stream;
      if (saved) await client.query("select set_config('parallel_setup_cost', $1, true), set_config('parallel_tuple_cost', $2, true)", [saved[0].setup, saved[0].tuple]);
      if (gaveUp) return false;
      advance(true);
    }
    if (windows === 1) return streamed === matched;
    const filter = this.eventFilter(1);
    const { rows } = await client.query(`select count(*)::text as n from warden.audit_events e where ${filter.sql}`, filter.values);
    return Number(rows[0].n) === matched;
  }

  /**
   * The first problem found is a sealed event missing from this tenant: if
   * it still exists under another tenant (or none), it was moved, which is
   * a modification of the sealed event rather than a deletion.
   */
  private async movedElsewhere(): Promise<void> {
    const p = this.eventProblem;
    if (!p || p.reason !== "missing" || !p.event_id) return;
    const { rows } = await this.client.query(
      "select warden_private.tenant_key(e.tenant_id)::text as tenant_key from warden.audit_events e where e.event_id = $1::uuid limit 1",
      [p.event_id],
    );
    if (rows.length && rows[0].tenant_key !== this.tenantKey) {
      this.eventProblem = { ...p, reason: "modified", detail: "the event was moved to another tenant" };
    } else if (rows.length) {
      this.eventProblem = { ...p, reason: "modified", detail: "the event's transaction id was changed" };
    }
  }

  /** 2. Checkpoints: valid signatures, contiguous, agreeing with the chain. */
  async checkCheckpoints(): Promise<void> {
    const { key, tenantKey, lastSealed } = this;
    const cps = await this.client.query(
      `select first_seq::text, last_seq::text, head_hash, signed_at, key_id, signature
       from warden_private.seal_checkpoints c where c.tenant_key = $1 and c.last_seq >= $2::bigint order by c.last_seq`,
      [tenantKey, this.fromSeq.toString()],
    );
    let covered = this.fromSeq;
    if (this.from && this.from.seq > 0n) {
      // Incremental: the checkpoint it starts from must still be there, signed, with the head verified then.
      const start = cps.rows.shift();
      const ok =
        start &&
        BigInt(start.last_seq) === this.from.seq &&
        start.key_id === key.keyId &&
        (start.head_hash as Buffer).equals(this.from.head) &&
        checkpointSignatureValid(key, { tenantKey, firstSeq: BigInt(start.first_seq), lastSeq: this.from.seq, headHash: start.head_hash, signedAt: start.signed_at }, start.signature);
      if (!ok) {
        this.noteChain({ seq: Number(this.from.seq), reason: start && BigInt(start.last_seq) === this.from.seq ? "modified" : "missing", detail: `the checkpoint at seq ${this.from.seq} verified earlier is gone or changed` });
      }
    }
    this.checkpoints = cps.rows.length;
    for (const cp of cps.rows) {
      const firstSeq = BigInt(cp.first_seq);
      const lastSeq = BigInt(cp.last_seq);
      const valid =
        cp.key_id === key.keyId &&
        checkpointSignatureValid(key, { tenantKey, firstSeq, lastSeq, headHash: cp.head_hash, signedAt: cp.signed_at }, cp.signature);
      if (!valid) {
        this.note({
          seq: Number(firstSeq),
          reason: "bad_signature",
          detail:
            cp.key_id === key.keyId
              ? `checkpoint ${firstSeq}..${lastSeq} has an invalid signature`
              : `checkpoint ${firstSeq}..${lastSeq} was signed by unknown key ${cp.key_id}`,
        });
        continue;
      }
      if (firstSeq !== covered + 1n) {
        this.noteChain({
          seq: Number(covered + 1n),
          reason: firstSeq > covered + 1n ? "missing" : "inserted",
          detail: `signed checkpoints jump from seq ${covered} to ${firstSeq}`,
        });
      }
      covered = lastSeq;
      const computed = this.headAt.get(cp.last_seq);
      if (!computed) {
        this.noteChain({
          seq: Number(firstSeq),
          reason: lastSeq > lastSealed ? "missing" : "inserted",
          detail: `the chain has no block ending at signed seq ${lastSeq}`,
        });
      } else if (!computed.equals(cp.head_hash)) {
        this.noteChain({ seq: Number(firstSeq), reason: "modified", detail: `the sealed chain up to seq ${lastSeq} differs from the signed checkpoint` });
      }
    }
    if (covered !== lastSealed) {
      this.noteChain({
        seq: Number(covered + 1n),
        reason: lastSealed > covered ? "inserted" : "missing",
        detail: `sealed chain ends at seq ${lastSealed} but signed checkpoints end at ${covered}`,
      });
    }
  }

  /** 3. Events that appeared inside the sealed past: a transaction id below the watermark, yet in no block. */
  async findInserted(): Promise<void> {
    const { client, tenantKey } = this;
    if (!this.strays.length) return;
    const inserted = await client.query(
      `select e.event_id::text as id, e.occurred_at, e.txid::text as txid from warden.audit_events e
       where e.event_id = any($1::uuid[]) order by e.occurred_at, e.txid limit 1`,
      [this.strays],
    );
    if (!inserted.rowCount) return;
    const ins = inserted.rows[0];
    // The position it claims: the first sealed event that follows it.
    const pos = await client.query(
      `select min(b.first_seq + u.ord - 1)::text as seq
       from warden_private.seal_blocks b cross join lateral unnest(b.event_ids) with ordinality u(id, ord)
       join warden.audit_events e on e.event_id = u.id
       where b.tenant_key = $1 and (e.occurred_at, e.txid) > ($2::timestamptz, $3::bigint)`,
      [tenantKey, ins.occurred_at, ins.txid],
    );
    const seq = pos.rows[0].seq ? Number(pos.rows[0].seq) : Number(this.lastSealed + 1n);
    this.note({ seq, reason: "inserted", event_id: ins.id, detail: "an event that was never sealed appeared inside the sealed past" });
  }
}

export interface TenantResult {
  tenantKey: string;
  problem: VerifyProblem | null;
  events: number;
  pruned: number;
  checkpoints: number;
  /** The last sealed seq walked and its head (where an incremental run may start next). */
  lastSeq: bigint;
  /** The problem is explained by unsigned erasure/prune records alone. */
  pendingOnly: boolean;
}

/** Unsigned erasure and prune records of one chain (or of every chain). */
async function countPending(client: pg.ClientBase, key: SealingKey, tenantKey: string | null): Promise<PendingSignatures> {
  const { rows } = await client.query(
    `select (select count(*) from warden_private.erasure_records r
             where ($2::uuid is null or r.tenant_key = $2::uuid)
               and not exists (select 1 from warden_private.erasure_record_signatures s
                               where s.event_id = r.event_id and s.erased_payload_hash = r.erased_payload_hash and s.key_id = $1))::int as erasure,
            (select count(*) from warden_private.prune_records r
             where ($2::uuid is null or r.tenant_key = $2::uuid)
               and not exists (select 1 from warden_private.prune_record_signatures s where s.record_id = r.id))::int as prune`,
    [key.keyId, tenantKey],
  );
  return { erasure_records: rows[0].erasure, prune_records: rows[0].prune };
}

/** Verifies one chain, from the genesis or from a verified checkpoint. */
export async function verifyTenant(client: pg.ClientBase, key: SealingKey, tenantKey: string, from: VerifyFrom | null = null): Promise<TenantResult> {
  const run = async (provisional: boolean, fast = false) => {
    const v = new TenantVerification(client, key, tenantKey, from, provisional);
    if (!(await v.walkChain(fast))) return null;
    await v.checkCheckpoints();
    await v.findInserted();
    return v;
  };
  // The fast walk first; when it gives up or finds anything, the exact walk
  // decides (and names the finding as it always has).
  let v = await run(false, true);
  if (v && !v.problem) {
    verifierStats.fastWalks++;
  } else {
    verifierStats.exactWalks++;
    v = (await run(false))!;
  }
  let pendingOnly = false;
  if (v.problem && v.problem.reason !== "bad_signature") {
    // Written from SQL without the key (warden.erase_subject, apply_retention):
    // if counting those records as signed explains every difference, the
    // chain waits for `warden sign-records` rather than being tampered with.
    const pending = await countPending(client, key, tenantKey);
    if (pending.erasure_records + pending.prune_records > 0) pendingOnly = (await run(true))!.problem === null;
  }
  return { tenantKey, problem: v.problem, events: v.events, pruned: v.pruned, checkpoints: v.checkpoints, lastSeq: v.lastSealed, pendingOnly };
}

/** Compares each chain's database state with its newest anchor outside the database. */
export async function compareAnchors(client: pg.ClientBase, anchors: AnchorRecord[]): Promise<{ truncated: TruncatedChain[]; rewritten: VerifyProblem[] }> {
  const truncated: TruncatedChain[] = [];
  const rewritten: VerifyProblem[] = [];
  if (!anchors.length) return { truncated, rewritten };
  const { rows } = await client.query(
    `select a.k::text as tenant_key, a.s::text as anchored_seq, coalesce(h.last_seq, 0)::text as head_seq, c.head_hash as cp_hash
     from unnest($1::uuid[], $2::bigint[]) a(k, s)
     left join warden_private.seal_heads h on h.tenant_key = a.k
     left join warden_private.seal_checkpoints c on c.tenant_key = a.k and c.last_seq = a.s`,
    [anchors.map((a) => a.tenant_key), anchors.map((a) => String(a.last_seq))],
  );
  const byKey = new Map(anchors.map((a) => [a.tenant_key, a]));
  for (const r of rows) {
    const a = byKey.get(r.tenant_key)!;
    const headSeq = Number(r.head_seq);
    if (headSeq < a.last_seq) {
      truncated.push({
        tenant_id: tenantOut(r.tenant_key),
        anchored_seq: a.last_seq,
        database_seq: headSeq,
        missing_from: headSeq + 1,
        missing_to: a.last_seq,
        anchored_at: a.anchored_at,
        checkpoint_id: a.checkpoint_id,
      });
    } else if (!r.cp_hash || !(r.cp_hash as Buffer).equals(Buffer.from(a.head_hash, "hex"))) {
      rewritten.push({
        tenant_id: tenantOut(r.tenant_key),
        seq: a.first_seq,
        reason: "modified",
        detail: `the chain up to seq ${a.last_seq} differs from the checkpoint anchored outside the database at ${a.anchored_at} (${a.checkpoint_id})`,
      });
    }
  }
  return { truncated, rewritten };
}

function statusMessage(r: Omit<VerifyReport, "message">): string {
  const bad = r.first_bad;
  switch (r.status) {
    case "ok":
      return `ok: ${r.events_verified} event(s) and ${r.checkpoints_verified} checkpoint(s) of ${r.tenants} tenant(s) verified`;
    case "tampered":
      return `TAMPERED: tenant ${bad!.tenant_id ?? "(none)"} seq ${bad!.seq}: ${bad!.reason} (${bad!.detail})`;
    case "truncated": {
      const t = r.truncated[0];
      return `TRUNCATED: tenant ${t.tenant_id ?? "(none)"}: seq ${t.missing_from}..${t.missing_to} were anchored outside the database (${t.checkpoint_id}, ${t.anchored_at}) but are gone from it` +
        (t.database_seq === 0 ? " (the whole trail)" : ` (its head is now seq ${t.database_seq})`) +
        (r.truncated.length > 1 ? `; ${r.truncated.length - 1} more chain(s) truncated` : "");
    }
    case "pending_signature":
      return `PENDING SIGNATURE: ${r.pending_signatures.erasure_records} erasure and ${r.pending_signatures.prune_records} prune record(s) were written from SQL without the seal key, and they explain every difference in the chain (first: tenant ${bad?.tenant_id ?? "(none)"} seq ${bad?.seq}). Review them with \`warden sign-records --dry-run\`, then sign them with \`warden sign-records\`; a record forged by hand looks the same until reviewed`;
    case "suspect":
      return `SUSPECT: ${r.suspect_events} event(s) dated outside their occurred_at window were written past ingest and left unsealed (warden_private.suspect_events); the sealed chain itself verifies. Review them, then \`select warden.acknowledge_suspect_events(...)\``;
    case "capture_gap": {
      const g = r.capture_gaps[0];
      return `CAPTURE GAP: ${r.capture_gaps.length} audited table(s) without working capture (first: ${g.table_name}, ${g.reason}, since ${g.since}); changes made meanwhile were not recorded. The sealed chain itself verifies. Restore capture with warden.enable_auditing`;
    }
  }
}

export function withMessage(r: Omit<VerifyReport, "message">): VerifyReport {
  return { ...r, message: statusMessage(r) };
}

export async function verifyTrail(client: pg.ClientBase, key: SealingKey, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const own = !opts.inTransaction;
  if (own) await client.query("begin isolation level repeatable read read only");
  try {
    await client.query("set local work_mem = '512MB'");
    await client.query("set local jit = off");
    // Whole chains are joined to whole tables: hash joins, not per-event probes.
    await client.query("set local enable_nestloop = off");
    let tenantKeys: string[];
    const scopeKey = opts.tenantId === undefined ? null : (opts.tenantId ?? ZERO_TENANT);
    if (scopeKey !== null) {
      tenantKeys = [scopeKey];
    } else {
      const { rows } = await client.query(
        `select tenant_key::text from warden_private.seal_heads
         union select tenant_key::text from warden_private.seal_checkpoints order by 1`,
      );
      tenantKeys = rows.map((r) => r.tenant_key);
    }
    let events = 0;
    let pruned = 0;
    let checkpoints = 0;
    let firstBad: VerifyProblem | null = null;
    let allPendingOnly = true;
    for (const [i, tenantKey] of tenantKeys.entries()) {
      opts.onProgress?.({ tenant: i + 1, tenants: tenantKeys.length, events });
      const r = await verifyTenant(client, key, tenantKey);
      events += r.events;
      pruned += r.pruned;
      checkpoints += r.checkpoints;
      if (r.problem) {
        if (!firstBad) firstBad = r.problem;
        if (!r.pendingOnly) allPendingOnly = false;
      }
    }
    const anchors = opts.anchors ? [...opts.anchors.values()].filter((a) => scopeKey === null || a.tenant_key === scopeKey) : null;
    const { truncated, rewritten } = anchors ? await compareAnchors(client, anchors) : { truncated: [], rewritten: [] };
    if (rewritten.length) {
      allPendingOnly = false;
      firstBad ??= rewritten[0];
    }
    const suspects = Number(
      (
        await client.query(
          `select count(*) as n from warden_private.suspect_events s
           where not exists (select 1 from warden_private.suspect_acknowledgements a where a.event_id = s.event_id)
             and ${opts.tenantId !== undefined ? "s.tenant_id is not distinct from $1::uuid" : "$1::uuid is null"}`,
          [opts.tenantId ?? null],
        )
      ).rows[0].n,
    );
    const gaps: CaptureGap[] = opts.skipCaptureGaps
      ? []
      : (
          await client.query(
            `select g.table_name, g.tenant_id::text as tenant_id, g.reason, g.since from warden.capture_gaps() g
             where $1::uuid is null or g.tenant_id is null or g.tenant_id = $1::uuid`,
            [opts.tenantId ?? null],
          )
        ).rows.map((g) => ({ table_name: g.table_name, tenant_id: g.tenant_id, reason: g.reason, since: (g.since as Date).toISOString() }));
    const pending = await countPending(client, key, scopeKey);
    if (own) await client.query("commit");
    const statuses: VerifyStatus[] = [];
    if (firstBad && !allPendingOnly) statuses.push("tampered");
    if (truncated.length) statuses.push("truncated");
    if (firstBad && allPendingOnly) statuses.push("pending_signature");
    if (suspects > 0) statuses.push("suspect");
    if (gaps.length) statuses.push("capture_gap");
    if (!statuses.length) statuses.push("ok");
    return withMessage({
      ok: statuses[0] === "ok",
      status: statuses[0],
      statuses,
      tenants: tenantKeys.length,
      events_verified: events,
      events_pruned: pruned,
      checkpoints_verified: checkpoints,
      first_bad: firstBad,
      suspect_events: suspects,
      capture_gaps: gaps,
      truncated,
      pending_signatures: pending,
      anchors_checked: anchors ? anchors.length : null,
    });
  } catch (err) {
    if (own) await client.query("rollback").catch(() => undefined);
    throw err;
  }
}
