import type { TenantScope } from '@app/common';

/** Events that belong to no tenant (admin keys, vault rewrap, unknown launch tokens). */
export const BROKER_CHAIN = Object.freeze({ brokerChain: true as const });
export type BrokerChain = typeof BROKER_CHAIN;

/** Which hash chain an event joins or a verification reads: one tenant's, or the broker-wide one. */
export type AuditChain = TenantScope | BrokerChain;

/** The broker-wide chain is stored under the nil UUID; every other chain under its tenant's id. */
export const BROKER_CHAIN_ID = '00000000-0000-0000-0000-000000000000';

export function chainIdOf(chain: AuditChain): string {
  return 'brokerChain' in chain ? BROKER_CHAIN_ID : chain.tenantId;
}

export function tenantIdOf(chain: AuditChain): string | null {
  return 'brokerChain' in chain ? null : chain.tenantId;
}
