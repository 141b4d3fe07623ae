#!/usr/bin/env node
/**
 * The `warden` command. Bad arguments: one line on stderr, exit 2.
 * Other failures: one line on stderr, exit 1.
 */
import "./env";
import { UsageError } from "./args";
import { apikeyCreate, apikeyRevoke, tenantCreate, tokenCreate, userCreate, userRole } from "./commands/admin";
import { migrateCommand, start, worker } from "./commands/run";
import { CheckFailed, coverage, retention, seal, verify } from "./commands/audit";
import { subjectErase, subjectExport } from "./commands/subjects";
import { signRecords } from "./commands/signRecords";
import { dqRunCommand } from "../dq/cli";
import { usage, usageQuota } from "./commands/usage";
import { projectActivity } from "./commands/project";

type Command = (argv: string[]) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  start,
  worker,
  migrate: migrateCommand,
  "tenant create": tenantCreate,
  "user create": userCreate,
  "user role": userRole,
  "token create": tokenCreate,
  "apikey create": apikeyCreate,
  "apikey revoke": apikeyRevoke,
  seal,
  verify,
  coverage,
  retention,
  "sign-records": signRecords,
  "subject export": subjectExport,
  "subject erase": subjectErase,
  "dq run": dqRunCommand,
  usage,
  "usage quota": usageQuota,
  "project activity": projectActivity,
};

const USAGE = `usage: warden <command> [options]
  start [--json] [--no-worker]     run the API and the worker
  worker [--json]                  run only the worker
  migrate [--json]                 create roles and database, apply migrations
  tenant create NAME [--json]
  user create --tenant ID --email EMAIL [--role ROLE] [--json]
                                   add a member (an existing membership is never changed)
  user role --tenant ID --user ID --role ROLE [--json]
                                   change a member's role (audited; a tenant keeps an owner)
  token create --tenant ID --user ID [--ttl 1h] [--json]
  apikey create --tenant ID --name NAME [--role ROLE] [--rate-limit N] [--json]
  apikey revoke --id ID [--json]   revoke an API key (audited; it stays revoked)
  seal [--json]                    one sealing pass (the worker runs them continuously)
  verify [--tenant ID] [--json]    verify the sealed trail; exit 1 when tampered
  coverage --schema S[,S2] [--min 0.9] [--json]
                                   audited tables; exit 1 below the minimum ratio
  retention [--dry-run] [--archive-dir DIR] [--json]
                                   purge audit events past their retention policy
  sign-records [--dry-run] [--json]
                                   sign prune/erasure records written without the key (retention
                                   or erasure run from plain SQL); --dry-run lists them
  subject export --tenant ID --subject S [--json]
                                   GDPR export: everything Warden holds about S, as JSON
  subject erase --tenant ID --subject S --reason R [--json]
                                   GDPR erasure: pseudonymise S in the tenant's trail; prints the receipt
  dq run [--table T] [--tenant ID] [--json]
                                   run the enabled data-quality rules now; exit 1 when a rule of
                                   severity error fails
  usage --tenant ID [--from DAY] [--to DAY] [--rollup] [--json]
                                   the tenant's daily usage (--rollup: roll up first)
  usage quota --tenant ID (--monthly-events N [--soft-percent 80] | --none) [--json]
                                   set or remove the tenant's monthly event quota
  project activity --tenant ID --project ID [--limit 50] [--json]
                                   a project's activity feed, newest first
Uses DATABASE_URL, or the embedded PostgreSQL under .warden/ when unset.`;

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "help") {
    process.stdout.write(USAGE + "\n");
    return argv.length === 0 ? 2 : 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ""}`;
  const [command, rest] = COMMANDS[two] ? [COMMANDS[two], argv.slice(2)] : [COMMANDS[argv[0]], argv.slice(1)];
  if (!command) {
    process.stderr.write(`warden: unknown command ${JSON.stringify(argv.slice(0, 2).join(" "))}; run warden --help\n`);
    return 2;
  }
  try {
    await command(rest);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`warden: ${oneLine(err.message)}\n`);
      return 2;
    }
    if (err instanceof CheckFailed) return 1; // the report is already printed
    process.stderr.write(`warden: ${oneLine((err as Error)?.message ?? String(err))}\n`);
    return 1;
  }
}

/** Entry point for bin/warden.js and `node dist/src/cli/main.js`. */
export function runCli(argv: string[] = process.argv.slice(2)): void {
  main(argv).then((code) => {
    // Long-running commands keep the process alive; one-shot ones exit here.
    if (code !== 0 || !["start", "worker"].includes(argv[0] ?? "")) process.exit(code);
  });
}

if (require.main === module) runCli();
