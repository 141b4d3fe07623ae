/**
 * Bench section "logging": what one JSON request line per POST costs on the
 * busiest route. The ingest section's single-event POSTs (64 clients, ack
 * after commit) against the same server process started with LOG_LEVEL=info
 * (a line per request, to stderr, here /dev/null) and with LOG_LEVEL=silent
 * (the baseline), alternating, best of two rounds each.
 */
import type { BenchContext, BenchSection } from "./types";
import { authenticatorUrl, startChildServer } from "./httpClient";
import { envInt, fmtInt, withClient } from "./util";
import { load } from "./ingest";

const SECONDS = envInt("BENCH_LOGGING_SECONDS", 5);
const ROUNDS = envInt("BENCH_LOGGING_ROUNDS", 2);

export const loggingSection: BenchSection = {
  name: "logging",
  async run(ctx: BenchContext): Promise<void> {
    const authUrl = await authenticatorUrl(ctx);
    const key = await withClient(ctx.ownerUrl, async (c) => {
      const t = (await c.query("select warden_private.create_tenant('bench logging') as id")).rows[0].id as string;
      return (await c.query("select key from warden_private.create_api_key($1, 'bench', 'member', 1000000)", [t])).rows[0].key as string;
    });
    const best: Record<"silent" | "info", number> = { silent: 0, info: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      for (const level of ["silent", "info"] as const) {
        const server = await startChildServer(ctx.ownerUrl, authUrl, [], { env: { LOG_LEVEL: level }, stderr: "ignore" });
        try {
          await load(server.port, key, 64, 1, 2); // warm-up
          const r = await load(server.port, key, 64, 1, SECONDS);
          ctx.log(`round ${round + 1}, LOG_LEVEL=${level}: ${fmtInt(r.perSecond)} events/s (${r.errors} non-201)`);
          best[level] = Math.max(best[level], r.perSecond);
        } finally {
          await server.close();
        }
      }
    }
    ctx.record({
      name: "single-event POSTs, 64 clients, a JSON request line each (LOG_LEVEL=info)",
      value: `${fmtInt(best.info)} events/s`,
      baseline: `${fmtInt(best.silent)} events/s with LOG_LEVEL=silent`,
      ratio: best.info / best.silent,
      target: ">= 0.90x",
      met: best.info / best.silent >= 0.9,
    });
  },
};
