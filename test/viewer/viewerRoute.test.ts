/**
 * GET /viewer: the built page with a strict Content-Security-Policy, a
 * redirect to /viewer/ (so relative assets resolve), and a clear 503 when
 * the assets were never built, instead of a bare 404.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import express from "express";
import { viewerAssetsDir, viewerRoutes } from "../../src/http/viewer";

async function serve(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use("/viewer", viewerRoutes(dir));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

test("the built viewer is served with a CSP that allows only its own origin", async () => {
  expect(fs.existsSync(path.join(viewerAssetsDir(), "index.html"))).toBe(true); // npm test builds it first
  const s = await serve(viewerAssetsDir());
  try {
    const redirect = await fetch(`${s.url}/viewer`, { redirect: "manual" });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe("/viewer/");
    const page = await fetch(`${s.url}/viewer/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1];
    expect((await fetch(`${s.url}/viewer/${script}`)).headers.get("content-type")).toMatch(/javascript/);
    const missing = await fetch(`${s.url}/viewer/nope.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("application/problem+json");
  } finally {
    await s.close();
  }
});

test("without built assets the viewer says how to build them", async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "warden-viewer-"));
  const s = await serve(empty);
  try {
    const r = await fetch(`${s.url}/viewer/`);
    expect(r.status).toBe(503);
    const body: any = await r.json();
    expect(body.code).toBe("viewer_not_built");
    expect(body.detail).toContain("npm run build");
  } finally {
    await s.close();
    fs.rmSync(empty, { recursive: true });
  }
});
