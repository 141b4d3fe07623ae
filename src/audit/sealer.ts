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
 * and no event can still appear in the window.
 */
import type pg from "pg";
import { signCheckpoint } from "./checkpoint";
import { GENESIS, HASHED_COLUMNS, chainHash, hashedParts, leafPrefix } from "./chain";
import type { SealingKey } from "./sealingKey";
import { packMicros, signPendingPruneRecords } from "./pruneRecords";
import { signPendingErasureRecords } from "./erasureRecords";

export interface SealResult {
  sealed: number;
  tenants: number;
  blocks: number;
  watermark: string;
  /** True when another sealer held the lock and this pass did nothing. */
  skipped: boolean;
}

export interface SealOptions {
  /** Events per block (default 10,000). */
  blockSize?: number;
  /** Rows fetched per round trip (default 5,000). */
  fetchSize?: number;
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

interface TenantChain {
  tenantKey: string;
  startSeq: bigint; // first seq sealed by this pass
  seq: bigint; // last seq assigned
  head: Buffer;
  block: Block | null;
}

export async function sealOnce(client: pg.ClientBase, key: SealingKey, opts: SealOptions = {}): Promise<SealResult> {
  const blockSize = opts.blockSize ?? 10_000;
  const fetchSize = opts.fetchSize ?? 5_000;
  const own = !opts.inTransaction;
  if (own) await client.query("begin");
  try {
    const lock = await client.query("select pg_try_advisory_xact_lock(hashtext('warden.seal')) as ok");
    if (!lock.rows[0].ok) {
      if (own) await client.query("rollback");
      return { sealed: 0, tenants: 0, blocks: 0, watermark: "", skipped: true };
    }
    await client.query("set local jit = off");
    // The pass sorts its window by tenant and time: keep that in memory.
    await client.query("set local work_mem = '512MB'");
    const state = await client.query("select watermark::text as w from warden_private.seal_state for update");
    const from = state.rows[0].w as string;
    const horizon = (await client.query("select warden_private.seal_horizon()::text as h")).rows[0].h as string;
    if (BigInt(horizon) <= BigInt(from)) {
      await signPendingErasureRecords(client, key);
      await client.query("update warden_private.seal_state set last_run_at = now(), last_sealed = 0");
      await signPendingPruneRecords(client, key);
      if (own) await client.query("commit");
      return { sealed: 0, tenants: 0, blocks: 0, watermark: from, skipped: false };
    }
    await client.query(
      `declare warden_seal no scroll cursor for
       select warden_private.tenant_key(e.tenant_id)::text as tenant_key, e.event_id::text as id, e.txid::text as txid,
              (extract(epoch from e.occurred_at) * 1000000)::bigint::text as occurred_us, ${HASHED_COLUMNS}
       from warden.audit_events e
       where e.txid >= $1::bigint and e.txid < $2::bigint
       order by 1, e.occurred_at, e.txid, e.event_id`,
      [from, horizon],
    );

    let sealed = 0;
    let blocks = 0;
    let current: TenantChain | null = null;
    const finished: TenantChain[] = [];

    const flushBlock = async (chain: TenantChain) => {
      const b = chain.block;
      if (!b || b.ids.length === 0) return;
      await client.query(
        `insert into warden_private.seal_blocks
           (tenant_key, first_seq, last_seq, min_txid, max_txid, event_ids, leaf_prefixes, prev_hash, head_hash, occurred_micros)
         values ($1, $2, $3, $4, $5, $6::uuid[], $7, $8, $9, $10)`,
        [chain.tenantKey, b.firstSeq.toString(), chain.seq.toString(), b.minTxid.toString(), b.maxTxid.toString(), b.ids, Buffer.concat(b.prefixes), b.prevHash, chain.head, Buffer.concat(b.micros)],
      );
      blocks++;
      chain.block = null;
    };

    const openTenant = async (tenantKey: string): Promise<TenantChain> => {
      const head = await client.query("select last_seq::text, head_hash from warden_private.seal_heads where tenant_key = $1", [tenantKey]);
      const seq = head.rowCount ? BigInt(head.rows[0].last_seq) : 0n;
      return { tenantKey, startSeq: seq + 1n, seq, head: head.rowCount ? head.rows[0].head_hash : GENESIS, block: null };
    };

    for (;;) {
      const { rows } = await client.query(`fetch ${fetchSize} from warden_seal`);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (!current || current.tenantKey !== row.tenant_key) {
          if (current) {
            await flushBlock(current);
            finished.push(current);
          }
          current = await openTenant(row.tenant_key);
        }
        const txid = BigInt(row.txid);
        current.seq += 1n;
        if (!current.block) {
          // A block starts from the chain head before its first event.
          current.block = { firstSeq: current.seq, ids: [], prefixes: [], micros: [], minTxid: txid, maxTxid: txid, prevHash: current.head };
        }
        const [env, ph] = hashedParts(row);
        current.head = chainHash(current.head, env, ph);
        const block: Block = current.block;
        block.ids.push(row.id);
        block.prefixes.push(leafPrefix(env, ph));
        block.micros.push(packMicros(row.occurred_us));
        if (txid < block.minTxid) block.minTxid = txid;
        if (txid > block.maxTxid) block.maxTxid = txid;
        sealed++;
        if (block.ids.length >= blockSize) await flushBlock(current);
      }
    }
    if (current) {
      await flushBlock(current);
      finished.push(current);
    }
    await client.query("close warden_seal");

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
    await signPendingErasureRecords(client, key); // GDPR erasure records not yet signed
    await client.query("update warden_private.seal_state set watermark = $1::bigint, last_run_at = now(), last_sealed = $2", [horizon, sealed]);
    // Retention's prune records still unsigned (a run that stopped before signing).
    await signPendingPruneRecords(client, key);
    if (own) await client.query("commit");
    return { sealed, tenants: finished.length, blocks, watermark: horizon, skipped: false };
  } catch (err) {
    if (own) await client.query("rollback").catch(() => undefined);
    throw err;
  }
}
