/**
 * COPY ... FROM STDIN with the pg driver alone: pg runs any object with a
 * submit(connection) method as a query and hands it the protocol messages,
 * so a COPY needs only the copy-in half of the protocol (CopyData chunks,
 * then CopyDone). Used for the bench's raw-write ceilings.
 */
import type pg from "pg";

/** The parts of pg's Connection a copy-in uses (not in @types/pg). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

class CopyIn {
  private rows = 0;
  private failure: Error | null = null;
  private settle!: { resolve: (rows: number) => void; reject: (err: Error) => void };
  readonly finished = new Promise<number>((resolve, reject) => (this.settle = { resolve, reject }));

  constructor(
    private readonly text: string,
    private readonly chunks: readonly Buffer[],
  ) {}

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    for (const chunk of this.chunks) connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }

  handleCommandComplete(msg: { text: string }): void {
    this.rows = Number(msg.text.split(" ").pop());
  }

  handleError(err: Error): void {
    // The server follows an error with ReadyForQuery, unless the connection
    // itself is gone: reject now so a broken connection cannot hang us.
    this.failure = err;
    this.settle.reject(err);
  }

  handleReadyForQuery(): void {
    if (!this.failure) this.settle.resolve(this.rows);
  }

  // Not sent during a COPY FROM STDIN; pg calls them on any active query.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/** Runs `copy <table> from stdin` (text format) with the given chunks; resolves with the rows copied. */
export function copyFrom(client: pg.Client, sql: string, chunks: readonly Buffer[]): Promise<number> {
  const copy = new CopyIn(sql, chunks);
  client.query(copy as unknown as pg.Submittable);
  return copy.finished;
}

/** One value in COPY text format: backslash, tab, newline and carriage return escaped; null as \N. */
export function copyText(value: string | null): string {
  if (value === null) return "\\N";
  return value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}
