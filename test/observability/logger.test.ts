/**
 * LOG_LEVEL and the logger's own guards, in process: the level filters the
 * request lines (4xx are warn, 2xx info), an invalid LOG_LEVEL is refused
 * with a message, and credential keys are censored should an object
 * carrying one ever be logged.
 */
import { configureLogging, getLogger, logLevelFromEnv, type LogLevel } from "../../src/observability/logger";
import { closePools } from "../support/db";
import { startTestServer, tenantFixture, type TenantFixture, type TestServer } from "../support/server";

let server: TestServer;
let t: TenantFixture;
const lines: any[] = [];

function capture(level: LogLevel): void {
  lines.length = 0;
  configureLogging({ level, destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
}

beforeAll(async () => {
  server = await startTestServer();
  t = await tenantFixture(server, "Logger tenant");
});

afterAll(async () => {
  configureLogging();
  await server.close();
  await closePools();
});

test("LOG_LEVEL: the level named, silent under jest by default, anything else refused with a message", () => {
  expect(logLevelFromEnv({ LOG_LEVEL: "debug" })).toBe("debug");
  expect(logLevelFromEnv({ LOG_LEVEL: " WARN " })).toBe("warn");
  expect(logLevelFromEnv({})).toBe("info");
  expect(logLevelFromEnv({ JEST_WORKER_ID: "1" })).toBe("silent");
  expect(() => logLevelFromEnv({ LOG_LEVEL: "verbose" })).toThrow('LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got "verbose"');
});

test("the level filters request lines: at warn a 200 is not logged and a 401 is", async () => {
  capture("warn");
  // the request loggers are bound when the app is built: a new server picks up this logger
  const s = await startTestServer();
  try {
    const token = await s.signToken(t.tenantId, t.users.member);
    expect((await fetch(`${s.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${s.url}/api/v1/me`)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    // refused before routing: no route pattern, the path (never a query string)
    expect(lines.map((l) => [l.level, l.route, l.path, l.status])).toEqual([["warn", "unmatched", "/api/v1/me", 401]]);
  } finally {
    await s.close();
  }
  capture("info");
  const s2 = await startTestServer();
  try {
    const token = await s2.signToken(t.tenantId, t.users.member);
    expect((await fetch(`${s2.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}`, traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(lines).toEqual([
      expect.objectContaining({
        level: "info",
        component: "http",
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
        tenant: t.tenantId,
        actor: `user:${t.users.member}`,
        route: "/api/v1/me",
        path: "/api/v1/me",
        method: "GET",
        status: 200,
        duration_ms: expect.any(Number),
        msg: "request completed",
      }),
    ]);
  } finally {
    await s2.close();
  }
});

test("credential keys are censored wherever an object carrying one is logged", () => {
  capture("info");
  getLogger().info({ authorization: "Bearer abc", ctx: { token: "t0k", password: "pw", api_key: "k" }, req: { headers: { authorization: "Bearer x", cookie: "c" } } }, "careless");
  const line = JSON.stringify(lines[0]);
  for (const secret of ["Bearer abc", "t0k", "pw", '"k"', "Bearer x", '"c"']) expect(line).not.toContain(secret);
  expect(lines[0].ctx).toEqual({ token: "[redacted]", password: "[redacted]", api_key: "[redacted]" });
});
