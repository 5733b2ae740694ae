// Where a private listener listens: `HOST:PORT` (`[v6]:PORT` for an IPv6 address) or a Unix socket path. A path is
// told apart by its slash (`./coffer.sock` for one in the working directory), so a host name is never read as a file.
import net from 'node:net';

export type ListenAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** Throws an Error whose message names the entry when it is neither form. */
export function parseListenAddress(text: string): ListenAddress {
  if (text.includes('/')) return { kind: 'unix', path: text };
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`'${text}' is not HOST:PORT, [IPv6]:PORT or a Unix socket path (containing a '/')`);
  }
  const host = match[1] ?? match[2]!;
  if (match[1] !== undefined && net.isIPv6(host) === false) throw new Error(`'${text}': '${host}' is not an IPv6 address`);
  return { kind: 'tcp', host, port };
}

/** How the address appears in logs and the banner. */
export function formatListenAddress(address: ListenAddress): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  return net.isIPv6(address.host) ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
