/**
 * One LISTEN connection per API process on warden_auth_invalidate: the
 * database NOTIFYs it when a session, API key, membership, role or identity
 * provider changes (triggers in current.sql), and the process drops its
 * authentication cache, so a revocation holds on the next request. The
 * connection reconnects with backoff when lost; meanwhile (and for a
 * notification that arrived while it was down) the cache's own TTL is the
 * bound, and every (re)connection flushes once.
 */
import pg from "pg";

export const AUTH_INVALIDATION_CHANNEL = "warden_auth_invalidate";

export interface AuthInvalidationOptions {
  /** Called for every notification (kind: session, api_key, membership, identity_provider) and after each (re)connection ("reconnect"). */
  onInvalidate: (kind: string) => void;
  /** Called when the LISTEN connection comes up (true) or is lost (false). */
  onStateChange?: (listening: boolean) => void;
  log?: (line: string) => void;
  /** First reconnection delay; doubles up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class AuthInvalidationListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private backoff: number;
  private connected = false;
  /** Notifications received (for tests and metrics). */
  notifications = 0;
  /** Successful (re)connections. */
  connections = 0;

  constructor(
    private readonly url: string,
    private readonly opts: AuthInvalidationOptions,
  ) {
    this.backoff = opts.minBackoffMs ?? 100;
  }

  /** True while the LISTEN connection is up (otherwise the TTL bounds staleness). */
  get listening(): boolean {
    return this.connected;
  }

  /** Connects (resolves once listening, or after the first failure, retrying in the background). */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    this.connected = false;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, application_name: `warden-auth-listener-${process.pid}`, keepAlive: true });
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      if (this.connected) this.opts.onStateChange?.(false);
      this.connected = false;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.opts.log?.(`auth invalidation listener lost (${err?.message ?? "connection ended"}); the cache falls back to its TTL until it reconnects`);
      this.schedule();
    };
    client.on("error", onLost);
    client.on("end", () => onLost());
    client.on("notification", (msg) => {
      if (msg.channel !== AUTH_INVALIDATION_CHANNEL) return;
      this.notifications++;
      this.opts.onInvalidate(msg.payload ?? "");
    });
    try {
      await client.connect();
      await client.query(`listen ${AUTH_INVALIDATION_CHANNEL}`);
    } catch (err) {
      onLost(err as Error);
      return;
    }
    if (this.stopped || lost) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.connected = true;
    this.opts.onStateChange?.(true);
    this.connections++;
    this.backoff = this.opts.minBackoffMs ?? 100;
    // Whatever changed while nobody listened.
    this.opts.onInvalidate("reconnect");
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 5_000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, delay);
    this.timer.unref();
  }
}
