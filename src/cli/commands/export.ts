/**
 * warden export: streams the query API's export (GET /api/v1/audit/export,
 * the same endpoint the viewer uses: the credential's tenant, its role and
 * redaction rules apply) to a file, with the query filters as options.
 * It writes FILE.partial and renames it once complete; a JSONL export is
 * checked against its closing manifest line (count and sha256 of every line
 * before it), so a cut-off stream never passes for a whole export.
 */
import fs from "node:fs";
import { createHash } from "node:crypto";
import { UsageError } from "../args";
import { emit, note, progress } from "../output";
import { JSON_OPTION, type CommandSpec } from "../registry";

/** CLI option -> query parameter of GET /api/v1/audit/export. */
const FILTERS: Record<string, { param: string; value: string; help: string }> = {
  "event-type": { param: "event_type", value: "TYPE", help: "exact, or a prefix such as gateway.*" },
  "actor-id": { param: "actor_id", value: "ID", help: "the actor" },
  "actor-type": { param: "actor_type", value: "TYPE", help: "user, api_key, service, system or db_role" },
  "resource-type": { param: "resource_type", value: "TYPE", help: "the resource type" },
  "resource-id": { param: "resource_id", value: "ID", help: "the resource id" },
  outcome: { param: "outcome", value: "O", help: "success, failure or unknown" },
  severity: { param: "severity", value: "S", help: "minimum severity (debug .. critical)" },
  service: { param: "service", value: "NAME", help: "the emitting service" },
  "correlation-id": { param: "correlation_id", value: "ID", help: "one request's events" },
  "trace-id": { param: "trace_id", value: "ID", help: "the trace id" },
  since: { param: "since", value: "WHEN", help: "24h, 7d or RFC 3339" },
  until: { param: "until", value: "WHEN", help: "RFC 3339 or a duration ago" },
};

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

interface Problem {
  status?: number;
  code?: string;
  detail?: string;
  title?: string;
  errors?: Array<{ pointer: string; reason: string }>;
}

export const exportCommand: CommandSpec = {
  name: "export",
  summary: "stream the tenant's audit trail (the query API's export, with its filters) to a file",
  description:
    "Reads GET /api/v1/audit/export of a running Warden with a token or API key of an owner, admin or auditor, " +
    "oldest event first, in constant memory. The file appears complete or not at all (FILE.partial until the end); a JSONL " +
    "export's manifest line is checked. Filters are the query API's; --data PATH=VALUE (repeatable) matches event data.",
  options: {
    output: { type: "string", short: "o", value: "FILE", help: "where to write (- for stdout)", required: true },
    format: { type: "string", value: "FMT", help: "jsonl or csv", default: "jsonl" },
    token: { type: "string", value: "TOKEN", help: "user token or API key (default $WARDEN_TOKEN)" },
    url: { type: "string", value: "URL", help: "Warden's base URL (default $WARDEN_URL, else http://127.0.0.1:$PORT)" },
    ...Object.fromEntries(Object.entries(FILTERS).map(([k, f]) => [k, { type: "string" as const, value: f.value, help: f.help }])),
    data: { type: "string", value: "PATH=VALUE", help: "event data containment, e.g. customer.tier=gold (repeatable)", multiple: true },
    "include-redacted": { type: "boolean", help: "raw values of redacted fields (owners and admins)" },
    force: { type: "boolean", help: "overwrite FILE when it exists" },
    json: JSON_OPTION,
  },
  examples: [
    'npx warden export --token "$TOKEN" --since 7d --event-type "orders.*" -o orders.jsonl',
    'npx warden export --token "$TOKEN" --format csv --actor-id alice -o alice.csv',
  ],
  run: async (args) => {
    const format = args.flags.format ?? "jsonl";
    if (format !== "jsonl" && format !== "csv") throw new UsageError("--format must be jsonl or csv");
    const token = args.flags.token ?? process.env.WARDEN_TOKEN;
    if (!token) throw new UsageError("--token (or WARDEN_TOKEN) is required: a user token or API key of an owner, admin or auditor");
    const base = args.flags.url ?? process.env.WARDEN_URL ?? `http://127.0.0.1:${process.env.PORT || 3000}`;
    let url: URL;
    try {
      url = new URL("/api/v1/audit/export", base);
    } catch {
      throw new UsageError(`--url is not a URL: ${JSON.stringify(base)}`);
    }
    url.searchParams.set("format", format);
    for (const [option, f] of Object.entries(FILTERS)) {
      if (args.flags[option] !== undefined) url.searchParams.set(f.param, args.flags[option]);
    }
    for (const d of args.lists.data ?? []) {
      const eq = d.indexOf("=");
      if (eq < 1) throw new UsageError(`--data must look like PATH=VALUE, got ${JSON.stringify(d)}`);
      url.searchParams.append(`data.${d.slice(0, eq)}`, d.slice(eq + 1));
    }
    if (args.booleans.has("include-redacted")) url.searchParams.set("include_redacted", "true");
    const output = args.flags.output!;
    const toStdout = output === "-";
    if (!toStdout && fs.existsSync(output) && !args.booleans.has("force")) throw new UsageError(`${output} exists; pass --force to overwrite it`);

    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: format === "csv" ? "text/csv" : "application/x-ndjson" } });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`cannot reach Warden at ${base} (${cause?.code ?? cause?.message ?? (err as Error).message}): is \`npm start\` running? (--url or WARDEN_URL)`);
    }
    if (!res.ok || !res.body) {
      let p: Problem = {};
      try {
        p = (await res.json()) as Problem;
      } catch {
        /* not problem+json */
      }
      const detail = [p.detail ?? p.title ?? res.statusText, ...(p.errors ?? []).map((e) => `${e.pointer}: ${e.reason}`)].join("; ");
      const message = `export refused: ${res.status}${p.code ? ` ${p.code}` : ""}: ${detail}`;
      if (res.status === 400) throw new UsageError(message);
      throw new Error(message);
    }

    const partial = `${output}.partial`;
    const out = toStdout ? process.stdout : fs.createWriteStream(partial, { mode: 0o600 });
    const fileHash = createHash("sha256");
    const lineHash = createHash("sha256");
    let bytes = 0;
    let lines = 0;
    let pending = ""; // the JSONL line in progress (the last complete one may be the manifest)
    let lastLine: string | null = null;
    const bar = progress("export");
    const write = (chunk: Buffer) =>
      new Promise<void>((resolve, reject) => {
        const ok = out.write(chunk, (err) => (err ? reject(err) : undefined));
        if (ok) resolve();
        else out.once("drain", resolve);
      });
    try {
      for await (const value of res.body as unknown as AsyncIterable<Uint8Array>) {
        const chunk = Buffer.from(value);
        bytes += chunk.length;
        fileHash.update(chunk);
        if (format === "jsonl") {
          const text = pending + chunk.toString("latin1"); // byte-preserving: hashes see the exact bytes
          const parts = text.split("\n");
          pending = parts.pop()!;
          for (const part of parts) {
            if (lastLine !== null) {
              lineHash.update(Buffer.from(lastLine + "\n", "latin1"));
              lines++;
            }
            lastLine = part;
          }
        } else {
          lines += chunk.reduce((n, b) => n + (b === 10 ? 1 : 0), 0);
        }
        await write(chunk);
        bar.update(`${format === "jsonl" ? lines : Math.max(0, lines - 1)} events, ${mib(bytes)}`);
      }
      let events: number;
      if (format === "jsonl") {
        let manifest: { count?: number; sha256?: string } | undefined;
        try {
          manifest = pending === "" && lastLine !== null ? (JSON.parse(Buffer.from(lastLine, "latin1").toString("utf8")) as { manifest?: typeof manifest }).manifest : undefined;
        } catch {
          manifest = undefined;
        }
        if (!manifest) throw new Error(`the export ended without its manifest line after ${lines} event(s): the stream was cut off`);
        const sha = lineHash.digest("hex");
        if (manifest.count !== lines || manifest.sha256 !== sha) {
          throw new Error(`the export does not match its manifest (${lines} line(s), sha256 ${sha}; manifest says ${manifest.count}, ${manifest.sha256})`);
        }
        events = lines;
      } else {
        events = Math.max(0, lines - 1); // the header line
      }
      if (!toStdout) {
        await new Promise<void>((resolve, reject) => (out as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
        fs.renameSync(partial, output);
      }
      bar.done();
      const summary = { file: toStdout ? null : output, format, events, bytes, sha256: fileHash.digest("hex") };
      const human = `exported ${events} event(s) to ${output} (${mib(bytes)}, sha256 ${summary.sha256})`;
      if (toStdout) note(human);
      else emit(args.json, summary, human);
    } catch (err) {
      bar.done();
      if (!toStdout) {
        (out as fs.WriteStream).destroy();
        fs.rmSync(partial, { force: true });
      }
      throw err;
    }
  },
};
