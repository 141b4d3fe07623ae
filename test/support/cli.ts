/**
 * Runs the compiled `warden` command in a child process, as a user would,
 * against the test database; never throws on a non-zero exit.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { ownerUrl } from "./db";

const run = promisify(execFile);
export const WARDEN_BIN = path.join(__dirname, "../../bin/warden.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `warden ...args` with DATABASE_URL on the test database plus `env`. */
export async function runWarden(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [WARDEN_BIN, ...args], {
      env: { ...process.env, DATABASE_URL: ownerUrl(), ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A `warden start --json` running in a child process, with its output collected. */
export interface WardenProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** The first line it printed (the JSON start-up info), or null if none came within `ms` or it exited first. */
  firstLine(ms: number): Promise<string | null>;
}

/**
 * Spawns `warden start --json` with exactly `env` (nothing of the test's own
 * environment is added). `detached` gives it its own process group, as a
 * terminal runs a foreground job.
 */
export function startWardenProcess(env: NodeJS.ProcessEnv, opts: { detached?: boolean } = {}): WardenProcess {
  const child = spawn(process.execPath, [WARDEN_BIN, "start", "--json"], { env, detached: opts.detached ?? false, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async firstLine(ms) {
      const deadline = Date.now() + ms;
      while (!out.includes("\n") && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      return out.includes("\n") ? out.split("\n")[0] : null;
    },
  };
}
