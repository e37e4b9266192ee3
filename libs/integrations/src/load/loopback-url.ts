import { isIP } from 'node:net';

/**
 * Whether `hostname` (as `URL.hostname` gives it) can only reach this machine:
 * `localhost`, 127.0.0.0/8, or ::1 (also as an IPv4-mapped address). Names
 * other than `localhost` are refused even if they resolve locally today: DNS
 * can change, and deliberate load must never leave the machine.
 */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.split('.')[0] === '127';
  if (isIP(host) === 6) {
    if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    return mapped?.[1] !== undefined && mapped[1].split('.')[0] === '127';
  }
  return false;
}

/** The parsed URL when it is http(s) on loopback; otherwise an error naming `what` and the URL. */
export function requireLoopbackUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${what}: not an absolute URL: "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`${what}: must be http(s), got "${value}"`);
  if (!isLoopbackHostname(url.hostname))
    throw new Error(
      `${what}: ${url.hostname} is not a loopback address (127.0.0.0/8, ::1, localhost): load and faults never leave this machine`,
    );
  return url;
}
