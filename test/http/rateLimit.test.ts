/**
 * The per-credential rate limit (issue 13, section 5, defect 2): a batch
 * above the key's rate per second was refused forever with "Retry-After: 1".
 * Now every batch within the documented limit (1,000 events) goes through
 * at the key's rate, and Retry-After is truthful: a client that waits as
 * long as it says is admitted on that retry. Against a simulated clock
 * (every case, exactly) and a real server (with a client that obeys it).
 */
import { RateLimiter } from "../../src/http/rateLimit";
import { closePools } from "../support/db";
import { startTestServer, tenantFixture, type TestServer } from "../support/server";

/** A client that obeys Retry-After on a simulated clock: returns the seconds it waited in all, and its retries. */
function obey(limiter: RateLimiter, clock: { t: number }, actor: string, rate: number, costs: number[]): { waited: number; retries: number; firstRetryFailed: boolean } {
  let waited = 0;
  let retries = 0;
  let firstRetryFailed = false;
  for (const cost of costs) {
    let d = limiter.take(actor, rate, cost);
    let attempt = 0;
    while (!d.allowed) {
      clock.t += d.retryAfter * 1000;
      waited += d.retryAfter;
      retries++;
      attempt++;
      d = limiter.take(actor, rate, cost);
      if (!d.allowed && attempt === 1) firstRetryFailed = true;
      if (attempt > 10) throw new Error(`cost ${cost} at ${rate}/s never admitted`);
    }
  }
  return { waited, retries, firstRetryFailed };
}

test("a batch above the per-second rate is admitted, and the key's rate holds over time", () => {
  const clock = { t: 1_000_000 };
  const limiter = new RateLimiter(() => clock.t);
  // 1,000-event batches against the default 500 events/s
  const first = limiter.take("k", 500, 1000);
  expect(first).toMatchObject({ allowed: true, remaining: 0 });
  const second = limiter.take("k", 500, 1000);
  // 500 tokens in debt, 500 needed (a full bucket): 2 seconds
  expect(second).toMatchObject({ allowed: false, retryAfter: 2 });
  clock.t += 1999;
  expect(limiter.take("k", 500, 1000).allowed).toBe(false);
  clock.t += 1;
  expect(limiter.take("k", 500, 1000).allowed).toBe(true);
  // 20 batches of 1,000 by an obedient client: 20,000 events take 38 s at least (the first batch is the bucket's), and no more than 2 s per batch
  const c2 = { t: 0 };
  const l2 = new RateLimiter(() => c2.t);
  const run = obey(l2, c2, "k", 500, Array(20).fill(1000));
  expect(run.waited).toBe(38);
  expect(run.firstRetryFailed).toBe(false);
});

test("Retry-After is truthful: waiting exactly that long always admits the same request", () => {
  // deterministic pseudo-random costs and rates
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (const rate of [1, 5, 7, 100, 333, 500, 999, 1000, 5000]) {
    const clock = { t: 0 };
    const limiter = new RateLimiter(() => clock.t);
    const costs = Array.from({ length: 200 }, () => 1 + Math.floor(rnd() * 1000));
    const run = obey(limiter, clock, `k${rate}`, rate, costs);
    expect({ rate, firstRetryFailed: run.firstRetryFailed }).toEqual({ rate, firstRetryFailed: false });
    // never faster than the rate: all events minus one bucket's worth took at least their time
    const total = costs.reduce((a, b) => a + b, 0);
    expect(clock.t / 1000).toBeGreaterThanOrEqual((total - rate - Math.max(...costs)) / rate);
  }
});

describe("over HTTP", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
    await closePools();
  });

  test("1,000-event batches against a 400 events/s key: a client obeying Retry-After gets every one written, each on its first retry", async () => {
    const t = await tenantFixture(server, "Rate limit tenant");
    const { rows: keys } = await server.ownerPool.query("select key from warden_private.create_api_key($1, 'rate test', 'member', 400)", [t.tenantId]);
    const key: string = keys[0].key;
    const batch = JSON.stringify(Array.from({ length: 1000 }, (_, i) => ({ event_type: "rate.batch.sent", outcome: "success", data: { i } })));
    const log: { status: number; retryAfter: string | null }[] = [];
    for (let n = 0; n < 3; n++) {
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(`${server.url}/api/v1/audit/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: batch,
        });
        const body = (await res.json()) as any;
        log.push({ status: res.status, retryAfter: res.headers.get("retry-after") });
        if (res.status === 201) break;
        expect(res.status).toBe(429);
        expect(body).toMatchObject({ code: "rate_limited", retry_after: Number(res.headers.get("retry-after")) });
        expect(attempt).toBe(0); // the wait it asked for was enough
        await new Promise((r) => setTimeout(r, Number(res.headers.get("retry-after")) * 1000));
      }
    }
    // batch 1 at once (a full bucket: 400 in debt by 600); batch 2, sent at
    // once, needs a full bucket again: 1,000 tokens at 400/s, so 2.5 s after
    // batch 1 was admitted, less the time its write took: 1 to 3 s
    expect(log.filter((l) => l.status === 201)).toHaveLength(3);
    expect(log[0].status).toBe(201);
    expect(log[1]).toEqual({ status: 429, retryAfter: expect.stringMatching(/^[123]$/) });
    const { rows } = await server.ownerPool.query("select count(*)::int as n from warden.audit_events where tenant_id = $1 and event_type = 'rate.batch.sent'", [t.tenantId]);
    expect(rows[0].n).toBe(3000);
  });
});
