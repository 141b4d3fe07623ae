#!/usr/bin/env node
/**
 * The `warden` command. Commands are declarations (registry.ts) listed in
 * COMMANDS below; help comes from the same entries. Bad arguments: one line
 * on stderr, exit 2. Other failures: one line on stderr, exit 1.
 */
import "./env";
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../config";
import { UsageError } from "./args";
import { CommandExit, commandHelp, commandsUnder, findCommand, fromArgv, mainHelp, parseFor, wantsHelp, type CommandSpec } from "./registry";
import { cliState } from "./output";
import { apikeyCreate, apikeyRevoke, tenantCreate, tokenCreate, userCreate, userRole } from "./commands/admin";
import { migrateCommand, start, worker } from "./commands/run";
import { CheckFailed, coverage, retention, seal, verify } from "./commands/audit";
import { subjectErase, subjectExport } from "./commands/subjects";
import { signRecords } from "./commands/signRecords";
import { publicKey, verifyExport } from "./commands/verifyExport";
import { dbUrl, psql } from "./commands/psql";
import { exportCommand } from "./commands/export";
import { idpAdd, idpList, idpRemove, sessionList, sessionRevoke } from "./commands/sessions";
import { dqRunCommand } from "../dq/cli";
import { subscriptionCreate, subscriptionList, subscriptionTest } from "./commands/subscription";
import { usage, usageQuota } from "./commands/usage";
import { projectActivity } from "./commands/project";

/** Every command, in the order `warden --help` lists them. Add yours with one line. */
export const COMMANDS: CommandSpec[] = [
  start,
  worker,
  migrateCommand,
  tenantCreate,
  userCreate,
  userRole,
  tokenCreate,
  apikeyCreate,
  apikeyRevoke,
  fromArgv("session list", "list a tenant's sessions (newest first)", ['npx warden session list --tenant "$TENANT" --active'], sessionList, "--tenant ID [--user ID] [--active] [--json]"),
  fromArgv("session revoke", "revoke a session, or all of a user's (audited; refused at once on every API process)", ['npx warden session revoke --id "$SESSION_ID"', 'npx warden session revoke --tenant "$TENANT" --user "$USER_ID"'], sessionRevoke, "(--id ID | --tenant ID --user ID) [--json]"),
  fromArgv("idp add", "trust an OIDC issuer for the tenant (docs/sessions.md)", ['npx warden idp add --tenant "$TENANT" --name okta --issuer https://acme.okta.com --audience warden --claim email --auto-provision'], idpAdd, "--tenant ID --name N --issuer URL --audience AUD [--jwks-url URL] [--claim email|sub] [--auto-provision] [--default-role member|support|auditor] [--json]"),
  fromArgv("idp list", "list the tenant's trusted identity providers", ['npx warden idp list --tenant "$TENANT"'], idpList, "--tenant ID [--json]"),
  fromArgv("idp remove", "stop trusting an identity provider (audited)", ['npx warden idp remove --id "$IDP_ID"'], idpRemove, "--id ID [--json]"),
  seal,
  verify,
  coverage,
  retention,
  signRecords,
  fromArgv("verify-export", "verify an export made with ?format=jsonl&proofs=true offline, without the database; exit 1 when tampered or incomplete", ["npx warden public-key > warden.pub", "npx warden verify-export audit.jsonl --public-key warden.pub"], verifyExport, "FILE --public-key KEY [--json]"),
  fromArgv("public-key", "print the sealing public key (PEM) for verify-export", ["npx warden public-key > warden.pub"], publicKey, "[--json]"),
  exportCommand,
  subjectExport,
  subjectErase,
  dqRunCommand,
  dbUrl,
  psql,
  fromArgv("subscription create", "create a notification subscription (inbox, webhook or JetStream); a webhook's whsec_ secret is printed once", ['npx warden subscription create --tenant "$TENANT" --name siem --channel webhook --url https://siem.example/hook --event-type "governance.*"'], subscriptionCreate, "--tenant ID --name N --channel inbox|webhook|jetstream [--url URL] [--filter JSON] [--event-type T] [--severity S] [--inbox-role R] [--inbox-users ID,ID] [--subject-prefix P] [--throttle N --window SECONDS] [--digest] [--json]"),
  fromArgv("subscription list", "list a tenant's notification subscriptions", ['npx warden subscription list --tenant "$TENANT"'], subscriptionList, "--tenant ID [--json]"),
  fromArgv("subscription test", "send a test message through the subscription's channel now; exit 1 on failure", ['npx warden subscription test --id "$SUBSCRIPTION_ID"'], subscriptionTest, "--id ID [--json]"),
  fromArgv("usage", "the tenant's daily usage: events ingested by service, row events by table, API requests by key, storage, exports", ['npx warden usage --tenant "$TENANT" --json', 'npx warden usage --tenant "$TENANT" --from 2026-12-01 --rollup'], usage, "--tenant ID [--from DAY] [--to DAY] [--rollup] [--json]"),
  fromArgv("usage quota", "set or remove the tenant's monthly event quota (audited)", ['npx warden usage quota --tenant "$TENANT" --monthly-events 1000000 --soft-percent 80'], usageQuota, "--tenant ID (--monthly-events N [--soft-percent 80] | --none) [--json]"),
  fromArgv("project activity", "a project's activity feed, newest first", ['npx warden project activity --tenant "$TENANT" --project "$PROJECT_ID" --limit 20'], projectActivity, "--tenant ID --project ID [--limit 50] [--json]"),
];

/** Commands that keep running after run() returns (servers). */
const LONG_RUNNING = new Set(["start", "worker"]);

export function version(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}

export async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === undefined) {
    process.stderr.write(mainHelp(COMMANDS, version()) + "\n");
    return 2;
  }
  if (first === "--help" || first === "-h" || (first === "help" && argv.length === 1)) {
    process.stdout.write(mainHelp(COMMANDS, version()) + "\n");
    return 0;
  }
  if (first === "--version" || first === "-v" || first === "version") {
    process.stdout.write(`warden ${version()}\n`);
    return 0;
  }
  // `warden help tenant create` is `warden tenant create --help`
  const helpFor = first === "help" ? argv.slice(1) : null;
  const found = findCommand(COMMANDS, helpFor ?? argv);
  if (!found) {
    const group = commandsUnder(COMMANDS, first);
    if (group.length && (argv.length === 1 || wantsHelp(argv.slice(1)))) {
      // `warden tenant` or `warden tenant --help`: the commands of that group
      const text = group.map((c) => commandHelp(c)).join("\n\n") + "\n";
      if (argv.length === 1) {
        process.stderr.write(text);
        return 2;
      }
      process.stdout.write(text);
      return 0;
    }
    const what = (helpFor ?? argv).slice(0, group.length ? 2 : 1).join(" ");
    process.stderr.write(`warden: unknown command ${JSON.stringify(what)}; run warden --help\n`);
    return 2;
  }
  const { cmd, rest } = found;
  if (helpFor || wantsHelp(rest)) {
    process.stdout.write(commandHelp(cmd) + "\n");
    return 0;
  }
  try {
    const args = parseFor(cmd, rest);
    cliState.json = args.json;
    await cmd.run(args);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`warden: ${oneLine(err.message)}; see warden ${cmd.name} --help\n`);
      return 2;
    }
    if (err instanceof CheckFailed) return 1; // the report is already printed
    if (err instanceof CommandExit) return err.exitCode;
    process.stderr.write(`warden: ${oneLine((err as Error)?.message ?? String(err))}\n`);
    return 1;
  }
}

/** Entry point for bin/warden.js and `node dist/src/cli/main.js`. */
export function runCli(argv: string[] = process.argv.slice(2)): void {
  main(argv).then((code) => {
    // Long-running commands keep the process alive; one-shot ones exit here.
    const found = findCommand(COMMANDS, argv);
    const longRunning = found && LONG_RUNNING.has(found.cmd.name) && !wantsHelp(found.rest);
    if (code !== 0 || !longRunning) process.exit(code);
  });
}

if (require.main === module) runCli();
