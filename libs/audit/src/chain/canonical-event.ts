import { hash } from 'node:crypto';
import type { ChainedEvent } from './chained-event';

/** Bumped if the serialisation ever changes; part of every hashed string. */
export const CANONICAL_VERSION = 'sso-broker.audit.v1';

/**
 * The canonical serialisation the chain hashes: a JSON array (no whitespace) of the version tag
 * and every field in a fixed order, strings or null, with `metadata` as JSON with recursively
 * sorted keys and `occurred_at` as ISO-8601 UTC with milliseconds. A fixed-order array rather
 * than an object so nothing depends on key order, and JSON so an auditor can rebuild it in any
 * language from an NDJSON export.
 */
export function canonicalSerialisation(event: ChainedEvent): string {
  return JSON.stringify([
    CANONICAL_VERSION,
    event.id,
    event.tenant_id,
    event.seq,
    event.occurred_at.toISOString(),
    event.action,
    event.outcome,
    event.actor_type,
    event.actor_id,
    event.actor_role,
    event.ip,
    event.user_agent,
    event.request_id,
    event.connection_id,
    event.provider,
    event.subject_login,
    event.subject_user_id,
    event.subject_external_id,
    event.link_id,
    event.token_fingerprint,
    event.error_code,
    canonicalJson(event.metadata),
    event.prev_hash,
  ]);
}

/** hash = hex SHA-256 of the canonical serialisation (which includes prev_hash). */
export function eventHash(event: ChainedEvent): string {
  return hash('sha256', canonicalSerialisation(event), 'hex');
}

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}
