import { AddressPolicy, LOOPBACK_NETWORKS } from './address-policy';

describe('AddressPolicy', () => {
  const strict = new AddressPolicy([]);

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['64:ff9b::a9fe:a9fe', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['::ffff:192.168.1.1', 'private'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['::ffff:100.64.0.1', 'carrierGradeNat'],
    ['192.0.2.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2002:7f00:1::', '6to4'],
    ['2001::1', 'teredo'],
    ['64:ff9b:1::1', 'rfc6052'],
  ])('refuses %s (%s) by default', (address, range) => {
    expect(strict.check(address)).toEqual({ allowed: false, range });
  });

  it.each([['8.8.8.8'], ['93.184.215.14'], ['2606:4700:4700::1111'], ['::ffff:8.8.8.8'], ['64:ff9b::808:808']])(
    'allows global unicast %s',
    (address) => {
      expect(strict.check(address)).toEqual({ allowed: true, range: 'unicast' });
    },
  );

  it('refuses what is not an IP address', () => {
    expect(strict.check('localhost')).toEqual({ allowed: false, range: 'invalid' });
    expect(strict.check('[::1]')).toEqual({ allowed: false, range: 'invalid' });
  });

  it('allows a configured network, also through the IPv4 address an IPv6 form embeds', () => {
    const sut = new AddressPolicy(AddressPolicy.parseNetworks('127.0.0.0/8, 10.20.0.0/16 ,fd00::/8'));
    expect(sut.check('127.0.0.1').allowed).toBe(true);
    expect(sut.check('::ffff:127.0.0.1').allowed).toBe(true);
    expect(sut.check('64:ff9b::7f00:1').allowed).toBe(true);
    expect(sut.check('10.20.3.4')).toEqual({ allowed: true, range: 'private' });
    expect(sut.check('10.21.3.4').allowed).toBe(false);
    expect(sut.check('fd00::5').allowed).toBe(true);
    expect(sut.check('fc00::5').allowed).toBe(false);
    expect(sut.check('::1').allowed).toBe(false);
    expect(sut.check('169.254.169.254').allowed).toBe(false);
  });

  it('allows loopback only when loopback networks are configured', () => {
    const dev = new AddressPolicy(AddressPolicy.parseNetworks(LOOPBACK_NETWORKS));
    expect(dev.check('127.0.0.1').allowed).toBe(true);
    expect(dev.check('::1').allowed).toBe(true);
    expect(dev.check('::ffff:127.0.0.1').allowed).toBe(true);
    expect(dev.check('10.0.0.1').allowed).toBe(false);
    expect(dev.check('169.254.169.254').allowed).toBe(false);
  });

  it('names the entry that is not a CIDR network', () => {
    expect(() => AddressPolicy.parseNetworks('10.0.0.0/8,10.0.0.1')).toThrow(/"10.0.0.1"/);
    expect(() => AddressPolicy.parseNetworks('10.0.0.0/33')).toThrow(/"10.0.0.0\/33"/);
    expect(AddressPolicy.parseNetworks(' , ')).toEqual([]);
  });
});
