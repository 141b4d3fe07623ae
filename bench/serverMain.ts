/**
 * A Warden HTTP server as its own process, for bench sections that sample
 * the server's memory (bench/export.ts). Reads WARDEN_BENCH_OWNER_URL and
 * WARDEN_BENCH_AUTH_URL, prints "listening on <port>", stops on SIGTERM.
 */
import { startInProcessServer } from "./httpClient";

async function main(): Promise<void> {
  const server = await startInProcessServer(process.env.WARDEN_BENCH_OWNER_URL!, process.env.WARDEN_BENCH_AUTH_URL!);
  process.stdout.write(`listening on ${server.port}\n`);
  process.once("SIGTERM", () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
