import type { MigrationInterface } from 'typeorm';
import { RuntimeRole1763800000000 } from './1763800000000-RuntimeRole';
import { ConnectionsAndSecrets1763960000000 } from './1763960000000-ConnectionsAndSecrets';
import { TenantsAndApiKeys1763900000000 } from './1763900000000-TenantsAndApiKeys';
import { RateLimits1764200000000 } from './1764200000000-RateLimits';
import { AuditEvents1763985000000 } from './1763985000000-AuditEvents';
import { LoginLinks1764100000000 } from './1764100000000-LoginLinks';
import { LinkLifecycle1764300000000 } from './1764300000000-LinkLifecycle';
import { AuditFilterStatistics1764400000000 } from './1764400000000-AuditFilterStatistics';
import { LinkPolicy1764500000000 } from './1764500000000-LinkPolicy';
import { SecretOriginBinding1764510000000 } from './1764510000000-SecretOriginBinding';
import { AuditAppendFunction1764520000000 } from './1764520000000-AuditAppendFunction';
import { AuditCheckpoints1764600000000 } from './1764600000000-AuditCheckpoints';
import { AuditEventFilterIndexes1764700000000 } from './1764700000000-AuditEventFilterIndexes';
import { ConsoleSessions1764800000000 } from './1764800000000-ConsoleSessions';
import { AuditAppendRowEstimate1764900000000 } from './1764900000000-AuditAppendRowEstimate';

type MigrationClass = new () => MigrationInterface;

/**
 * Every migration, in order. An explicit list (rather than a glob) works the same from
 * compiled JavaScript, from ts sources under Jest, and from the TypeORM CLI.
 */
export const MIGRATIONS: MigrationClass[] = [
  RuntimeRole1763800000000,
  TenantsAndApiKeys1763900000000,
  ConnectionsAndSecrets1763960000000,
  AuditEvents1763985000000,
  LoginLinks1764100000000,
  RateLimits1764200000000,
  LinkLifecycle1764300000000,
  AuditFilterStatistics1764400000000,
  LinkPolicy1764500000000,
  SecretOriginBinding1764510000000,
  AuditAppendFunction1764520000000,
  AuditCheckpoints1764600000000,
  AuditEventFilterIndexes1764700000000,
  ConsoleSessions1764800000000,
  AuditAppendRowEstimate1764900000000,
];
