/**
 * Thrown at start-up by MasterKeyCoverageCheck: stored secrets are sealed under master-key
 * versions that BROKER_MASTER_KEYS does not list. Names versions only, never key material.
 */
export class MasterKeyCoverageError extends Error {
  override readonly name = 'MasterKeyCoverageError';

  constructor(
    readonly missingVersions: readonly string[],
    configuredVersions: readonly string[],
  ) {
    super(
      `stored secrets are sealed under master key version(s) ${missingVersions.join(', ')}, which BROKER_MASTER_KEYS ` +
        `does not configure (configured: ${configuredVersions.join(', ')}). Add the missing key(s) back, ` +
        `start, run POST /v1/vault/rewrap, and only then remove them.`,
    );
  }
}
