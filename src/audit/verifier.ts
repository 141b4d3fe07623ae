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
 */
import type pg from "pg";
import { checkpointSignatureValid } from "./checkpoint";
import { EventHasher, GENESIS, HASHED_COLUMNS, LEAF_PREFIX_BYTES, ZERO_TENANT } from "./chain";
import type { SealingKey } from "./sealingKey";
import { PruneCover, loadPruneCover, microsAt } from "./pruneRecords";
import { ErasureIndex } from "./erasureRecords";
import { streamRows } from "../db/streamRows";

interface VerifyRow {
  first_seq: string;
  ord: number;
  id: string;
  present: boolean;
  occurred_us: string | null;
  txid: string | null;
  env: string | null;
  ph: string | null;
}

export type VerifyReason = "missing" | "modified" | "reordered" | "inserted" | "bad_signature";

export interface VerifyProblem {
  tenant_id: string | null;
  seq: number;
  reason: VerifyReason;
  event_id?: string;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
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
}

export interface VerifyOptions {
  /** Only this tenant (null: events outside any tenant); all when undefined. */
  tenantId?: string | null;
  /** The client is already in a transaction: verify inside it (its own changes included). */
  inTransaction?: boolean;
  /** Called before each tenant's chain (the CLI's progress line). */
  onProgress?: (p: { tenant: number; tenants: number; events: number }) => void;
}

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
  last_seq: string;
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

  constructor(
    private readonly client: pg.ClientBase,
    private readonly key: SealingKey,
    private readonly tenantKey: string,
  ) {
    this.tenantId = tenantOut(tenantKey);
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

  /** 1. Every sealed position joined to its event: present, unmodified, in order, chained. */
  async walkChain(): Promise<void> {
    const { client, tenantKey } = this;
    this.cover = await loadPruneCover(client, this.key, tenantKey);
    // GDPR erasures: payloads rewritten under a validly signed erasure record.
    const erasures = await ErasureIndex.load(client, this.key, tenantKey);
    // Block bookkeeping once per block; the cursor carries only per-event data.
    const blockRows = await client.query(
      `select b.first_seq::text as first_seq, b.last_seq::text as last_seq, b.prev_hash, b.head_hash, b.leaf_prefixes, b.occurred_micros
       from warden_private.seal_blocks b where b.tenant_key = $1 order by b.first_seq`,
      [tenantKey],
    );
    const blocksByFirst = new Map<string, BlockMeta>();
    for (const b of blockRows.rows) blocksByFirst.set(b.first_seq, b);
    // One query streamed to the end (src/db/streamRows.ts): this process
    // checks rows while PostgreSQL still sends later ones. The chain is
    // joined to this tenant's events only, so verifying one tenant reads
    // that tenant's rows, not every tenant's; a sealed event found nowhere
    // in the tenant is looked for elsewhere afterwards (movedElsewhere).
    const tenantEvents = this.tenantId === null ? "e.tenant_id is null" : "e.tenant_id = $2::uuid";
    const sql = `with positions as materialized (
         select b.first_seq, u.ord, u.id
         from warden_private.seal_blocks b cross join lateral unnest(b.event_ids) with ordinality u(id, ord)
         where b.tenant_key = $1
       )
       select p.first_seq::text as first_seq, p.ord::int as ord, p.id::text as id, e.event_id is not null as present,
              e.occurred_us, e.txid, e.env, e.ph
       from positions p
       left join (
         -- planned on its own (offset 0), so parallel workers can compute the hashed columns
         select e.event_id, (extract(epoch from e.occurred_at) * 1000000)::bigint::text as occurred_us, e.txid::text as txid,
                ${HASHED_COLUMNS}
         from warden.audit_events e where ${tenantEvents} offset 0
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
    let head: Buffer = GENESIS;
    let storedHead: Buffer = GENESIS;
    let expectedNextSeq = 1n;
    // A block with pruned events no longer hashes to its head: it is held
    // by its surviving leaf prefixes, its links and the signed checkpoints.
    let blockPruned = false;
    const endOfPosition = (ord: number) => {
      if (ord !== blockLength) return;
      storedHead = block!.head_hash;
      this.headAt.set(block!.last_seq, storedHead);
      if (!blockPruned && !storedHead.equals(head)) {
        this.noteChain({ seq: Number(blockFirst), reason: "modified", detail: `block ${blockFirst}..${block!.last_seq}: its events do not hash to its head` });
      }
    };
    // Sealed order is (occurred_at, txid, event_id) within a block: the first
    // position whose event no longer sorts there was reordered.
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
      checkOrder();
      if (blockFirstText !== null) expectedNextSeq = blockFirst + BigInt(lastOrdSeen);
    };
    // Per event: string compares and two hashes; BigInt only per block or for a finding.
    await streamRows<VerifyRow>(client, sql, this.tenantId === null ? [tenantKey] : [tenantKey, this.tenantId], (r) => {
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
        blockFirstText = r.first_seq;
        blockFirst = first;
        blockLength = Number(BigInt(block.last_seq) - first + 1n);
      }
      lastOrdSeen = r.ord;
      if (!r.present && this.cover.covers(r.id, seqOf(r.ord), microsAt(block!.occurred_micros, r.ord))) {
        this.pruned++;
        blockPruned = true;
        endOfPosition(r.ord);
        return;
      }
      this.events++;
      if (!r.present) {
        this.note({ seq: Number(seqOf(r.ord)), reason: "missing", event_id: r.id, detail: "the sealed event no longer exists" });
        return;
      }
      const stored = block!.leaf_prefixes.subarray((r.ord - 1) * LEAF_PREFIX_BYTES, r.ord * LEAF_PREFIX_BYTES);
      hasher.load(r.env!, r.ph!);
      hasher.replacePayloadHash(erasures.resolve(r.id, hasher.envelope, hasher.payloadHash, stored));
      blockKeys.push({ ord: r.ord, key: { occurredAt: Number(r.occurred_us), txid: r.txid!, id: r.id } });
      if (!hasher.leafPrefix().equals(stored)) {
        this.note({ seq: Number(seqOf(r.ord)), reason: "modified", event_id: r.id, detail: "the event's content differs from what was sealed" });
      }
      head = hasher.chain(head);
      endOfPosition(r.ord);
    });
    finishBlock();
    this.lastSealed = expectedNextSeq - 1n;
    await this.movedElsewhere();
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
    }
  }

  /** 2. Checkpoints: valid signatures, contiguous, agreeing with the chain. */
  async checkCheckpoints(): Promise<void> {
    const { key, tenantKey, lastSealed } = this;
    const cps = await this.client.query(
      `select first_seq::text, last_seq::text, head_hash, signed_at, key_id, signature
       from warden_private.seal_checkpoints c where c.tenant_key = $1 order by c.last_seq`,
      [tenantKey],
    );
    this.checkpoints = cps.rowCount ?? 0;
    let covered = 0n;
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
    const { client, tenantId, tenantKey } = this;
    const tenantFilter = tenantId === null ? "e.tenant_id is null and $1::uuid is null" : "e.tenant_id = $1::uuid";
    const inserted = await client.query(
      `select e.event_id::text as id, e.occurred_at, e.txid::text as txid
       from warden.audit_events e
       left join (select u.id from warden_private.seal_blocks b cross join lateral unnest(b.event_ids) u(id) where b.tenant_key = $2) s
         on s.id = e.event_id
       where ${tenantFilter} and e.txid < (select watermark from warden_private.seal_state) and s.id is null
         and not exists (select 1 from warden_private.suspect_events x where x.event_id = e.event_id)
       order by e.occurred_at, e.txid limit 1`,
      [tenantId, tenantKey],
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

async function verifyTenant(client: pg.ClientBase, key: SealingKey, tenantKey: string) {
  const v = new TenantVerification(client, key, tenantKey);
  await v.walkChain();
  await v.checkCheckpoints();
  await v.findInserted();
  return { problem: v.problem, events: v.events, pruned: v.pruned, checkpoints: v.checkpoints };
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
    if (opts.tenantId !== undefined) {
      tenantKeys = [opts.tenantId ?? ZERO_TENANT];
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
    for (const [i, tenantKey] of tenantKeys.entries()) {
      opts.onProgress?.({ tenant: i + 1, tenants: tenantKeys.length, events });
      const r = await verifyTenant(client, key, tenantKey);
      events += r.events;
      pruned += r.pruned;
      checkpoints += r.checkpoints;
      if (!firstBad && r.problem) firstBad = r.problem;
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
    if (own) await client.query("commit");
    return {
      ok: firstBad === null && suspects === 0,
      tenants: tenantKeys.length,
      events_verified: events,
      events_pruned: pruned,
      checkpoints_verified: checkpoints,
      first_bad: firstBad,
      suspect_events: suspects,
    };
  } catch (err) {
    if (own) await client.query("rollback").catch(() => undefined);
    throw err;
  }
}
