/**
 * Requests Node's HTTP parser refuses (issue 13, section 5, defect 14) get
 * problem+json with a stable code and a trace id, not Node's bare 400 or
 * 431. Sent over a raw socket, since no HTTP client sends them.
 */
import net from "node:net";
import { closePools } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";

let server: TestServer;
let port: number;

beforeAll(async () => {
  server = await startTestServer();
  port = Number(new URL(server.url).port);
});

afterAll(async () => {
  await server.close();
  await closePools();
});

/** Writes raw bytes, reads until the server closes the connection. */
function raw(request: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 10 s; got ${Buffer.concat(chunks).toString()}`));
    }, 10_000);
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
    socket.write(request);
  });
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/** The responses in a raw byte stream (each with a Content-Length). */
function responses(text: string): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = text;
  while (rest.startsWith("HTTP/1.1 ")) {
    const end = rest.indexOf("\r\n\r\n");
    const head = rest.slice(0, end).split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) headers[line.slice(0, line.indexOf(":")).toLowerCase()] = line.slice(line.indexOf(":") + 1).trim();
    const length = Number(headers["content-length"]);
    const body = rest.slice(end + 4, end + 4 + length);
    out.push({ status: Number(head[0].split(" ")[1]), headers, body: JSON.parse(body) });
    rest = rest.slice(end + 4 + length);
  }
  if (rest.length) throw new Error(`unparsed bytes after the responses: ${JSON.stringify(rest.slice(0, 200))}`);
  return out;
}

const post = (headers: string, body = "") => `POST /api/v1/audit/events HTTP/1.1\r\nHost: warden\r\nContent-Type: application/json\r\n${headers}\r\n${body}`;

const cases: [string, string, number, string][] = [
  ["a 20 KiB Authorization header", post(`Authorization: Bearer ${"x".repeat(20 * 1024)}\r\nContent-Length: 2\r\n`, "{}"), 431, "headers_too_large"],
  ["Content-Length: -1", post("Content-Length: -1\r\n", "{}"), 400, "malformed_request"],
  ["Content-Length and Transfer-Encoding both", post("Content-Length: 2\r\nTransfer-Encoding: chunked\r\n", "2\r\n{}\r\n0\r\n\r\n"), 400, "malformed_request"],
  ["a bare LF inside the headers", post("Content-Length: 2\nX-Other: 1\r\n", "{}"), 400, "malformed_request"],
  ["a bare CR inside a header", post("X-Note: a\rb\r\nContent-Length: 2\r\n", "{}"), 400, "malformed_request"],
  ["NUL inside a header", post("X-Note: a\u0000b\r\nContent-Length: 2\r\n", "{}"), 400, "malformed_request"],
  ["not HTTP at all", "HELLO\r\n\r\n", 400, "malformed_request"],
];

test.each(cases)("%s: problem+json with its code and a trace id", async (_name, request, status, code) => {
  const [r, ...more] = responses(await raw(request));
  expect(more).toEqual([]);
  expect(r.status).toBe(status);
  expect(r.headers["content-type"]).toMatch(/^application\/problem\+json/);
  expect(r.body).toMatchObject({ status, code, trace_id: r.headers["x-trace-id"] });
  expect(r.body.trace_id).toMatch(/^[0-9a-f]{32}$/);
  expect(r.body.type).toBe(`https://warden.dev/problems/${code.replace(/_/g, "-")}`);
});

test("a Content-Length shorter than the body: the request it delimits is answered, then the rest gets problem+json", async () => {
  const rs = responses(await raw(post("Content-Length: 2\r\n", '{}{"event_type":"x"}')));
  expect(rs.map((r) => [r.status, r.body.code])).toEqual([
    [401, "missing_credentials"],
    [400, "malformed_request"],
  ]);
  expect(rs[1].headers["content-type"]).toMatch(/^application\/problem\+json/);
});
