const { performance } = require("node:perf_hooks");
const pg = require("pg");
const http = require("node:http");
const { deliverBatch } = require("../dist/src/notify/deliver");
const { poolDb } = require("../dist/src/notify/db");
const { notifySettingsFromEnv } = require("../dist/src/notify/settings");
(async () => {
  const pool = new pg.Pool({ connectionString: "postgres://warden_owner@127.0.0.1:5432/warden_bench_deliver", max: 8 });
  let n = 0;
  const server = http.createServer((req, res) => { req.resume(); req.on("end", () => { n++; res.statusCode = 204; res.end(); }); });
  server.keepAliveTimeout = 60000;
  await new Promise((r) => server.listen(25416, "127.0.0.1", r));
  const { rows: [s] } = await pool.query("select d.subscription_id from warden.notification_deliveries d join warden.subscriptions s on s.id = d.subscription_id and s.channel = 'webhook' group by 1 order by count(*) desc limit 1");
  await pool.query("update warden.subscriptions set webhook_url = 'http://127.0.0.1:25416/hook', enabled = true where id = $1", [s.subscription_id]);
  const settings = { ...notifySettingsFromEnv(), allowPrivate: true, batchSize: 2000 };
  for (let k = 0; k < 2; k++) {
    await pool.query("update warden.notification_deliveries set status = 'pending', attempts = 0, next_attempt_at = now() where subscription_id = $1", [s.subscription_id]);
    const t = performance.now(); n = 0;
    for (;;) { const r = await deliverBatch(poolDb(pool), s.subscription_id, settings); if (!r.more) break; }
    const sec = (performance.now() - t) / 1000;
    console.log("delivered", n, "rate", Math.round(n / sec));
  }
  server.close(); server.closeAllConnections(); await pool.end();
})();
