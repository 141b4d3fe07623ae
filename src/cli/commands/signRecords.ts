/**
 * warden sign-records [--dry-run] [--json]: an operator signs the prune and
 * erasure records that were written without the sealing key (a DBA calling
 * warden.apply_retention or warden.erase_subject from plain SQL). Until then
 * `warden verify` reports the events they cover as missing or modified.
 * Nothing else signs such records: this is the explicit act that vouches
 * for them, so --dry-run lists them first, and it writes a
 * governance.records.signed event per tenant in the signing transaction.
 */
import { loadConfig } from "../../config";
import { loadSealingKey } from "../../audit/sealingKey";
import { pendingPruneRecords, signPendingPruneRecords } from "../../audit/pruneRecords";
import { pendingErasureRecords, signPendingErasureRecords } from "../../audit/erasureRecords";
import { UsageError } from "../args";
import { JSON_OPTION, type CommandSpec } from "../registry";
import { withOwnerClient } from "../database";
import { emit } from "../output";

const LISTED = 1000;

export const signRecords: CommandSpec = {
  name: "sign-records",
  summary: "sign prune/erasure records written without the sealing key (SQL-side retention or erasure)",
  options: {
    "dry-run": { type: "boolean", help: "list the records waiting for a signature, sign nothing" },
    json: JSON_OPTION,
  },
  examples: ["npx warden sign-records --dry-run", "npx warden sign-records --json"],
  run: async (args) => {
    const dryRun = args.booleans.has("dry-run");
    const key = loadSealingKey(loadConfig());
    if (!dryRun && !key.privateKey) throw new UsageError("this sealing key can only verify: signing needs the private key");
    const out = await withOwnerClient(async (c) => {
      await c.query("begin");
      try {
        const prune = await pendingPruneRecords(c, "all_pending", LISTED);
        const erasure = await pendingErasureRecords(c, key, "all_pending", LISTED);
        const listed = {
          prune_records: prune.map((r) => ({ id: r.id, tenant_id: r.tenantKey, method: r.method, partition: r.partitionName, events: Number(r.eventCount), created_at: r.createdAt })),
          erasure_records: erasure.map((r) => ({ event_id: r.eventId, tenant_id: r.tenantKey, erasure_id: r.erasureId })),
        };
        const signed = dryRun
          ? { prune: 0, erasure: 0 }
          : { prune: await signPendingPruneRecords(c, key, "all_pending"), erasure: await signPendingErasureRecords(c, key, "all_pending") };
        // Vouching for records is a governance act: one event per tenant, in
        // this transaction (no event, no signatures).
        if (signed.prune + signed.erasure > 0) await c.query("select warden_private.record_signed_records($1)", [key.keyId]);
        await c.query("commit");
        return { dry_run: dryRun, key_id: key.keyId, ...listed, prune_records_signed: signed.prune, erasure_records_signed: signed.erasure };
      } catch (err) {
        await c.query("rollback").catch(() => undefined);
        throw err;
      }
    });
    const pending = out.prune_records.length + out.erasure_records.length;
    emit(
      args.booleans.has("json"),
      out,
      dryRun
        ? `${out.prune_records.length} prune record(s) and ${out.erasure_records.length} erasure record(s) wait for a signature` +
            (pending ? "\n" + [...out.prune_records.map((r) => `  prune ${r.id}: tenant ${r.tenant_id}, ${r.method} ${r.partition}, ${r.events} event(s), ${r.created_at.toISOString()}`), ...out.erasure_records.map((r) => `  erasure ${r.erasure_id}: event ${r.event_id} (tenant ${r.tenant_id})`)].join("\n") : "")
        : `signed ${out.prune_records_signed} prune record(s) and ${out.erasure_records_signed} erasure record(s) with key ${key.keyId}`,
    );
  },
};
