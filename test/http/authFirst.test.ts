/**
 * The credential is checked before a request body is read or parsed
 * (issue 13, section 5, defect 15), on the ingest fast path, on the Express
 * routes (ingest's fallback and every other API route) and on GraphQL: an
 * anonymous client gets 401 for a malformed or oversized body, and gets it
 * while its body has not even arrived.
 */
import net from "node:net";
import { gzipSync } from "node:zlib";
import { closePools } from "../support/db";
import { startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;
let port: number;

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "Auth first tenant");
  port = Number(new URL(server.url).port);
});

afterAll(async () => {
  await server.close();
  await closePools();
});

const routes = [
  ["the ingest fast path", "POST", "/api/v1/audit/events", {}],
  ["the ingest route through Express (gzip)", "POST", "/api/v1/audit/events", { "content-encoding": "gzip" }],
  ["another API route", "POST", "/api/v1/api-keys", {}],
  ["GraphQL", "POST", "/graphql", {}],
] as const;

const credentials: [string, Record<string, string>][] = [
  ["no credentials", {}],
  ["an unknown API key", { authorization: `Bearer wdn_${"0".repeat(12)}_${"0".repeat(64)}` }],
  ["a malformed Authorization header", { authorization: "Basic abc" }],
];

describe.each(routes)("%s", (_name, method, path, extra) => {
  test.each(credentials)("%s: 401 for a malformed body and for one over 1 MiB", async (_c, auth) => {
    const gz = (s: string) => ("content-encoding" in extra ? gzipSync(Buffer.from(s)) : s);
    for (const body of [gz('{"event_type": '), gz(`{"blob":"${"x".repeat(1_200_000)}"}`), gz('{"s":"\\ud800"}')]) {
      const res = await fetch(`${server.url}${path}`, { method, headers: { "content-type": "application/json", ...extra, ...auth }, body: body as any });
      const doc = (await res.json()) as any;
      expect({ status: res.status, type: res.headers.get("content-type") }).toEqual({ status: 401, type: expect.stringMatching(/problem\+json/) });
      expect(doc.code).toMatch(/^(missing_credentials|invalid_credentials|invalid_api_key)$/);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="warden"');
    }
  });

  test("401 arrives before the body does: nothing of it was waited for", async () => {
    const chunked = !("content-encoding" in extra) && path !== "/api/v1/audit/events";
    const head =
      `${method} ${path} HTTP/1.1\r\nHost: warden\r\nContent-Type: application/json\r\n` +
      ("content-encoding" in extra ? "Content-Encoding: gzip\r\n" : "") +
      (chunked ? "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":" : "Content-Length: 1000000\r\n\r\n{\"a\":");
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1", () => socket.write(head)); // the rest of the body never comes
      let text = "";
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer while the body was incomplete; got ${JSON.stringify(text)}`));
      }, 10_000);
      socket.on("data", (d) => {
        text += d.toString();
        if (text.includes("\r\n\r\n") && text.includes("}")) {
          clearTimeout(timer);
          socket.destroy();
          resolve(text);
        }
      });
      socket.on("error", () => undefined);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).toContain('"code":"missing_credentials"');
  });
});

test("with a valid credential the same bodies get their own answers (400 malformed, 413 too large)", async () => {
  const headers = { "content-type": "application/json", authorization: `Bearer ${t.apiKey.key}` };
  const malformed = await fetch(`${server.url}/api/v1/audit/events`, { method: "POST", headers, body: '{"event_type": ' });
  expect(malformed.status).toBe(400);
  const large = await fetch(`${server.url}/api/v1/audit/events`, { method: "POST", headers, body: `{"blob":"${"x".repeat(1_200_000)}"}` });
  expect(large.status).toBe(413);
});
