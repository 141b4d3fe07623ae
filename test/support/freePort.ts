import net from "node:net";

/**
 * A TCP port on 127.0.0.1 for a server a test starts in another process
 * (PostgreSQL, a Warden child). Chosen at random in 20000-32767, below
 * Linux's ephemeral range (32768-60999): a port in that range can be taken
 * by any outgoing connection of the suite's own pools between choosing it
 * and the child's bind ("Address already in use"). The port is checked free
 * by binding it once; tries again on a port someone holds.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12768);
    if (await canBind(port)) return port;
  }
  throw new Error("freePort: no free port below 32768 after 50 tries");
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}
