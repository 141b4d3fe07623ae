/**
 * The audit viewer end to end in headless Chromium (Debian's, through
 * playwright-core): log in with a token and filter by type, page, read an
 * event with its redacted fields marked, a correlation timeline, a row's
 * history with its diff, the verify status, an export with the current
 * filters, and an embedded viewer token that can not read outside its
 * scope. Every screen is checked with a decoded screenshot.
 */
import fs from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { closePools } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";
import { EMAIL, mintViewerToken, viewerFixture, type ViewerFixture } from "../support/viewerFixture";
import { checkScreen, launchChromium, screenshotStats } from "../support/browser";

let server: TestServer;
let t: ViewerFixture;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium(); // first: without chromium, say how to install it before anything else
  server = await startTestServer();
  t = await viewerFixture(server, "Viewer browser tenant", "vb_app");
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await closePools();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
});

afterEach(async () => {
  await context.close();
});

async function login(token: string): Promise<void> {
  await page.goto(`${server.url}/viewer`);
  await checkScreen(page.locator("#login-screen"), "01-login");
  await page.fill("#token-input", token);
  await page.click("#login");
  await page.locator("#who").waitFor();
  await page.locator("#events-table tbody tr").first().waitFor();
}

async function rowTypes(): Promise<string[]> {
  return page.locator("#events-table tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-event-type") ?? ""));
}

async function applyFilters(): Promise<void> {
  const done = page.waitForResponse((r) => r.url().includes("/api/v1/audit/events?"));
  await page.click("#apply-filters");
  await done;
  await page.waitForSelector("#events-table:not(.loading)");
}

test("the screenshot check itself refuses a blank picture", async () => {
  await page.setContent("<body style='margin:0;background:#fff'><div id='x' style='width:300px;height:100px'></div></body>");
  const stats = screenshotStats(await page.locator("#x").screenshot());
  expect(stats.colours).toBe(1);
  expect(stats.dominant).toBe(1);
});

test("log in with a token and filter by event type", async () => {
  await login(t.tokens.auditor);
  expect(await page.locator("#who").textContent()).toContain("auditor");
  expect(new Set(await rowTypes()).size).toBeGreaterThan(1);
  await page.fill("#f-event_type", "auth.login");
  await applyFilters();
  const types = await rowTypes();
  expect(types.length).toBe(20);
  expect(new Set(types)).toEqual(new Set(["auth.login"]));
  await checkScreen(page.locator("#events-table"), "02-events-filtered");
  // a prefix works too, and a bad type is the API's 400, shown
  await page.fill("#f-event_type", "shop.*");
  await applyFilters();
  expect(new Set(await rowTypes())).toEqual(new Set(["shop.order.placed", "shop.order.shipped"]));
  await page.fill("#f-event_type", "Not A Type");
  await applyFilters();
  expect(await page.locator("#events-error").textContent()).toContain("invalid_query");
});

test("page through results with the keyset cursor, forwards and back", async () => {
  await login(t.tokens.auditor);
  await page.fill("#f-event_type", "shop.*");
  await page.selectOption("#f-limit", "10");
  await applyFilters();
  const ids = async () => page.locator("#events-table tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-event-id")));
  const pages: (string | null)[][] = [await ids()];
  await checkScreen(page.locator(".results"), "03-page-1");
  while (await page.locator("#next-page").isEnabled()) {
    const done = page.waitForResponse((r) => r.url().includes("cursor="));
    await page.click("#next-page");
    await done;
    await page.waitForSelector("#events-table:not(.loading)");
    pages.push(await ids());
  }
  expect(pages.length).toBe(4); // 40 shop events, 10 a page
  expect(pages.every((p) => p.length === 10)).toBe(true);
  expect(new Set(pages.flat()).size).toBe(40);
  expect(await page.locator("#page-number").textContent()).toBe("page 4");
  await checkScreen(page.locator(".results"), "04-page-4");
  await page.click("#prev-page");
  await page.waitForFunction(() => (globalThis as any).document.querySelector("#page-number")?.textContent === "page 3");
  await page.waitForSelector("#events-table:not(.loading)");
  // The page number changes before the rows arrive: wait (bounded) for page 3's
  // first row, then compare the whole page (a wrong page fails either way).
  await page
    .waitForFunction(
      (first) => (globalThis as any).document.querySelector("#events-table tbody tr")?.getAttribute("data-event-id") === first,
      pages[2][0],
      { timeout: 10_000 },
    )
    .catch(() => undefined);
  expect(await ids()).toEqual(pages[2]);
});

test("an event's details mark its redacted fields as redacted", async () => {
  await login(t.tokens.auditor);
  await page.fill("#f-event_type", "shop.order.placed");
  await applyFilters();
  await page.locator("#events-table tbody tr").first().click();
  const details = page.locator("#event-details");
  await details.waitFor();
  const email = details.locator('#event-data li[data-path="event_data.customer.email"]');
  await expect(email.locator(".redacted[data-redacted=mask]").count()).resolves.toBe(1);
  expect(await email.textContent()).toContain("c***@example.com");
  // a removed field is gone from the data, and still shown as removed
  const ssn = details.locator('#event-data li.removed[data-path="event_data.customer.ssn"]');
  await expect(ssn.locator(".redacted[data-redacted=remove]").count()).resolves.toBe(1);
  expect(await page.content()).not.toContain(EMAIL);
  expect(await page.content()).not.toContain("078-05-1120");
  expect(await page.locator("#events-table tbody tr .redacted-flag").count()).toBeGreaterThan(0);
  await checkScreen(details, "05-event-redacted");
});

test("the correlation timeline shows one request's events in order", async () => {
  await login(t.tokens.auditor);
  await page.locator("#events-table tbody tr button.link").first().click();
  await page.locator("#timeline li").first().waitFor();
  const times = await page.locator("#timeline li time").allTextContents();
  expect(times.length).toBe(12);
  expect([...times].sort()).toEqual(times);
  await checkScreen(page.locator("#timeline"), "06-timeline");
});

test("open a row history and see the diff", async () => {
  await login(t.tokens.auditor);
  await page.click("#tab-history");
  await page.fill("#rh-table", t.table);
  await page.fill("#rh-pk", JSON.stringify({ id: t.customerId }));
  await page.click("#rh-load");
  const versions = page.locator("#row-history li.version");
  await versions.nth(1).waitFor();
  expect(await versions.evaluateAll((vs) => vs.map((v) => v.getAttribute("data-action")))).toEqual(["insert", "update"]);
  const tier = versions.nth(1).locator("table.diff tr[data-column=tier]");
  expect(await tier.getAttribute("class")).toContain("changed");
  expect(await tier.locator("td.before").textContent()).toBe('"silver"');
  expect(await tier.locator("td.after").textContent()).toBe('"gold"');
  // the insert's email is masked and marked
  const email = versions.nth(0).locator("table.diff tr[data-column=email]");
  expect(await email.locator("td.after .redacted").count()).toBe(1);
  expect(await page.content()).not.toContain(EMAIL);
  await checkScreen(page.locator("#row-history"), "07-row-history");
  // from an event of that row straight to its history
  await page.click("#tab-events");
  await page.fill("#f-event_type", "db.vb_app.customers.update");
  await applyFilters();
  await page.locator("#events-table tbody tr").first().click();
  await page.click("#open-row-history");
  await page.locator("#row-history li.version").nth(1).waitFor();
});

test("the verify status shows the chain state", async () => {
  await login(t.tokens.auditor);
  await page.click("#tab-verify");
  const state = page.locator("#chain-state");
  await state.waitFor();
  expect(["ok", "broken", "unknown"]).toContain(await state.getAttribute("data-status"));
  expect(await page.locator("#verify-fields dt").count()).toBeGreaterThan(0);
  await checkScreen(page.locator("#verify-status"), "08-verify");
});

test("export downloads JSONL and CSV with the current filters", async () => {
  await login(t.tokens.auditor);
  await page.fill("#f-actor_id", "alice");
  await page.fill("#f-data", "customer.tier=gold");
  await applyFilters();
  const [jsonl] = await Promise.all([page.waitForEvent("download"), page.click("#export-jsonl")]);
  const lines = fs.readFileSync((await jsonl.path())!, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  expect(lines.pop().manifest.count).toBe(30);
  expect(lines.every((e) => e.actor_id === "alice" && e.event_data.customer.tier === "gold")).toBe(true);
  const [csv] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
  expect(csv.suggestedFilename()).toBe("audit-export.csv");
  expect(fs.readFileSync((await csv.path())!, "utf8").trim().split("\r\n")).toHaveLength(31);
  await checkScreen(page.locator("#filters"), "09-export");
});

test("an embedded viewer token can not read outside its scope", async () => {
  const minted = await mintViewerToken(server, t.tokens.owner, { scope: { actor_id: "alice" }, ttl: "5m" });
  expect(minted.status).toBe(201);
  await page.goto(`${server.url}${minted.body.viewer_url}`);
  await page.locator("#viewer-scope").waitFor();
  // the token left the address bar at once
  expect(new URL(page.url()).hash).toBe("");
  expect(await page.locator("#viewer-scope").textContent()).toContain("actor_id=alice");
  await page.locator("#events-table tbody tr").first().waitFor();
  const actors = await page.locator("#events-table tbody tr td:nth-child(3)").allTextContents();
  expect(actors.length).toBe(30);
  expect(actors.every((a) => a.trim() === "user alice")).toBe(true);
  await checkScreen(page.locator(".shell"), "10-embedded-scoped");
  // asking the viewer for another actor shows nothing of theirs
  await page.fill("#f-actor_id", "bob");
  await applyFilters();
  await page.locator("#events-empty").waitFor();
  expect(await page.locator("#events-table tbody tr").count()).toBe(0);
  // nor does a crafted request from the page with the same token
  const crafted = await page.evaluate(async () => {
    const token = (globalThis as any).sessionStorage.getItem("warden.viewer.token");
    const h = { authorization: `Bearer ${token}` };
    const list: any = await (await fetch("/api/v1/audit/events?actor_id=bob&limit=1000", { headers: h })).json();
    const gql = await fetch("/graphql", { method: "POST", headers: { ...h, "content-type": "application/json" }, body: JSON.stringify({ query: "{ auditEvents { nodes { actorId } } }" }) });
    const post = await fetch("/api/v1/audit/events", { method: "POST", headers: { ...h, "content-type": "application/json" }, body: JSON.stringify({ event_type: "x.y", outcome: "success" }) });
    return { bob: list.data.length, graphql: gql.status, post: post.status };
  });
  expect(crafted).toEqual({ bob: 0, graphql: 403, post: 403 });
  // the tenant's chain state is outside a scoped token
  await page.click("#tab-verify");
  const err = page.locator("#verify-error");
  await err.waitFor();
  expect(await err.textContent()).toContain("outside_viewer_scope");
  await checkScreen(page.locator("#verify-status"), "11-embedded-verify-refused");
  // the row history of a row alice never touched is empty
  await page.click("#tab-history");
  await page.fill("#rh-table", t.table);
  await page.fill("#rh-pk", JSON.stringify({ id: t.customerId }));
  await page.click("#rh-load");
  await page.locator("#history-empty").waitFor();
  expect(await page.content()).not.toContain(EMAIL);
});

test("a bad token is refused at the door", async () => {
  await page.goto(`${server.url}/viewer/`);
  await page.fill("#token-input", "wdv_not.a.token");
  await page.click("#login");
  const err = page.locator("#login-error");
  await err.waitFor();
  expect(await err.textContent()).toContain("401");
  await checkScreen(page.locator("#login-screen"), "12-login-refused");
});
