import { Injectable } from '@nestjs/common';
import { lookup } from 'node:dns/promises';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/**
 * How the broker turns an upstream host name into addresses: the system resolver (getaddrinfo,
 * so /etc/hosts and the search domains apply), every address in the resolver's order. One
 * instance per application; the egress guard asks it on every new upstream connection and at
 * create/patch time, so a test can stand in for DNS (test/egress.e2e-spec.ts).
 */
@Injectable()
export class UpstreamResolver {
  lookup(hostname: string): Promise<ResolvedAddress[]> {
    return lookup(hostname, { all: true, verbatim: true });
  }
}
