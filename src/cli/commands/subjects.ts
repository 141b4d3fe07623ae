/**
 * warden subject export | erase: GDPR subject requests from the shell, as a
 * DBA (the owner connection, no request context). The rules are in SQL
 * (warden.export_subject, warden.erase_subject); erase then signs the
 * erasure's records with the seal key so `warden verify` passes at once.
 */
import { loadConfig } from "../../config";
import { loadSealingKey } from "../../audit/sealingKey";
import { signPendingErasureRecords } from "../../audit/erasureRecords";
import { UsageError, requireFlag, requireUuid } from "../args";
import { JSON_OPTION, type CommandSpec } from "../registry";
import { withOwnerClient } from "../database";
import { emit } from "../output";

function subjectArg(value: string): string {
  if (value.length > 1024 || value.includes("\u0000")) throw new UsageError("--subject must be 1 to 1024 characters without NUL");
  return value;
}

export const subjectExport: CommandSpec = {
  name: "subject export",
  summary: "GDPR export: everything Warden holds about a subject, as JSON",
  options: {
    tenant: { type: "string", value: "ID", help: "the tenant", required: true },
    subject: { type: "string", value: "S", help: "the subject id (actor, resource or data.subject_id)", required: true },
    json: JSON_OPTION,
  },
  examples: ["npx warden subject export --tenant \"$TENANT\" --subject cust-42 > cust-42.json"],
  run: async (args) => {
    const tenant = requireUuid(args, "tenant");
    const subject = subjectArg(requireFlag(args, "subject"));
    const doc = await withOwnerClient(async (c) => (await c.query("select warden.export_subject($1, $2) as doc", [tenant, subject])).rows[0].doc);
    // The export is a JSON document either way.
    process.stdout.write(JSON.stringify(doc, null, args.booleans.has("json") ? undefined : 2) + "\n");
  },
};

export const subjectErase: CommandSpec = {
  name: "subject erase",
  summary: "GDPR erasure: pseudonymise a subject in the tenant's trail; prints the receipt",
  options: {
    tenant: { type: "string", value: "ID", help: "the tenant", required: true },
    subject: { type: "string", value: "S", help: "the subject id", required: true },
    reason: { type: "string", value: "R", help: "why (kept in the receipt)", required: true },
    json: JSON_OPTION,
  },
  examples: ["npx warden subject erase --tenant \"$TENANT\" --subject cust-42 --reason \"GDPR request #1234\""],
  run: async (args) => {
    const tenant = requireUuid(args, "tenant");
    const subject = subjectArg(requireFlag(args, "subject"));
    const reason = requireFlag(args, "reason");
    const key = loadSealingKey(loadConfig());
    const receipt = await withOwnerClient(async (c) => {
      const r = (await c.query("select warden.erase_subject($1, $2, $3) as r", [tenant, subject, reason])).rows[0].r;
      await c.query("begin");
      try {
        const signed = await signPendingErasureRecords(c, key, { erasureId: r.erasure_id });
        await c.query("commit");
        return { ...r, records_signed: signed };
      } catch (err) {
        await c.query("rollback").catch(() => undefined);
        throw err;
      }
    });
    emit(
      args.booleans.has("json"),
      receipt,
      `erased: ${receipt.events_rewritten} event(s) rewritten as ${receipt.subject_pseudonym} in ${receipt.duration_ms} ms (erasure ${receipt.erasure_id})`,
    );
  },
};
