import { AddressPolicy, LOOPBACK_NETWORKS } from './address-policy';

/**
 * Where the broker may send upstream requests (docs/architecture.md#egress-policy):
 * - `allowHttp`: whether a base URL may use plain http. Default: outside production yes, in
 *   production only with UPSTREAM_ALLOW_HTTP=true;
 * - `addresses`: which resolved addresses a connection may reach. Default: global unicast only,
 *   plus UPSTREAM_ALLOWED_NETWORKS, plus loopback outside production.
 */
export class EgressPolicy {
  constructor(
    readonly allowHttp: boolean,
    readonly addresses: AddressPolicy,
  ) {}

  static forEnvironment(input: { nodeEnv: string; allowHttp?: boolean; allowedNetworks?: string }): EgressPolicy {
    const production = input.nodeEnv === 'production';
    const networks = [
      ...AddressPolicy.parseNetworks(input.allowedNetworks),
      ...(production ? [] : AddressPolicy.parseNetworks(LOOPBACK_NETWORKS)),
    ];
    return new EgressPolicy(input.allowHttp ?? !production, new AddressPolicy(networks));
  }

  /** `protocol` as `URL.protocol` has it (`https:`). */
  schemeAllowed(protocol: string): boolean {
    return protocol === 'https:' || (protocol === 'http:' && this.allowHttp);
  }

  describe(): string {
    const networks = this.addresses.networks;
    return (
      `upstream egress: ${this.allowHttp ? 'http and https' : 'https only'}; global unicast addresses` +
      (networks.length > 0 ? ` and ${networks.join(', ')}` : ' only')
    );
  }
}
