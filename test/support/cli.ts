/**
 * Runs the compiled `warden` command in a child process, as a user would,
 * against the test database; never throws on a non-zero exit.
 */
import { execFile } from "node:child_process";
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
