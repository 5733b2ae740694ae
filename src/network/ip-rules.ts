// Vault firewall rules (`networkAcls.ipRules[].value`): parse and normalize the rule text, and match client addresses
// against a set of rules. Pure: no I/O, only node:net's address helpers.
//
// Deliberate divergence from Azure: Azure Key Vault accepts only public IPv4 addresses and ranges in ipRules. Coffer is
// self-hosted and usually sits on a private network, so private, loopback and link-local ranges are accepted, and so is
// IPv6. Only the syntax is checked here.
import net from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

export interface IpRule {
  /** Canonical rule text, always with a prefix: '203.0.113.7' becomes '203.0.113.7/32', like Azure answers. */
  value: string;
  family: IpFamily;
  /** The network address, canonical (IPv6 lowercased and compressed per RFC 5952). */
  address: string;
  prefix: number;
}

const MAX_QUOTED_CHARS = 64;

/** A rule value that is not an IPv4/IPv6 address or CIDR range. The message quotes the value (truncated) and says why. */
export class InvalidIpRuleError extends Error {
  readonly value: string;

  constructor(value: string, problem: string) {
    super(`Invalid IP rule ${quote(value)}: ${problem}.`);
    this.name = 'InvalidIpRuleError';
    this.value = value;
  }
}

// JSON quoting escapes control characters and newlines, so a hostile value cannot forge log lines through the message.
function quote(value: string): string {
  const codePoints = [...value.slice(0, MAX_QUOTED_CHARS * 2)];
  const shown = codePoints.length > MAX_QUOTED_CHARS ? `${codePoints.slice(0, MAX_QUOTED_CHARS).join('')}…` : value;
  return JSON.stringify(shown);
}

export function parseIpRule(value: string): IpRule {
  if (value.length === 0) throw new InvalidIpRuleError(value, 'the value is empty');
  // Refused rather than trimmed: a rule is configuration, and silently editing it hides typos such as a pasted list.
  if (/\s/.test(value)) throw new InvalidIpRuleError(value, 'the value contains whitespace');

  const parts = value.split('/');
  if (parts.length > 2) throw new InvalidIpRuleError(value, "the value has more than one '/'");
  const [addressText = '', prefixText] = parts;

  const family = familyOf(value, addressText);
  const maxPrefix = family === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? maxPrefix : parsePrefix(value, prefixText, maxPrefix);

  const bytes = toBytes(addressText, family);
  const network = applyPrefix(bytes, prefix);
  const address = formatBytes(network, family);
  // A range whose address has host bits set ('10.0.0.1/8') is almost always a typo for either the host or the network;
  // guessing which would widen or narrow the firewall behind the operator's back, so refuse and name the network.
  if (!sameBytes(bytes, network)) {
    throw new InvalidIpRuleError(value, `the address has bits set beyond the /${prefix} prefix; the network address is ${address}/${prefix}`);
  }
  return { value: `${address}/${prefix}`, family, address, prefix };
}

function familyOf(value: string, addressText: string): IpFamily {
  const version = net.isIP(addressText);
  if (version === 4) return 'ipv4';
  // A zone id names an interface of one host; it means nothing in a rule shared by every listener.
  if (version === 6 && addressText.includes('%')) throw new InvalidIpRuleError(value, 'IPv6 zone ids (%...) are not allowed in a rule');
  if (version === 6) return 'ipv6';
  if (hasLeadingZeroOctet(addressText)) {
    throw new InvalidIpRuleError(value, 'IPv4 octets must not have leading zeros (some parsers read them as octal)');
  }
  return invalid(value, 'expected an IPv4 or IPv6 address, optionally followed by /prefix');
}

function invalid(value: string, problem: string): never {
  throw new InvalidIpRuleError(value, problem);
}

function hasLeadingZeroOctet(text: string): boolean {
  // Also catches an embedded IPv4 tail of an IPv6 address ('::ffff:010.0.0.1').
  const dotted = /(?:^|:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  return dotted !== null && dotted.slice(1).some((octet) => octet.length > 1 && octet.startsWith('0'));
}

function parsePrefix(value: string, text: string, maxPrefix: number): number {
  // Plain decimal only: Number() would also take '', ' 8', '0x10', '1e1' and '08'.
  if (!/^(?:0|[1-9]\d{0,2})$/.test(text)) {
    throw new InvalidIpRuleError(value, `the prefix must be a decimal number from 0 to ${maxPrefix}`);
  }
  const prefix = Number(text);
  if (prefix > maxPrefix) throw new InvalidIpRuleError(value, `the prefix /${prefix} is out of range (0 to ${maxPrefix})`);
  return prefix;
}

/** Bytes of an address already validated by net.isIP (4 for IPv4, 16 for IPv6). */
function toBytes(address: string, family: IpFamily): number[] {
  return family === 'ipv4' ? ipv4Bytes(address) : ipv6Bytes(address);
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

function ipv6Bytes(address: string): number[] {
  const groups = expandIpv6(hexOnly(address));
  return groups.flatMap((group) => wordBytes(parseInt(group, 16)));
}

/** Rewrites an embedded IPv4 tail ('::ffff:1.2.3.4') as the two 16-bit groups it stands for ('::ffff:102:304'). */
function hexOnly(address: string): string {
  const lastColon = address.lastIndexOf(':');
  if (!address.includes('.', lastColon)) return address;
  const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(address.slice(lastColon + 1));
  return `${address.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

/** The eight groups of an all-hex IPv6 address, with '::' expanded. */
function expandIpv6(address: string): string[] {
  const [head = '', rest] = address.split('::');
  if (rest === undefined) return splitGroups(head);
  const headGroups = splitGroups(head);
  const restGroups = splitGroups(rest);
  const zeros = new Array<string>(8 - headGroups.length - restGroups.length).fill('0');
  return [...headGroups, ...zeros, ...restGroups];
}

function splitGroups(text: string): string[] {
  return text.split(':').filter((group) => group.length > 0);
}

function wordBytes(word: number): number[] {
  return [word >> 8, word & 0xff];
}

function applyPrefix(bytes: number[], prefix: number): number[] {
  return bytes.map((byte, index) => {
    const bitsKept = Math.min(8, Math.max(0, prefix - index * 8));
    return byte & ((0xff << (8 - bitsKept)) & 0xff);
  });
}

function sameBytes(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

function formatBytes(bytes: number[], family: IpFamily): string {
  if (family === 'ipv4') return bytes.join('.');
  const groups: string[] = [];
  for (let index = 0; index < bytes.length; index += 2) {
    groups.push((((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0)).toString(16));
  }
  return canonicalIpv6(groups.join(':'));
}

/** RFC 5952 text (lowercase, longest zero run compressed) via the platform's inet_ntop. Drops any zone id. */
function canonicalIpv6(address: string): string {
  return new net.SocketAddress({ address, family: 'ipv6' }).address;
}

/**
 * The address as it should appear in messages and audit records: IPv4-mapped IPv6 ('::ffff:203.0.113.7', what Node
 * reports for IPv4 clients of a dual-stack socket) becomes plain IPv4, IPv6 is put in RFC 5952 form (lowercase,
 * compressed) without its zone id. Text that is not an IP address is returned unchanged.
 */
export function normalizeClientAddress(address: string): string {
  const parsed = parseClientAddress(address);
  return parsed === undefined ? address : parsed.address;
}

interface ClientAddress {
  address: string;
  family: IpFamily;
}

function parseClientAddress(address: string): ClientAddress | undefined {
  const version = net.isIP(address);
  if (version === 4) return { address, family: 'ipv4' };
  if (version !== 6) return undefined;
  // SocketAddress drops zone ids today too; cut it here anyway so the documented behaviour does not hang on that.
  const zone = address.indexOf('%');
  const canonical = canonicalIpv6(zone === -1 ? address : address.slice(0, zone));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(canonical);
  return mapped?.[1] !== undefined ? { address: mapped[1], family: 'ipv4' } : { address: canonical, family: 'ipv6' };
}

/**
 * A predicate telling whether a client address falls in any of the rules. The address is normalized first
 * (normalizeClientAddress), so an IPv4 client seen as '::ffff:a.b.c.d' on a dual-stack socket matches IPv4 rules.
 * Text that is not an IP address never matches.
 *
 * Matching is net.BlockList's, which treats the IPv4-mapped range ::ffff:0:0/96 as the IPv4 addresses it stands for: an
 * IPv6 rule covering that range ('::ffff:203.0.113.0/120', and so '::/0') also matches IPv4 clients. This is consistent
 * with the socket's own view, where those clients have exactly those IPv6 addresses.
 */
export function createIpMatcher(rules: readonly IpRule[]): (address: string) => boolean {
  const list = new net.BlockList();
  for (const rule of rules) list.addSubnet(rule.address, rule.prefix, rule.family);
  return (address) => {
    const client = parseClientAddress(address);
    return client !== undefined && list.check(client.address, client.family);
  };
}
