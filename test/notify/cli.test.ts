/** warden subscription create | list | test, as a user runs them. */
import { Webhook } from "standardwebhooks";
import { runWarden } from "../support/cli";
import { createTenant, ownerPool, closePools } from "../support/db";
import { startReceiver, type Receiver } from "./support";

let rx: Receiver;
let tenant: string;

beforeAll(async () => {
  rx = await startReceiver();
  const c = await ownerPool().connect();
  try {
    tenant = await createTenant(c);
  } finally {
    c.release();
  }
});

afterAll(async () => {
  await rx.close();
  await closePools();
});

test("create a webhook subscription, list it, and send a signed test message", async () => {
  const env = { WARDEN_NOTIFY_ALLOW_PRIVATE: "true" };
  const created = await runWarden(env, "subscription", "create", "--tenant", tenant, "--name", "cli-hook", "--channel", "webhook", "--url", rx.url, "--event-type", "gateway.*", "--severity", "warning", "--json");
  expect(created.stderr).toBe("");
  expect(created.code).toBe(0);
  const sub = JSON.parse(created.stdout);
  expect(sub.secret).toMatch(/^whsec_/);
  const listed = await runWarden(env, "subscription", "list", "--tenant", tenant, "--json");
  const subs = JSON.parse(listed.stdout).subscriptions;
  expect(subs).toHaveLength(1);
  expect(subs[0]).toMatchObject({ id: sub.id, name: "cli-hook", channel: "webhook", filter: { event_type: "gateway.*", severity: "warning" }, enabled: true });
  expect(listed.stdout).not.toContain(sub.secret);
  const tested = await runWarden(env, "subscription", "test", "--id", sub.id, "--json");
  expect(tested.code).toBe(0);
  expect(JSON.parse(tested.stdout)).toMatchObject({ ok: true, status_code: 204, channel: "webhook" });
  const payload = new Webhook(sub.secret).verify(rx.received[0].body, rx.received[0].headers as Record<string, string>) as { type: string };
  expect(payload.type).toBe("warden.subscription.test");
});

test("a bad filter or a private URL without the setting is a usage error naming it", async () => {
  const bad = await runWarden({}, "subscription", "create", "--tenant", tenant, "--name", "bad", "--channel", "inbox", "--inbox-role", "owner", "--filter", '{"outcome": "maybe"}');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("/filter/outcome");
  const ssrf = await runWarden({}, "subscription", "create", "--tenant", tenant, "--name", "ssrf", "--channel", "webhook", "--url", "http://169.254.169.254/latest/meta-data/");
  expect(ssrf.code).toBe(2);
  expect(ssrf.stderr).toContain("refused");
});
