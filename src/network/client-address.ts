// The client address of a request, for firewall rules and audit records, when Coffer may sit behind reverse proxies.
//
// X-Forwarded-For is a list each proxy appends its peer to: "client, proxy1, proxy2", with the last hop (proxy2's own
// address) being the socket peer. The client controls the header it sends, so it can prepend anything it likes
// ("10.0.0.1, <real client>, ..."); only the entries our own trusted proxies appended are believable. Hence the
// rightmost-untrusted rule: walk from the right, skip the trusted proxies, and the first address that is not one of them
// is the one a trusted proxy saw connecting, i.e. the client. Anything to its left was written by that client. And a
// peer that is not a trusted proxy may have written the whole header, so then the header is ignored altogether.
import net from 'node:net';
import { createIpMatcher, normalizeClientAddress, parseIpRule } from './ip-rules.js';

export interface ClientAddressOptions {
  /** Addresses or CIDR ranges (IPv4 or IPv6) of the reverse proxies whose X-Forwarded-For entries are believed. */
  trustedProxies: string[];
}

/**
 * Returns the normalized client address (see normalizeClientAddress), or '' when the socket address is undefined (the
 * socket is already closed) or not an IP address. Callers treat '' as an address that matches no rule.
 */
export type ClientAddressResolver = (socketAddress: string | undefined, forwardedFor: string | string[] | undefined) => string;

/** Throws InvalidIpRuleError at creation when a trusted proxy entry is not an address or CIDR range. */
export function createClientAddressResolver(opts: ClientAddressOptions): ClientAddressResolver {
  const isTrusted = createIpMatcher(opts.trustedProxies.map(parseIpRule));

  return (socketAddress, forwardedFor) => {
    const peer = socketAddress === undefined ? undefined : parseAddress(socketAddress);
    if (peer === undefined) return '';
    if (!isTrusted(peer)) return peer;
    const entries = forwardedEntries(forwardedFor);
    return entries === undefined ? peer : walkFromRight(entries, isTrusted) ?? peer;
  };
}

/** The X-Forwarded-For entries, left to right; repeated headers form one list, as HTTP says (RFC 9110 §5.3). */
function forwardedEntries(forwardedFor: string | string[] | undefined): string[] | undefined {
  const joined = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  // Absent or blank: the trusted peer did not forward for anyone (a health check, a direct call), so it is the client.
  if (joined === undefined || joined.trim() === '') return undefined;
  return joined.split(',').map((entry) => entry.trim());
}

/**
 * The first untrusted address from the right. An entry that is not an address stops the walk, since nothing left of it
 * can be attributed to a trusted proxy: the answer is then the last valid (trusted) address seen, right of the bad entry.
 * When every entry is trusted, that is the leftmost one. Undefined when no entry could be used.
 */
function walkFromRight(entries: string[], isTrusted: (address: string) => boolean): string | undefined {
  let lastValid: string | undefined;
  for (let index = entries.length - 1; index >= 0; index -= 1) {
    const address = parseForwardedEntry(entries[index] ?? '');
    if (address === undefined) return lastValid;
    if (!isTrusted(address)) return address;
    lastValid = address;
  }
  return lastValid;
}

/**
 * One X-Forwarded-For entry as a normalized address. Some proxies append the peer's port: 'a.b.c.d:port' and
 * '[v6]:port' are accepted (and '[v6]', the bracketed form without port). A bare IPv6 address is not mistaken for one
 * with a port because it is tried as an address first.
 */
function parseForwardedEntry(entry: string): string | undefined {
  const direct = parseAddress(entry);
  if (direct !== undefined) return direct;
  const ipv4WithPort = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(entry);
  if (ipv4WithPort?.[1] !== undefined && isPort(ipv4WithPort[2]) && net.isIP(ipv4WithPort[1]) === 4) return ipv4WithPort[1];
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed?.[1] !== undefined && (bracketed[2] === undefined || isPort(bracketed[2])) && net.isIP(bracketed[1]) === 6) {
    return normalizeClientAddress(bracketed[1]);
  }
  return undefined;
}

function isPort(text: string | undefined): boolean {
  return text !== undefined && /^\d{1,5}$/.test(text) && Number(text) <= 65535;
}

/** A normalized address, or undefined when the text is not an IP address. */
function parseAddress(text: string): string | undefined {
  return net.isIP(text) === 0 ? undefined : normalizeClientAddress(text);
}
