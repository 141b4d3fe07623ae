/**
 * The Authenticator's cache under concurrency, against the real database:
 * a burst of requests with a key not yet cached sends one lookup, and a
 * lookup that began before flush() (a revocation) is not cached after it.
 */
import { randomBytes } from "node:crypto";
import { makePool } from "../../src/db/pools";
import { Authenticator } from "../../src/auth/authenticate";
import { TokenService } from "../../src/auth/tokens";
import { authUrl, closePools, createApiKey, createTenant, ownerPool } from "../support/db";

const pool = makePool(authUrl(), 5, "warden-test-auth-cache");
let key: string;

beforeAll(async () => {
  const c = await ownerPool().connect();
  try {
    key = (await createApiKey(c, await createTenant(c, "Auth cache tenant"))).key;
  } finally {
    c.release();
  }
});

afterAll(async () => {
  await pool.end();
  await closePools();
});

/** Counts the API key lookups the authenticator sends (the pool itself is real). */
function countLookups(): { count(): number; restore(): void } {
  const spy = jest.spyOn(pool, "query");
  return {
    count: () => spy.mock.calls.filter((args) => String(args[0]).includes("authenticate_api_key")).length,
    restore: () => spy.mockRestore(),
  };
}

test("a burst of requests with an uncached key sends one lookup, and all get the same answer", async () => {
  const auth = new Authenticator(pool, new TokenService(randomBytes(32).toString("base64url")));
  const lookups = countLookups();
  try {
    const results = await Promise.all(Array.from({ length: 40 }, () => auth.authenticate(`Bearer ${key}`)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => (r.ok ? r.context.actorId : "")))).toHaveProperty("size", 1);
    expect(lookups.count()).toBe(1);
    // cached afterwards
    await auth.authenticate(`Bearer ${key}`);
    expect(lookups.count()).toBe(1);
  } finally {
    lookups.restore();
  }
});

test("a lookup that began before flush() is answered but not cached", async () => {
  const auth = new Authenticator(pool, new TokenService(randomBytes(32).toString("base64url")));
  const lookups = countLookups();
  try {
    const early = auth.authenticate(`Bearer ${key}`);
    auth.flush(); // e.g. the key was just revoked
    expect((await early).ok).toBe(true);
    await auth.authenticate(`Bearer ${key}`);
    expect(lookups.count()).toBe(2);
  } finally {
    lookups.restore();
  }
});
