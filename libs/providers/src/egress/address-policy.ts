import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type Network = [Address, number];

/** The verdict on one address: allowed or not, and the range it falls in (for logs and field errors). */
export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js range name of the address, or of the IPv4 address it embeds: 'unicast', 'loopback', 'private', … */
  range: string;
}

/** Loopback, allowed by default outside production so the simulators on 127.0.0.1 work (README#configuration). */
export const LOOPBACK_NETWORKS = '127.0.0.0/8,::1/128';

/** The well-known NAT64 prefix of RFC 6052: the last 32 bits are the IPv4 address. */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one the network would deliver to:
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d, RFC 6145), IPv4-compatible
 * (::a.b.c.d, deprecated but still routed by some stacks) and the well-known NAT64 prefix
 * (64:ff9b::a.b.c.d). Other forms (6to4, Teredo, local-use NAT64 64:ff9b:1::/48) are not unwrapped:
 * they are not global unicast and are refused as they are.
 */
export function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = address.range();
  const parts = address.parts;
  const last32 = () => ipaddr.IPv4.parse(`${parts[6] >> 8}.${parts[6] & 0xff}.${parts[7] >> 8}.${parts[7] & 0xff}`);
  if (range === 'ipv4Mapped') return address.toIPv4Address();
  if (range === 'rfc6145') return last32();
  if (address.match(NAT64_WELL_KNOWN)) return last32();
  const compatible = parts.slice(0, 6).every((part) => part === 0) && (parts[6] !== 0 || parts[7] > 1);
  return compatible ? last32() : undefined;
}

/**
 * Which addresses the broker may connect to (docs/architecture.md#egress-policy). By default only
 * global unicast: loopback, link-local (169.254.169.254 included), private (RFC 1918, fc00::/7),
 * unspecified, broadcast, multicast, carrier-grade NAT, reserved and documentation ranges are
 * refused, and so are IPv6 forms embedding such an IPv4 address. A configured network
 * (UPSTREAM_ALLOWED_NETWORKS, plus loopback outside production) allows addresses inside it,
 * matched against the address and against the IPv4 address it embeds.
 */
export class AddressPolicy {
  constructor(private readonly allowedNetworks: readonly Network[]) {}

  /** Parses a comma list of CIDRs (`10.20.0.0/16, fd00::/8`); throws naming the entry that is not one. */
  static parseNetworks(list: string | undefined): Network[] {
    return (list ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .map((entry) => {
        try {
          return ipaddr.parseCIDR(entry);
        } catch {
          throw new TypeError(`"${entry}" is not a CIDR network (e.g. 10.20.0.0/16 or fd00::/8)`);
        }
      });
  }

  get networks(): string[] {
    return this.allowedNetworks.map(([address, bits]) => `${address.toString()}/${bits}`);
  }

  /** `address` is an IP literal as a resolver returns it; anything unparseable is refused. */
  check(address: string): AddressVerdict {
    let parsed: Address;
    try {
      parsed = ipaddr.parse(address);
    } catch {
      return { allowed: false, range: 'invalid' };
    }
    const embedded = parsed.kind() === 'ipv6' ? embeddedIpv4(parsed as ipaddr.IPv6) : undefined;
    const effective = embedded ?? parsed;
    const range = effective.range();
    if (range === 'unicast') return { allowed: true, range };
    const candidates = embedded === undefined ? [parsed] : [parsed, embedded];
    const allowed = candidates.some((candidate) =>
      this.allowedNetworks.some(
        ([network, bits]) => network.kind() === candidate.kind() && candidate.match(network, bits),
      ),
    );
    return { allowed, range };
  }
}
