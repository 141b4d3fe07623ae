/**
 * One sealing pass: every audit event written by a transaction that has
 * finished since the last pass is appended, per tenant, to that tenant's
 * hash chain (warden_private.seal_blocks), and each tenant touched gets a
 * signed checkpoint. The pass is one transaction; a second sealer waits for
 * nothing (it skips). Writers never wait on the sealer: it only reads
 * audit_events.
 *
 * Which events: those with txid in [watermark, horizon), where horizon is
 * the xmin of the pass's snapshot, so every transaction below it has ended
 * and no event can still appear in the window. The pass first promotes the
 * capture log's committed records into the store
 * (warden_private.capture_promote, in a short transaction of its own so the
 * promotion lock is not held while this pass hashes), so trigger-captured
 * changes are sealed in the pass that promotes them; it seals no further
 * than the promotion watermark. The window is read with one
 * streamed query (src/db/streamRows.ts) rather than a cursor, so PostgreSQL
 * can hash and sort it with parallel workers while this process chains the
 * rows already received; the pass keeps only the finished blocks (ids and
 * 8-byte leaf prefixes) until it writes them.
 */
import type pg from "pg";
import { signCheckpoint } from "./checkpoint";
import { EventHasher, GENESIS, HASHED_COLUMNS } from "./chain";
import type { SealingKey } from "./sealingKey";
import { packMicros } from "./pruneRecords";
import { streamRows } from "../db/streamRows";

export interface SealResult {
  sealed: number;
  tenants: number;
  blocks: number;
  watermark: string;
  /** True when another sealer held the lock and this pass did nothing. */
  skipped: boolean;
  /** Trigger-captured events promoted into the store by this pass (before sealing). */
  promoted: number;
  /** Events set aside as suspect (dated outside their occurred_at window without the backfill marker), not sealed. */
  suspects: number;
}

export interface SealOptions {
  /** Events per block (default 10,000). */
  blockSize?: number;
  /** The client is already in a transaction: seal inside it, leave commit to the caller. */
  inTransaction?: boolean;
}

interface Block {
  firstSeq: bigint;
  ids: string[];
  prefixes: Buffer[];
  micros: Buffer[];
  minTxid: bigint;
  maxTxid: bigint;
  prevHash: Buffer;
}

interface SealRow {
  tenant_key: string;
  id: string;
  txid: string;
  occurred_us: string;
  env: string;
  ph: string;
}

interface TenantChain {
  tenantKey: string;
  startSeq: bigint; // first seq sealed by this pass
  seq: bigint; // last seq assigned
  head: Buffer;
  block: Block | null;
}

export async function sealOnce(client: pg.ClientBase, key: SealingKey, opts: SealOptions = {}): Promise<SealResult> {
  const blockSize = opts.blockSize ?? 10_000;
  const own = !opts.inTransaction;
  let promoted = 0;
  if (own) {
    // Trigger-captured changes below the horizon become events first, in a
    // transaction of their own: the promotion lock is held only while they
    // are promoted, never while this pass hashes (the worker's promotion
    // loop goes on meanwhile). A promotion already under way is not waited for.
    const p = await client.query("select p.promoted::text as n from warden_private.capture_promote(null, false, false) p");
    promoted = Number(p.rows[0].n);
    // The txid BRIN ranges filled since the last summary (a large promotion,
    // a burst of ingest), so the window below is found through the index
    // rather than by reading the whole unsummarized tail. Its own short
    // transaction too; it never waits for a vacuum.
    await client.query("select warden_private.audit_events_summarize_txid()");
    await client.query("begin");
  }
  try {
    const lock = await client.query("select pg_try_advisory_xact_lock(hashtext('warden.seal')) as ok");
    if (!lock.rows[0].ok) {
      if (own) await client.query("rollback");
      return { sealed: 0, tenants: 0, blocks: 0, watermark: "", skipped: true, promoted, suspects: 0 };
    }
    await client.query("set local jit = off");
    // The window is a narrow txid range: through the txid BRIN index, even
    // before ANALYZE has seen a partition that just grew by a large
    // promotion (without statistics the planner reads the whole partition).
    await client.query("set local enable_seqscan = off");
    // The pass sorts its window by tenant and time: keep that in memory.
    await client.query("set local work_mem = '512MB'");
    // A plain read, not FOR UPDATE: the advisory lock above already keeps
    // other sealers out (only a sealing pass writes seal_state), and a row
    // lock would give this transaction an id now, holding every
    // promotion's horizon (warden_private.seal_horizon) back for the whole
    // pass. The pass writes only at its end.
    const state = await client.query("select watermark::text as w from warden_private.seal_state");
    const from = state.rows[0].w as string;
    const seenHorizon = (await client.query("select warden_private.seal_horizon()::text as h")).rows[0].h as string;
    // Sealing stops at the promotion watermark: a change not yet promoted
    // (another promotion held the lock) must not fall below the seal
    // watermark, or it would never be sealed. Inside the caller's
    // transaction the promotion runs here (same transaction); otherwise it
    // committed above, and the watermark read now is the committed one
    // (every event below it is in the store and visible to this pass).
    let below: string;
    if (own) {
      below = (await client.query("select s.promoted_below::text as below from warden_private.capture_state s")).rows[0].below as string;
    } else {
      const promotion = await client.query(
        "select p.promoted::text as n, p.promoted_below::text as below from warden_private.capture_promote($1::bigint, false, false) p",
        [seenHorizon],
      );
      promoted = Number(promotion.rows[0].n);
      below = promotion.rows[0].below as string;
    }
    const horizon = BigInt(below) < BigInt(seenHorizon) ? below : seenHorizon;
    if (BigInt(horizon) <= BigInt(from)) {
      await client.query("update warden_private.seal_state set last_run_at = now(), last_sealed = 0");
      if (own) await client.query("commit");
      return { sealed: 0, tenants: 0, blocks: 0, watermark: from, skipped: false, promoted, suspects: 0 };
    }
    // Events dated outside their tenant's occurred_at window that did not
    // come through the backfill path are set aside as suspect, not sealed.
    const suspects = Number(
      (await client.query("select warden_private.seal_flag_suspects($1::bigint, $2::bigint) as n", [from, horizon])).rows[0].n,
    );
    // The chain heads of the tenants in the window, in one query before the stream.
    const heads = new Map<string, { seq: bigint; head: Buffer }>();
    const headRows = await client.query(
      `select h.tenant_key::text as k, h.last_seq::text as s, h.head_hash as h from warden_private.seal_heads h
       where h.tenant_key in (select distinct warden_private.tenant_key(e.tenant_id) from warden.audit_events e
                              where e.txid >= $1::bigint and e.txid < $2::bigint)`,
      [from, horizon],
    );
    for (const h of headRows.rows) heads.set(h.k, { seq: BigInt(h.s), head: h.h });

    let sealed = 0;
    let current: TenantChain | null = null;
    const finished: TenantChain[] = [];
    const blockRows: unknown[][] = [];

    const flushBlock = (chain: TenantChain) => {
      const b = chain.block;
      if (!b || b.ids.length === 0) return;
      blockRows.push([chain.tenantKey, b.firstSeq.toString(), chain.seq.toString(), b.minTxid.toString(), b.maxTxid.toString(), b.ids, Buffer.concat(b.prefixes), b.prevHash, chain.head, Buffer.concat(b.micros)]);
      chain.block = null;
    };

    const openTenant = (tenantKey: string): TenantChain => {
      const head = heads.get(tenantKey);
      const seq = head ? head.seq : 0n;
      return { tenantKey, startSeq: seq + 1n, seq, head: head ? head.head : GENESIS, block: null };
    };

    const hasher = new EventHasher();
    // One query streamed to the end (not a cursor): PostgreSQL may compute
    // the hashed columns and sort with parallel workers while this process
    // chains the rows already received.
    await streamRows<SealRow>(
      client,
      `select warden_private.tenant_key(e.tenant_id)::text as tenant_key, e.event_id::text as id, e.txid::text as txid,
              (extract(epoch from e.occurred_at) * 1000000)::bigint::text as occurred_us, ${HASHED_COLUMNS}
       from warden.audit_events e
       where e.txid >= $1::bigint and e.txid < $2::bigint
         ${suspects > 0 ? "and not exists (select 1 from warden_private.suspect_events s where s.event_id = e.event_id)" : ""}
       order by 1, e.occurred_at, e.txid, e.event_id`,
      [from, horizon],
      (row) => {
        if (!current || current.tenantKey !== row.tenant_key) {
          if (current) {
            flushBlock(current);
            finished.push(current);
          }
          current = openTenant(row.tenant_key);
        }
        const txid = BigInt(row.txid);
        current.seq += 1n;
        if (!current.block) {
          // A block starts from the chain head before its first event.
          current.block = { firstSeq: current.seq, ids: [], prefixes: [], micros: [], minTxid: txid, maxTxid: txid, prevHash: current.head };
        }
        hasher.load(row.env, row.ph);
        current.head = hasher.chain(current.head);
        const block: Block = current.block;
        block.ids.push(row.id);
        block.prefixes.push(hasher.leafPrefix());
        block.micros.push(packMicros(row.occurred_us));
        if (txid < block.minTxid) block.minTxid = txid;
        if (txid > block.maxTxid) block.maxTxid = txid;
        sealed++;
        if (block.ids.length >= blockSize) flushBlock(current);
      },
    );
    if (current) {
      flushBlock(current);
      finished.push(current);
    }
    for (const params of blockRows) {
      await client.query(
        `insert into warden_private.seal_blocks
           (tenant_key, first_seq, last_seq, min_txid, max_txid, event_ids, leaf_prefixes, prev_hash, head_hash, occurred_micros)
         values ($1, $2, $3, $4, $5, $6::uuid[], $7, $8, $9, $10)`,
        params,
      );
    }
    const blocks = blockRows.length;

    for (const chain of finished) {
      const signedAt = new Date();
      const checkpoint = { tenantKey: chain.tenantKey, firstSeq: chain.startSeq, lastSeq: chain.seq, headHash: chain.head, signedAt };
      await client.query(
        `insert into warden_private.seal_checkpoints (tenant_key, first_seq, last_seq, head_hash, signed_at, key_id, signature)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [chain.tenantKey, chain.startSeq.toString(), chain.seq.toString(), chain.head, signedAt, key.keyId, signCheckpoint(key, checkpoint)],
      );
      await client.query(
        `insert into warden_private.seal_heads (tenant_key, last_seq, head_hash, updated_at) values ($1, $2, $3, now())
         on conflict (tenant_key) do update set last_seq = excluded.last_seq, head_hash = excluded.head_hash, updated_at = now()`,
        [chain.tenantKey, chain.seq.toString(), chain.head],
      );
    }
    await client.query("update warden_private.seal_state set watermark = $1::bigint, last_run_at = now(), last_sealed = $2", [horizon, sealed]);
    // Prune and erasure records are not signed here: a pass that signed
    // whatever it found unsigned would also sign a record forged by hand.
    if (own) await client.query("commit");
    return { sealed, tenants: finished.length, blocks, watermark: horizon, skipped: false, promoted, suspects };
  } catch (err) {
    if (own) await client.query("rollback").catch(() => undefined);
    throw err;
  }
}
