/** A small, strict argument parser: positionals, --flag value, --flag=value, boolean flags. */

export class UsageError extends Error {}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string>;
  booleans: Set<string>;
}

export function parseArgs(argv: string[], spec: { values: string[]; booleans: string[] }): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: {}, booleans: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (spec.booleans.includes(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      out.booleans.add(name);
    } else if (spec.values.includes(name)) {
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "" || (eq === -1 && value.startsWith("--"))) {
        throw new UsageError(`--${name} needs a value`);
      }
      if (name in out.flags) throw new UsageError(`--${name} given twice`);
      out.flags[name] = value;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return out;
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
