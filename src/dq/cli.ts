/**
 * `warden dq run [--table T] [--tenant ID] [--json]`: runs the enabled
 * data-quality rules now (each check with its rule's statement timeout) and
 * exits 1 when a rule of severity error failed or could not be evaluated,
 * so a pipeline can gate on it as on `dbt test`.
 */
import { CheckFailed } from "../cli/commands/audit";
import { UsageError } from "../cli/args";
import { JSON_OPTION, type CommandSpec } from "../cli/registry";
import { withOwnerClient } from "../cli/database";
import { emit } from "../cli/output";
import { runRules, type DqResult, type DqRunReport } from "./runner";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function humanLine(r: DqResult): string {
  const status = r.status.toUpperCase().padEnd(5);
  return `${status} ${r.severity.padEnd(5)} ${r.target_name} ${r.rule_name}${r.message ? `: ${r.message}` : ""}`;
}

export function humanReport(report: DqRunReport): string {
  const { run } = report;
  return [
    ...report.results.map(humanLine),
    `run ${run.id}: ${run.rules_total} rule(s), ${run.rules_passed} passed, ${run.rules_failed} failed, ${run.rules_errored} errored; ` +
      (run.gate_passed === false ? "FAILED (a rule of severity error did not pass)" : "ok"),
  ].join("\n");
}

export const dqRunCommand: CommandSpec = {
  name: "dq run",
  summary: "run the enabled data-quality rules now; exit 1 when a rule of severity error fails",
  options: {
    table: { type: "string", value: "T", help: "only the rules of this table (schema.table)" },
    tenant: { type: "string", value: "ID", help: "only this tenant's rules" },
    json: JSON_OPTION,
  },
  examples: ["npx warden dq run --table public.orders --json"],
  run: async (args) => {
    const tenant = args.flags.tenant;
    if (tenant !== undefined && !UUID.test(tenant)) throw new UsageError(`--tenant must be a uuid, got ${JSON.stringify(tenant)}`);
    const report = await withOwnerClient(async (c) => {
      try {
        return await runRules(c, { table: args.flags.table, tenantId: tenant?.toLowerCase() }, "cli");
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === "42P01" || code === "42602" || code === "3F000") throw new UsageError(`--table: ${(err as Error).message}`);
        throw err;
      }
    });
    emit(args.booleans.has("json"), { run: report.run, results: report.results }, humanReport(report));
    if (report.run.gate_passed === false) throw new CheckFailed("a data-quality rule of severity error did not pass");
  },
};
