/**
 * warden project activity --tenant T --project P [--limit N] [--json]:
 * a project's activity feed from the shell, as the operator (read as the
 * tenant's system actor with the owner role, so warden.project_activity's
 * rules and the tenant's redaction apply as for an owner).
 */
import { UsageError, parseArgs, requireUuid } from "../args";
import { withOwnerClient } from "../database";
import { emit } from "../output";
import { ACTIVITY_COLUMNS } from "../../http/routes/projectActivity";

export async function projectActivity(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ["tenant", "project", "limit"], booleans: ["json"] });
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const tenant = requireUuid(args, "tenant");
  const projectId = requireUuid(args, "project");
  const limit = Number(args.flags.limit ?? "50");
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError("--limit must be 1 to 500");
  const entries = await withOwnerClient(async (c) => {
    await c.query("begin read only");
    try {
      await c.query("select warden.set_context($1, 'system', 'system', null, '{\"tenant_role\": \"owner\"}')", [tenant]);
      const { rows } = await c.query(`select ${ACTIVITY_COLUMNS} from warden.project_activity($1, null, null, $2)`, [projectId, limit]);
      return rows;
    } finally {
      await c.query("rollback").catch(() => undefined);
    }
  });
  emit(args.booleans.has("json"), { tenant_id: tenant, project_id: projectId, entries }, entries.map((e) => `${e.occurred_at}  ${e.summary}`).join("\n") || "(no activity)");
}
