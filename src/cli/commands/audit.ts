/** warden seal | verify | coverage: the audit trail from the shell. */
import { loadConfig } from "../../config";
import { loadSealingKey } from "../../audit/sealingKey";
import { sealOnce } from "../../audit/sealer";
import { verifyTrail } from "../../audit/verifier";
import { anchorFromEnv, anchorsFromEnv, closeAnchorSinks } from "../../audit/anchors";
import { archiveDirFromEnv, retentionDaysFromEnv, runRetention } from "../../retention/run";
import { UsageError } from "../args";
import { JSON_OPTION, type CommandSpec } from "../registry";
import { withOwnerClient } from "../database";
import { emit, progress } from "../output";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Exit code for a check that ran and failed (bad arguments are 2). */
export class CheckFailed extends Error {}

export const seal: CommandSpec = {
  name: "seal",
  summary: "one sealing pass: hash-chain and sign new events, then anchor the checkpoints outside the database (the worker runs them continuously)",
  options: { json: JSON_OPTION },
  examples: ["npx warden seal --json"],
  run: async (args) => {
    const config = loadConfig();
    const key = loadSealingKey(config);
    const started = Date.now();
    // The new checkpoints are anchored outside the database right after the pass.
    const [result, anchored] = await withOwnerClient(async (c) => {
      const r = await sealOnce(c, key);
      return [r, await anchorFromEnv(c, config).finally(closeAnchorSinks)] as const;
    });
    const seconds = (Date.now() - started) / 1000;
    const failed = Object.entries(anchored.failed);
    emit(
      args.booleans.has("json"),
      { ...result, seconds, key_id: key.keyId, anchors: anchored },
      `sealed ${result.sealed} event(s) for ${result.tenants} tenant(s) in ${seconds.toFixed(2)} s` +
        (failed.length ? `; anchoring failed (${failed.map(([s, e]) => `${s}: ${e}`).join("; ")}), the next pass sends it again` : ""),
    );
  },
};

export const verify: CommandSpec = {
  name: "verify",
  summary: "verify the sealed trail (hash chain, checkpoints, anchors, capture gaps); exit 1 unless ok",
  options: {
    tenant: { type: "string", value: "ID", help: "only this tenant (default: every tenant)" },
    json: JSON_OPTION,
  },
  examples: ["npx warden verify --json", "npx warden verify --tenant \"$TENANT\""],
  run: async (args) => {
    const tenant = args.flags.tenant;
    if (tenant !== undefined && !UUID.test(tenant)) throw new UsageError(`--tenant must be a uuid, got ${JSON.stringify(tenant)}`);
    const config = loadConfig();
    const key = loadSealingKey(config);
    const started = Date.now();
    const bar = progress("verify");
    const [report, anchors] = await withOwnerClient(async (c) => {
      // The heads are compared with the newest checkpoints anchored outside the database.
      const view = await anchorsFromEnv(c, config, key).finally(closeAnchorSinks);
      const r = await verifyTrail(c, key, {
        ...(tenant === undefined ? {} : { tenantId: tenant.toLowerCase() }),
        anchors: view.latest,
        onProgress: (p) => bar.update(`tenant ${p.tenant} of ${p.tenants}, ${p.events} event(s) verified`),
      }).finally(() => bar.done());
      return [r, view] as const;
    });
    const seconds = (Date.now() - started) / 1000;
    emit(
      args.booleans.has("json"),
      { ...report, seconds, anchor_sources: anchors.sources, anchors_invalid: anchors.invalid, anchors_unreadable: anchors.unreadable },
      report.message +
        (report.statuses.length > 1 ? `\nalso: ${report.statuses.slice(1).join(", ")}` : "") +
        (Object.keys(anchors.unreadable).length ? `\nwarning: anchors unreadable: ${JSON.stringify(anchors.unreadable)}` : "") +
        (anchors.invalid ? `\nwarning: ${anchors.invalid} anchor record(s) with an invalid signature ignored` : ""),
    );
    if (!report.ok) throw new CheckFailed("verification failed");
  },
};

export const retention: CommandSpec = {
  name: "retention",
  summary: "purge audit events past their retention policy (the worker runs it daily)",
  options: {
    "dry-run": { type: "boolean", help: "report what would be purged, change nothing" },
    "archive-dir": { type: "string", value: "DIR", help: "archive each dropped partition to DIR (default ARCHIVE_DIR)" },
    json: JSON_OPTION,
  },
  examples: ["npx warden retention --dry-run --json", "npx warden retention --archive-dir /var/backups/warden"],
  run: async (args) => {
    let defaultDays: number;
    try {
      defaultDays = retentionDaysFromEnv();
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const dryRun = args.booleans.has("dry-run");
    const archiveDir = args.flags["archive-dir"] ?? archiveDirFromEnv();
    const key = loadSealingKey(loadConfig());
    const started = Date.now();
    const bar = progress(dryRun ? "retention (dry run)" : "retention");
    const report = await withOwnerClient((c) => runRetention(c, key, { dryRun, defaultDays, archiveDir, onProgress: (t) => bar.update(t) }).finally(() => bar.done()));
    const seconds = (Date.now() - started) / 1000;
    emit(
      args.booleans.has("json"),
      { ...report, seconds },
      `${dryRun ? "would purge" : "purged"} ${report.rows_deleted} event(s) (${report.partitions_dropped} whole partition(s)) in ${seconds.toFixed(2)} s` +
        (report.skipped.length ? `; ${report.skipped.length} step(s) left for the next run` : ""),
    );
  },
};

export const coverage: CommandSpec = {
  name: "coverage",
  summary: "which tables are audited; exit 1 below the minimum ratio",
  options: {
    schema: { type: "string", value: "S[,S2]", help: "schemas to inspect, comma-separated", required: true },
    min: { type: "string", value: "RATIO", help: "minimum audited ratio, 0 to 1", default: "0" },
    json: JSON_OPTION,
  },
  examples: ["npx warden coverage --schema public --min 0.9"],
  run: async (args) => {
    const schemas = (args.flags.schema ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    if (schemas.length === 0) throw new UsageError("--schema is required (comma-separate several)");
    let min = 0;
    if (args.flags.min !== undefined) {
      min = Number(args.flags.min);
      if (!Number.isFinite(min) || min < 0 || min > 1) throw new UsageError("--min must be a ratio between 0 and 1, e.g. 0.9");
    }
    const rows = await withOwnerClient(async (c) => (await c.query("select * from warden.audit_coverage($1)", [schemas])).rows);
    const ratio = rows.length ? Number(rows[0].coverage_ratio) : 0;
    const tables = rows.map((r) => ({
      schema: r.schema_name,
      table: r.table_name,
      audited: r.audited,
      capture: r.capture,
      excluded_columns: r.excluded_columns,
      redacted_columns: r.redacted_columns,
    }));
    const human = [
      ...tables.map((t) => `${t.audited ? "audited  " : "NOT AUDITED"} ${t.schema}.${t.table}${t.excluded_columns.length ? ` (excluded: ${t.excluded_columns.join(", ")})` : ""}`),
      `coverage ${(ratio * 100).toFixed(1)}% of ${tables.length} table(s)${args.flags.min !== undefined ? `, minimum ${(min * 100).toFixed(1)}%` : ""}`,
    ].join("\n");
    emit(args.booleans.has("json"), { schemas, coverage_ratio: ratio, min, ok: ratio >= min, tables }, human);
    if (ratio < min) throw new CheckFailed(`coverage ${ratio} is below ${min}`);
  },
};
