/**
 * SSRF protection for webhooks: http(s) only; private, loopback,
 * link-local (cloud metadata: 169.254.169.254, fd00:ec2::254), carrier-grade
 * NAT, multicast and reserved addresses are refused after DNS resolution,
 * and again at connect time: the HTTP agents resolve through guardedLookup,
 * so a name that answered with a public address when the subscription was
 * made and with 127.0.0.1 now (DNS rebinding) is refused when the socket
 * connects. IP literals are checked directly (Node does not look them up).
 */
import dns from "node:dns";
import net from "node:net";
import ipaddr from "ipaddr.js";
import type { LookupFunction } from "node:net";

export class SsrfError extends Error {
  code = "ESSRF";
}

const ALLOWED_RANGES = new Set(["unicast"]);

/** Why an address may not be reached, or null when it may. */
export function forbiddenAddress(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return `${address} is not an IP address`;
  }
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  if (!ALLOWED_RANGES.has(range)) return `${address} is a ${range} address`;
  return null;
}

export interface GuardOptions {
  allowPrivate: boolean;
  /** host:port of a DNS server to ask instead of the system resolver. */
  dnsServer?: string;
}

async function resolveAll(hostname: string, opts: GuardOptions): Promise<{ address: string; family: number }[]> {
  if (opts.dnsServer) {
    const resolver = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([opts.dnsServer]);
    const [v4, v6] = await Promise.all([resolver.resolve4(hostname).catch(() => [] as string[]), resolver.resolve6(hostname).catch(() => [] as string[])]);
    const all = [...v4.map((a) => ({ address: a, family: 4 })), ...v6.map((a) => ({ address: a, family: 6 }))];
    if (!all.length) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return all;
  }
  return dns.promises.lookup(hostname, { all: true, verbatim: true });
}

/** Resolves a host and refuses it when any of its addresses is forbidden. */
export async function checkHost(hostname: string, opts: GuardOptions): Promise<{ address: string; family: number }[]> {
  const host = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  const addrs = net.isIP(host) ? [{ address: host, family: net.isIP(host) }] : await resolveAll(host, opts);
  if (!opts.allowPrivate) {
    for (const a of addrs) {
      const why = forbiddenAddress(a.address);
      if (why) throw new SsrfError(`refused ${hostname}: ${why}`);
    }
  }
  return addrs;
}

/** A dns.lookup replacement for http.Agent that applies checkHost at connect time. */
export function guardedLookup(opts: GuardOptions): LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    checkHost(hostname, opts).then(
      (addrs) => {
        const wanted = options?.family === 4 || options?.family === 6 ? addrs.filter((a) => a.family === options.family) : addrs;
        const list = wanted.length ? wanted : addrs;
        if (options?.all) callback(null, list);
        else callback(null, list[0].address, list[0].family);
      },
      (err) => callback(err),
    );
  }) as LookupFunction;
}

/** Checks a webhook URL's form: http(s), a host, no credentials. Null when it is fine. */
export function webhookUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "only http:// and https:// URLs";
  if (!url.hostname) return "the URL has no host";
  if (url.username || url.password) return "credentials in the URL are not allowed";
  return null;
}
