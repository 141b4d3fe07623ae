/**
 * The `warden` commands as declarations: a name, a one-line summary, its
 * options (parsed by node:util parseArgs, see args.ts), at least one example
 * and the function that runs it. main.ts lists them; help for `warden
 * --help` and `warden <command> --help` is rendered from the same entries.
 *
 * Adding a command:
 *
 *     export const fooBar: CommandSpec = {
 *       name: "foo bar",
 *       summary: "does the thing",
 *       options: { tenant: { type: "string", value: "ID", help: "the tenant", required: true }, json: JSON_OPTION },
 *       examples: ["warden foo bar --tenant \"$TENANT\" --json"],
 *       run: async (args) => { ... args.flags.tenant ... args.booleans.has("json") ... },
 *     };
 *
 * and one line in main.ts's COMMANDS list.
 */
import { UsageError, parseCommandArgs, type OptionSpecs, type ParsedArgs } from "./args";

export interface CommandArgs extends ParsedArgs {
  /** Arguments after `--`, for commands with `passthrough`. */
  rest: string[];
  /** --json was given (always false for commands without a json option). */
  json: boolean;
}

export interface CommandSpec {
  /** One or two words: "start", "tenant create". */
  name: string;
  /** One line for `warden --help`. */
  summary: string;
  /** Positional arguments as shown in usage, e.g. "NAME". */
  args?: string;
  /** How many positionals it takes: a number or [min, max]; default 0. */
  positionals?: number | [number, number];
  /** Paragraphs for `warden <command> --help`. */
  description?: string;
  options: OptionSpecs;
  /**
   * Arguments after `--` are passed on (e.g. to psql), shown in usage as this.
   * With `passUnknown`, so is every argument that is not one of the declared
   * boolean options (so `warden psql -v x=1 -c "..."` reads as psql).
   */
  passthrough?: string;
  passUnknown?: boolean;
  /** At least one runnable example. */
  examples: string[];
  run(args: CommandArgs): Promise<void>;
}

/** Ends the command with this exit code, printing nothing more (the command said what happened). */
export class CommandExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

export const JSON_OPTION = { type: "boolean", help: "print one JSON document on stdout (and no progress)" } as const;

/** The words of the name, for usage lines. */
function optionUsage(name: string, spec: OptionSpecs[string]): string {
  const flag = spec.short ? `-${spec.short}, --${name}` : `--${name}`;
  return spec.type === "string" ? `${flag} ${spec.value ?? "VALUE"}` : flag;
}

export function usageLine(cmd: CommandSpec): string {
  const parts = [`warden ${cmd.name}`];
  if (cmd.args) parts.push(cmd.args);
  const entries = Object.entries(cmd.options);
  const optional = entries.filter(([, s]) => !s.required);
  for (const [name, spec] of entries) {
    const u = optionUsage(name, spec).replace(/^-\w, /, "");
    if (spec.required) parts.push(u);
    else if (optional.length <= 4) parts.push(`[${u}]`);
  }
  if (optional.length > 4) parts.push("[options]");
  if (cmd.passthrough) parts.push(cmd.passUnknown ? `[${cmd.passthrough}]` : `[-- ${cmd.passthrough}]`);
  return parts.join(" ");
}

function wrap(text: string, indent: string, width = 78): string {
  const out: string[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    let line = "";
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && indent.length + line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) out.push(indent + line);
    out.push("");
  }
  return out.join("\n").trimEnd();
}

export function commandHelp(cmd: CommandSpec): string {
  const lines = [`usage: ${usageLine(cmd)}`, "", wrap(cmd.summary.charAt(0).toUpperCase() + cmd.summary.slice(1) + ".", "")];
  if (cmd.description) lines.push("", wrap(cmd.description, ""));
  const opts = Object.entries(cmd.options);
  opts.push(["help", { type: "boolean", help: "show this help", short: "h" }]);
  lines.push("", "options:");
  const labels = opts.map(([name, spec]) => optionUsage(name, spec));
  const widthCol = Math.min(28, Math.max(...labels.map((l) => l.length)) + 2);
  opts.forEach(([, spec], i) => {
    const label = labels[i];
    const help = spec.help + (spec.required ? " (required)" : "") + (spec.default !== undefined ? ` (default ${spec.default})` : "");
    if (label.length + 2 > widthCol) lines.push(`  ${label}`, `  ${" ".repeat(widthCol)}${help}`);
    else lines.push(`  ${label.padEnd(widthCol)}${help}`);
  });
  lines.push("", cmd.examples.length > 1 ? "examples:" : "example:", ...cmd.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

export function mainHelp(commands: CommandSpec[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    `warden ${version}: Postgres-native audit and data governance`,
    "",
    "usage: warden <command> [options]",
    "       warden <command> --help     options and an example for one command",
    "       warden --version",
    "",
    "commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    "Uses DATABASE_URL, or else the embedded PostgreSQL under .warden/ (WARDEN_STATE_DIR);",
    "only `start` and `migrate` create a new embedded cluster. `warden db-url` shows which.",
    "Bad arguments exit 2, a failed command exits 1.",
    "",
    "example:",
    '  TENANT=$(npx warden tenant create "Acme")',
  ].join("\n");
}

/** Finds the command named by the first one or two words of argv. */
export function findCommand(commands: CommandSpec[], argv: string[]): { cmd: CommandSpec; rest: string[] } | null {
  const two = commands.find((c) => c.name === `${argv[0]} ${argv[1]}`);
  if (two) return { cmd: two, rest: argv.slice(2) };
  const one = commands.find((c) => c.name === argv[0]);
  return one ? { cmd: one, rest: argv.slice(1) } : null;
}

/** Commands whose name starts with the word given (`warden tenant` lists `tenant create`). */
export function commandsUnder(commands: CommandSpec[], word: string): CommandSpec[] {
  return commands.filter((c) => c.name.startsWith(`${word} `));
}

/** Parses argv for cmd and checks the declared constraints; --help is handled by the caller. */
export function parseFor(cmd: CommandSpec, argv: string[]): CommandArgs {
  if (cmd.passUnknown) {
    const own = new Set(Object.entries(cmd.options).filter(([, s]) => s.type === "boolean").map(([n]) => `--${n}`));
    const dd = argv.indexOf("--");
    const head = dd === -1 ? argv : argv.slice(0, dd);
    const tail = dd === -1 ? [] : argv.slice(dd + 1);
    const booleans = new Set(head.filter((a) => own.has(a)).map((a) => a.slice(2)));
    const rest = [...head.filter((a) => !own.has(a)), ...tail];
    return { positionals: [], flags: {}, booleans, lists: {}, rest, json: booleans.has("json") };
  }
  const parsed = parseCommandArgs(argv, cmd.options, { allowPassthrough: Boolean(cmd.passthrough) });
  const [min, max] = Array.isArray(cmd.positionals) ? cmd.positionals : [cmd.positionals ?? 0, cmd.positionals ?? 0];
  if (parsed.positionals.length > max) {
    throw new UsageError(max === 0 ? `unexpected argument ${JSON.stringify(parsed.positionals[max])}` : `usage: ${usageLine(cmd)}`);
  }
  if (parsed.positionals.length < min) throw new UsageError(`usage: ${usageLine(cmd)}`);
  for (const [name, spec] of Object.entries(cmd.options)) {
    if (spec.required && !(name in parsed.flags)) throw new UsageError(`--${name} is required`);
  }
  return { ...parsed, json: parsed.booleans.has("json") };
}

/** True when argv asks for help (-h or --help before any `--`). */
export function wantsHelp(argv: string[]): boolean {
  for (const a of argv) {
    if (a === "--") return false;
    if (a === "--help" || a === "-h") return true;
  }
  return false;
}

/**
 * Wraps a command written against the former `(argv) => Promise<void>`
 * interface (parsing its own arguments with args.ts's parseArgs): it gets
 * help and a listing, and receives its arguments unchanged. Prefer a full
 * CommandSpec, whose options help shows.
 */
export function fromArgv(name: string, summary: string, examples: string[], fn: (argv: string[]) => Promise<void>, usage = "[options]"): CommandSpec {
  return { name, summary, args: usage, options: {}, passthrough: "", passUnknown: true, examples, run: (args) => fn(args.rest) };
}
