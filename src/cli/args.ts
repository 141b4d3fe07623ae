/**
 * Argument parsing for the `warden` command, on node:util parseArgs
 * (strict: unknown options, missing values and stray values are usage
 * errors). Commands declare their options in a CommandSpec (see
 * registry.ts); this module turns argv into ParsedArgs and parseArgs'
 * errors into one-line UsageErrors.
 */
import { parseArgs as nodeParseArgs } from "node:util";

export class UsageError extends Error {}

export interface ParsedArgs {
  positionals: string[];
  /** String options given (each at most once). */
  flags: Record<string, string>;
  /** Boolean options given. */
  booleans: Set<string>;
  /** Options declared `multiple`: every value, in order. */
  lists: Record<string, string[]>;
}

export interface OptionSpec {
  type: "string" | "boolean";
  /** One-line description for --help. */
  help: string;
  /** Placeholder shown in help (string options), e.g. ID, FILE. */
  value?: string;
  /** Single-letter alias, e.g. "c" for -c. */
  short?: string;
  /** A string option the command cannot run without (checked before it runs). */
  required?: boolean;
  /** The default, shown in help (the command applies it). */
  default?: string;
  /** A string option that may be repeated; values land in ParsedArgs.lists. */
  multiple?: boolean;
}

export type OptionSpecs = Record<string, OptionSpec>;

function optionName(message: string): string | undefined {
  return /'(-{1,2}[^' ,]+)/.exec(message)?.[1];
}

/**
 * Parses argv against specs. `allowPassthrough`: arguments after `--` are
 * returned in `rest` (e.g. for psql) instead of being positionals.
 */
export function parseCommandArgs(argv: string[], specs: OptionSpecs, opts: { allowPassthrough?: boolean } = {}): ParsedArgs & { rest: string[] } {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple: boolean }> = {};
  for (const [name, spec] of Object.entries(specs)) options[name] = { type: spec.type, multiple: true, ...(spec.short ? { short: spec.short } : {}) };
  let own = argv;
  let rest: string[] = [];
  if (opts.allowPassthrough) {
    const dd = argv.indexOf("--");
    if (dd !== -1) {
      own = argv.slice(0, dd);
      rest = argv.slice(dd + 1);
    }
  }
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args: own, options, strict: true, allowPositionals: true, tokens: true });
  } catch (err) {
    const e = err as Error & { code?: string };
    const name = optionName(e.message);
    switch (e.code) {
      case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
        throw new UsageError(`unknown option ${name ?? e.message}`);
      case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
        const long = name?.replace(/^-+/, "");
        const spec = long ? specs[long] ?? Object.entries(specs).find(([, s]) => s.short === long)?.[1] : undefined;
        const label = long && specs[long] ? `--${long}` : name;
        if (spec?.type === "boolean") throw new UsageError(`${label} takes no value`);
        throw new UsageError(`${label} needs a value`);
      }
      default:
        throw new UsageError(e.message.split("\n")[0]);
    }
  }
  const out: ParsedArgs & { rest: string[] } = { positionals: [...parsed.positionals], flags: {}, booleans: new Set(), lists: {}, rest };
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option") continue;
    const spec = specs[token.name];
    if (spec.type === "boolean") {
      out.booleans.add(token.name);
      continue;
    }
    const value = token.value ?? "";
    // `--tenant --email x`: parseArgs takes "--email" as the value only when
    // given inline; a value that looks like an option is a missing value.
    if (value === "" || (!token.inlineValue && value.startsWith("--"))) throw new UsageError(`--${token.name} needs a value`);
    if (spec.multiple) {
      (out.lists[token.name] ??= []).push(value);
      continue;
    }
    if (token.name in out.flags) throw new UsageError(`--${token.name} given twice`);
    out.flags[token.name] = value;
  }
  return out;
}

/**
 * The former hand parser's interface, kept for commands not yet declared
 * as a CommandSpec: `values` are string options, `booleans` boolean ones.
 */
export function parseArgs(argv: string[], spec: { values: string[]; booleans: string[] }): ParsedArgs {
  const specs: OptionSpecs = {};
  for (const v of spec.values) specs[v] = { type: "string", help: "" };
  for (const b of spec.booleans) specs[b] = { type: "boolean", help: "" };
  const { positionals, flags, booleans, lists } = parseCommandArgs(argv, specs);
  return { positionals, flags, booleans, lists };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function requireFlag(args: ParsedArgs, name: string): string {
  const v = args.flags[name];
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

export function requireUuid(args: ParsedArgs, name: string): string {
  const v = requireFlag(args, name);
  if (!UUID.test(v)) throw new UsageError(`--${name} must be a uuid, got ${JSON.stringify(v)}`);
  return v.toLowerCase();
}

/** An optional uuid option, lower-cased. */
export function optionalUuid(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  if (v === undefined) return undefined;
  if (!UUID.test(v)) throw new UsageError(`--${name} must be a uuid, got ${JSON.stringify(v)}`);
  return v.toLowerCase();
}
