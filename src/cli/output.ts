/**
 * CLI output: JSON with --json; otherwise the one value a script wants
 * (an id, a token, a key) or a short human message.
 */
export function emit(json: boolean, value: Record<string, unknown>, human: string): void {
  process.stdout.write(json ? JSON.stringify(value) + "\n" : human + "\n");
}
