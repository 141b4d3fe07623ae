/**
 * What a self-verifying export carries after its events
 * (src/audit/exportFormat.ts): the signed checkpoints whose ranges hold any
 * exported event, every block of those ranges with each position's
 * envelope and payload hash (so the auditor recomputes the chain from the
 * block's previous hash to the signed head), and the tenant's signed prune
 * and erasure records (so purged and erased events verify through them).
 *
 * Which blocks: those whose events' occurred_at span meets the exported
 * events' span (blocks sealed before occurred_at was kept always count),
 * widened to whole checkpoints. Read by the owner pool in one repeatable
 * read snapshot; only the requesting tenant's chain.
 */
import type pg from "pg";
import { HASHED_COLUMNS } from "./chain";
import { MICROS_BYTES, microsAt } from "./pruneRecords";
import type { SealingKey } from "./sealingKey";
import type { BlockRecord, CheckpointRecord, ErasureRecordLine, Position, PruneRecordLine } from "./exportFormat";

export interface ExportSpan {
  /** Earliest and latest exported occurred_at, as exported (RFC 3339, µs). */
  from: string;
  to: string;
}

export type ProofLine = { checkpoint: CheckpointRecord } | { block: BlockRecord } | { prune_record: PruneRecordLine } | { erasure_record: ErasureRecordLine };

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

/** Emits the proof records of one tenant's export, in file order. Returns how many blocks. */
export async function writeExportProofs(
  ownerPool: pg.Pool,
  key: SealingKey,
  tenantId: string,
  span: ExportSpan | null,
  emit: (line: ProofLine) => Promise<void>,
): Promise<number> {
  const client = await ownerPool.connect();
  try {
    await client.query("begin isolation level repeatable read read only");
    const cps = await client.query(
      `select first_seq::text as first_seq, last_seq::text as last_seq, head_hash, signed_at, key_id, signature
       from warden_private.seal_checkpoints c where c.tenant_key = $1 order by c.last_seq`,
      [tenantId],
    );
    // Blocks whose span meets the export's (a block is sorted by occurred_at: first and last bound it).
    const hit = span
      ? await client.query(
          `select b.first_seq::text as first_seq, b.last_seq::text as last_seq from warden_private.seal_blocks b
           where b.tenant_key = $1
             and (b.occurred_micros is null
                  or (('x' || encode(substring(b.occurred_micros from 1 for 8), 'hex'))::bit(64)::bigint
                        <= (extract(epoch from $3::timestamptz) * 1000000)::bigint
                      and ('x' || encode(substring(b.occurred_micros from length(b.occurred_micros) - 7 for 8), 'hex'))::bit(64)::bigint
                        >= (extract(epoch from $2::timestamptz) * 1000000)::bigint))
           order by b.first_seq`,
          [tenantId, span.from, span.to],
        )
      : { rows: [] as { first_seq: string; last_seq: string }[] };
    // Widen to whole checkpoints; a block no checkpoint covers proves nothing (its events count as unsealed).
    const ranges: [bigint, bigint][] = [];
    const chosen = new Set<string>();
    for (const b of hit.rows) {
      const first = BigInt(b.first_seq);
      if (ranges.some(([lo, hi]) => first >= lo && first <= hi)) continue;
      const cp = cps.rows.find((c) => BigInt(c.first_seq) <= first && first <= BigInt(c.last_seq));
      if (cp) {
        chosen.add(cp.last_seq);
        ranges.push([BigInt(cp.first_seq), BigInt(cp.last_seq)]);
      }
    }
    for (const cp of cps.rows) {
      if (!chosen.has(cp.last_seq)) continue;
      await emit({
        checkpoint: {
          tenant_key: tenantId,
          first_seq: cp.first_seq,
          last_seq: cp.last_seq,
          head_hash: cp.head_hash.toString("hex"),
          signed_at: cp.signed_at.toISOString(),
          key_id: cp.key_id,
          signature: cp.signature.toString("base64"),
        },
      });
    }
    const prunes = await client.query(
      `select r.id::text as id, r.method, r.partition_name, r.range_from, r.range_to, r.sealed_through::text as sealed_through,
              r.event_ids::text[] as event_ids, r.event_count::text as event_count, r.created_at, s.signed_at, s.key_id, s.signature
       from warden_private.prune_records r join warden_private.prune_record_signatures s on s.record_id = r.id
       where r.tenant_key = $1 and s.key_id = $2 order by r.id`,
      [tenantId, key.keyId],
    );
    for (const r of prunes.rows) {
      await emit({
        prune_record: {
          id: r.id,
          tenant_key: tenantId,
          method: r.method,
          partition_name: r.partition_name,
          range_from: iso(r.range_from),
          range_to: iso(r.range_to),
          sealed_through: r.sealed_through,
          event_ids: r.event_ids,
          event_count: r.event_count,
          created_at: r.created_at.toISOString(),
          signed_at: r.signed_at.toISOString(),
          key_id: r.key_id,
          signature: r.signature.toString("base64"),
        },
      });
    }
    const erasures = await client.query(
      `select r.event_id::text as event_id, r.erasure_id::text as erasure_id, r.original_payload_hash, r.erased_payload_hash, s.key_id, s.signature
       from warden_private.erasure_records r
       join warden_private.erasure_record_signatures s on s.event_id = r.event_id and s.erased_payload_hash = r.erased_payload_hash and s.key_id = $2
       where r.tenant_key = $1 order by r.event_id, r.erasure_id`,
      [tenantId, key.keyId],
    );
    for (const r of erasures.rows) {
      await emit({
        erasure_record: {
          event_id: r.event_id,
          tenant_key: tenantId,
          erasure_id: r.erasure_id,
          original_payload_hash: r.original_payload_hash.toString("hex"),
          erased_payload_hash: r.erased_payload_hash.toString("hex"),
          key_id: r.key_id,
          signature: r.signature.toString("base64"),
        },
      });
    }
    ranges.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    let blocks = 0;
    for (const [lo, hi] of ranges) {
      const bs = await client.query(
        `select first_seq::text as first_seq, last_seq::text as last_seq, prev_hash, head_hash, leaf_prefixes, occurred_micros, event_ids::text[] as event_ids
         from warden_private.seal_blocks b where b.tenant_key = $1 and b.first_seq between $2 and $3 order by b.first_seq`,
        [tenantId, lo.toString(), hi.toString()],
      );
      for (const b of bs.rows) {
        // Each position's hashed parts, read from the raw event (never the redacted view): one
        // hash join against the tenant's events in the block's time span (a block is sorted by
        // occurred_at), so partitions outside it are pruned.
        const first = b.occurred_micros ? microsAt(b.occurred_micros, 1) : null;
        const last = b.occurred_micros ? microsAt(b.occurred_micros, b.event_ids.length) : null;
        const { rows } = await client.query(
          `select u.ord::int as ord, u.id::text as id, e.env, e.ph
           from unnest($2::uuid[]) with ordinality u(id, ord)
           left join (
             select e.event_id, ${HASHED_COLUMNS} from warden.audit_events e
             where e.tenant_id = $1::uuid
               and ($3::bigint is null or e.occurred_at >= to_timestamp(0) + $3::bigint * interval '1 microsecond')
               and ($4::bigint is null or e.occurred_at <= to_timestamp(0) + $4::bigint * interval '1 microsecond')
             offset 0
           ) e on e.event_id = u.id
           order by u.ord`,
          [tenantId, b.event_ids, first?.toString() ?? null, last?.toString() ?? null],
        );
        const positions: Position[] = rows.map((r) => {
          const us = b.occurred_micros && b.occurred_micros.length >= r.ord * MICROS_BYTES ? microsAt(b.occurred_micros, r.ord)!.toString() : null;
          return [r.id, us, r.env ?? null, r.ph ?? null];
        });
        await emit({
          block: {
            tenant_key: tenantId,
            first_seq: b.first_seq,
            last_seq: b.last_seq,
            prev_hash: b.prev_hash.toString("hex"),
            head_hash: b.head_hash.toString("hex"),
            leaf_prefixes: b.leaf_prefixes.toString("hex"),
            positions,
          },
        });
        blocks++;
      }
    }
    await client.query("commit");
    return blocks;
  } catch (err) {
    await client.query("rollback").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
