/**
 * EventHasher (used by the sealer and the verifier) against the chain's
 * definition in chainHash / leafPrefix: same bytes for every kind of
 * envelope, including multi-byte text, envelopes longer than its scratch
 * buffer, and a payload hash replaced after loading (erased events).
 */
import { randomBytes } from "node:crypto";
import { EventHasher, GENESIS, chainHash, leafPrefix } from "../../src/audit/chain";

function envelopes(): string[] {
  return [
    "warden.envelope.v1|-",
    "warden.envelope.v1|0195f1c2-0000-7000-8000-000000000001|36:00000000-0000-4000-8000-000000000001|1763900000000000|23:db.public.orders.update",
    "warden.envelope.v1|ümlaut|ßtraße|日本語|emoji 🔐|" + "x".repeat(300),
    "warden.envelope.v1|" + "long segment é ".repeat(600), // ~9 KB: larger than the initial scratch
    "",
  ];
}

test("EventHasher chains and prefixes exactly as chainHash and leafPrefix define them", () => {
  const hasher = new EventHasher();
  let expected: Buffer = GENESIS;
  let actual: Buffer = GENESIS;
  for (let round = 0; round < 3; round++) {
    for (const env of envelopes()) {
      const ph = randomBytes(32);
      hasher.load(env, ph.toString("hex"));
      expect(hasher.envelope.equals(Buffer.from(env, "utf8"))).toBe(true);
      expect(hasher.payloadHash.equals(ph)).toBe(true);
      expect(hasher.leafPrefix().equals(leafPrefix(Buffer.from(env, "utf8"), ph))).toBe(true);
      expected = chainHash(expected, Buffer.from(env, "utf8"), ph);
      actual = hasher.chain(actual);
      expect(actual.toString("hex")).toBe(expected.toString("hex"));
    }
  }
  // a different payload hash gives a different link: the hasher really hashes what it loaded
  hasher.load("warden.envelope.v1|x", "00".repeat(32));
  const a = hasher.chain(GENESIS);
  hasher.load("warden.envelope.v1|x", "01".repeat(32));
  expect(hasher.chain(GENESIS).equals(a)).toBe(false);
});

test("a payload hash replaced after loading is the one chained (an erased event's sealed hash)", () => {
  const hasher = new EventHasher();
  const env = "warden.envelope.v1|erased";
  const current = randomBytes(32);
  const sealed = randomBytes(32);
  hasher.load(env, current.toString("hex"));
  hasher.replacePayloadHash(sealed);
  expect(hasher.payloadHash.equals(sealed)).toBe(true);
  expect(hasher.chain(GENESIS).equals(chainHash(GENESIS, Buffer.from(env), sealed))).toBe(true);
  expect(hasher.leafPrefix().equals(leafPrefix(Buffer.from(env), sealed))).toBe(true);
  // replacing with the loaded hash itself changes nothing
  hasher.load(env, current.toString("hex"));
  hasher.replacePayloadHash(hasher.payloadHash);
  expect(hasher.chain(GENESIS).equals(chainHash(GENESIS, Buffer.from(env), current))).toBe(true);
});
