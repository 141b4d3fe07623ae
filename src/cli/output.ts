/**
 * CLI output: JSON with --json; otherwise the one value a script wants
 * (an id, a token, a key) or a short human message. Notes and progress go
 * to stderr, only when it is a terminal and --json is not given, so
 * `X=$(warden ...)` and pipelines see the value alone.
 */
export function emit(json: boolean, value: Record<string, unknown>, human: string): void {
  process.stdout.write(json ? JSON.stringify(value) + "\n" : human + "\n");
}

/** Set by main before a command runs. */
export const cliState = { json: false };

function chatty(): boolean {
  return Boolean(process.stderr.isTTY) && !cliState.json;
}

/** One line for the person at the terminal (which database, what happens next). */
export function note(line: string): void {
  if (chatty()) process.stderr.write(`warden: ${line}\n`);
}

export interface Progress {
  /** Replaces the progress line (at most ~10 times a second). */
  update(text: string): void;
  /** Clears the line; `final` is printed as a note when given. */
  done(final?: string): void;
}

/** A single self-overwriting progress line on stderr; silent unless stderr is a terminal and --json is off. */
export function progress(label: string): Progress {
  if (!chatty()) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  const started = Date.now();
  const write = (text: string) => {
    process.stderr.write(`\r\x1b[2K${label}: ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    shown = true;
  };
  return {
    update(text) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      write(text);
    },
    done(final) {
      if (shown) process.stderr.write("\r\x1b[2K");
      if (final) process.stderr.write(`${label}: ${final}\n`);
    },
  };
}
