/**
 * Scheduled incremental verification (the worker's verify_audit_trail task,
 * every 10 minutes by default): each tenant's chain is verified from where
 * the last run left it (warden_private.verify_positions: a signed checkpoint
 * and its head), so a run costs what was sealed since, not the history.
 *
 * Per tenant, a run checks: the checkpoint it starts from is still there,
 * signed, with the same head; every block sealed since continues the chain,
 * its events are present, unmodified and in order, and its checkpoints are
 * signed and agree; no event of a transaction sealed since appeared outside
 * the chain; the head is not behind its newest anchor outside the database,
 * and a tenant verified before did not disappear.
 *
 * What it does not re-check (the full `warden verify` does): events sealed
 * before the last run, i.e. an edit of the already verified past.
 *
 * A finding writes a critical governance.verify_failed event in the
 * tenant's trail, counts a failure and leaves the position where it was
 * (the next run checks the same range again); a clean run moves the
 * position and the last success time. A chain whose only differences are
 * unsigned erasure or prune records (pending_signature) neither fails nor
 * succeeds until they are signed.
 */
import type pg from "pg";
import { compareAnchors, verifyTenant, type TruncatedChain, type VerifyProblem } from "./verifier";
import type { AnchorRecord } from "./anchors";
import { GENESIS, ZERO_TENANT } from "./chain";
import type { SealingKey } from "./sealingKey";

export interface TenantVerifyOutcome {
  tenant_id: string | null;
  outcome: "ok" | "failed" | "pending_signature";
  from_seq: number;
  to_seq: number;
  events_verified: number;
  first_bad: VerifyProblem | null;
  truncated: TruncatedChain | null;
}

export interface ScheduledVerifyResult {
  tenants: TenantVerifyOutcome[];
  events_verified: number;
  failures: number;
}

export interface ScheduledVerifyOptions {
  anchors?: Map<string, AnchorRecord>;
  /** Only these chains (tenant keys); all when undefined. */
  tenantKeys?: string[];
  /** The client is already in a transaction: run inside it, leave commit to the caller. */
  inTransaction?: boolean;
}

function tenantOut(key: string): string | null {
  return key === ZERO_TENANT ? null : key;
}

export async function verifyIncrementally(client: pg.ClientBase, key: SealingKey, opts: ScheduledVerifyOptions = {}): Promise<ScheduledVerifyResult> {
  const own = !opts.inTransaction;
  if (own) await client.query("begin isolation level repeatable read");
  try {
    await client.query("set local work_mem = '512MB'");
    await client.query("set local jit = off");
    await client.query("set local enable_nestloop = off");
    const watermark = BigInt((await client.query("select watermark::text as w from warden_private.seal_state")).rows[0].w);
    const { rows: tenants } = await client.query(
      `select k.tenant_key::text as tenant_key, p.verified_seq::text as verified_seq, p.verified_head, p.verified_watermark::text as verified_watermark,
              h.last_seq::text as head_seq
       from (select tenant_key from warden_private.seal_heads union select tenant_key from warden_private.verify_positions
             union select unnest($1::uuid[])) k
       left join warden_private.verify_positions p on p.tenant_key = k.tenant_key
       left join warden_private.seal_heads h on h.tenant_key = k.tenant_key
       order by 1`,
      [[...(opts.anchors?.keys() ?? [])]],
    );
    const only = opts.tenantKeys ? new Set(opts.tenantKeys) : null;
    if (only) tenants.splice(0, tenants.length, ...tenants.filter((t) => only.has(t.tenant_key)));
    // Heads behind their anchors (or gone), and heads behind what this task verified before.
    const anchored = await compareAnchors(client, [...(opts.anchors?.values() ?? [])].filter((a) => !only || only.has(a.tenant_key)));
    const truncatedBy = new Map(anchored.truncated.map((t) => [t.tenant_id ?? ZERO_TENANT, t]));
    const rewrittenBy = new Map(anchored.rewritten.map((p) => [p.tenant_id ?? ZERO_TENANT, p]));
    const result: ScheduledVerifyResult = { tenants: [], events_verified: 0, failures: 0 };
    for (const t of tenants) {
      const tenantKey = t.tenant_key as string;
      const fromSeq = BigInt(t.verified_seq ?? "0");
      const headSeq = BigInt(t.head_seq ?? "0");
      let truncated = truncatedBy.get(tenantKey) ?? null;
      if (!truncated && headSeq < fromSeq) {
        truncated = {
          tenant_id: tenantOut(tenantKey),
          anchored_seq: Number(fromSeq),
          database_seq: Number(headSeq),
          missing_from: Number(headSeq) + 1,
          missing_to: Number(fromSeq),
          anchored_at: "",
          checkpoint_id: `${tenantKey}:${fromSeq} (verified earlier by this task)`,
        };
      }
      let problem: VerifyProblem | null = rewrittenBy.get(tenantKey) ?? null;
      let lastSeq = fromSeq;
      let events = 0;
      let pendingOnly = false;
      if (!truncated && headSeq > 0n) {
        const from = fromSeq > 0n ? { seq: fromSeq, head: t.verified_head as Buffer, watermark: BigInt(t.verified_watermark) } : null;
        const r = await verifyTenant(client, key, tenantKey, from);
        problem ??= r.problem;
        pendingOnly = r.problem !== null && r.pendingOnly && !rewrittenBy.has(tenantKey);
        lastSeq = r.lastSeq;
        events = r.events;
      }
      result.events_verified += events;
      const outcome: TenantVerifyOutcome = {
        tenant_id: tenantOut(tenantKey),
        outcome: truncated || (problem && !pendingOnly) ? "failed" : pendingOnly ? "pending_signature" : "ok",
        from_seq: Number(fromSeq),
        to_seq: Number(lastSeq),
        events_verified: events,
        first_bad: problem,
        truncated,
      };
      result.tenants.push(outcome);
      if (outcome.outcome === "ok") {
        const head = lastSeq === 0n
          ? GENESIS
          : ((await client.query("select head_hash from warden_private.seal_checkpoints where tenant_key = $1 and last_seq = $2", [tenantKey, lastSeq.toString()])).rows[0]?.head_hash ?? GENESIS);
        await client.query(
          `insert into warden_private.verify_positions (tenant_key, verified_seq, verified_head, verified_watermark, last_success_at)
           values ($1, $2, $3, $4, now())
           on conflict (tenant_key) do update set verified_seq = excluded.verified_seq, verified_head = excluded.verified_head,
             verified_watermark = excluded.verified_watermark, last_success_at = excluded.last_success_at`,
          [tenantKey, lastSeq.toString(), head, watermark.toString()],
        );
      } else if (outcome.outcome === "failed") {
        result.failures++;
        const details = {
          status: truncated ? "truncated" : "tampered",
          first_bad: problem,
          truncated,
          from_seq: Number(fromSeq),
          why: "scheduled verification of the audit trail found a problem: run `warden verify` for the full report",
        };
        await client.query(
          `insert into warden_private.verify_positions (tenant_key, last_failure_at, last_failure, failures)
           values ($1, now(), $2, 1)
           on conflict (tenant_key) do update set last_failure_at = now(), last_failure = excluded.last_failure,
             failures = verify_positions.failures + 1`,
          [tenantKey, details],
        );
        await client.query(
          `select warden_private.record_governance_event('governance.verify_failed', $1::uuid, 'audit_trail', $2, null, null, $3::jsonb,
             'critical', 'failure')`,
          [tenantOut(tenantKey), tenantKey, details],
        );
      }
    }
    if (own) await client.query("commit");
    return result;
  } catch (err) {
    if (own) await client.query("rollback").catch(() => undefined);
    throw err;
  }
}

/** For /metrics: per tenant the last success, and the failures in total (from the database, so every process agrees). */
export async function verifyMetricsSnapshot(client: pg.ClientBase | pg.Pool): Promise<{ lastSuccess: { tenant: string; at: number }[]; failures: number }> {
  const { rows } = await client.query(
    `select tenant_key::text as tenant, extract(epoch from last_success_at)::float8 as at, failures::float8 as failures
     from warden_private.verify_positions order by 1`,
  );
  return {
    lastSuccess: rows.filter((r) => r.at !== null).map((r) => ({ tenant: r.tenant, at: r.at })),
    failures: rows.reduce((n, r) => n + r.failures, 0),
  };
}
