import { type NamedStatement, namedStatement, queryNamed, type StatementPrelude } from '@app/database';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { RateLimitedException } from './rate-limited.exception';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const CLEANUP_INTERVAL_MS = 60_000;
const FAILURE_LOG_INTERVAL_MS = 10_000;

export interface BucketCharge {
  key: string;
  ttl: number;
  limit: number;
  blockDuration: number;
}

/** The charges' CTE names: distinct from any name of a statement that takes them as its prelude. */
const CTE = 'rate_limit_charge_';

/** Seconds the bucket is blocked for: 0 unless it is, with no interval arithmetic on the usual path. */
const BLOCKED_FOR = `CASE WHEN blocked_until > now() THEN ceil(extract(epoch FROM blocked_until - now()))::int ELSE 0 END AS blocked_for`;

/**
 * What a charge reads back: the bucket's record for chargeInOrder (the throttler's answer), or only
 * the seconds it is blocked for, all a prelude looks at (a link's charges then compute no expiry).
 */
const RECORD_RETURNING = `key, hits, ceil(extract(epoch FROM window_ends_at - now()))::int AS expires_in, ${BLOCKED_FOR}`;
const BLOCK_RETURNING = BLOCKED_FOR;

/**
 * One fixed window per key, shared by every broker instance through PostgreSQL. Each hit is an
 * atomic upsert: concurrent hits on several instances serialise on the row lock, so the budget
 * is exact across instances. Times come from the database clock, so instance clock skew is moot.
 * Going over the limit blocks the key until its window ends (or for blockDuration, if longer).
 *
 * Several charges (API key, then tenant) go in one statement, one data-modifying CTE each: a
 * charge runs only if none before it is blocked, as the sequential guard did, so a key refused
 * for its own budget does not also drain its tenant's budget for the tenant's other keys. Every
 * request takes the bucket locks in the same order (key before tenant), so they cannot deadlock.
 */
function chargeSql(index: number, param: number, returning: string): string {
  const [key, ttl, limit, block] = [param, param + 1, param + 2, param + 3].map((n) => `$${n}`);
  const window = `now() + ${ttl}::int * interval '1 millisecond'`;
  const earlier = Array.from({ length: index }, (_, i) => `SELECT 1 FROM ${CTE}${i} WHERE blocked_for > 0`).join(
    ' UNION ALL ',
  );
  return `${CTE}${index} AS (
    INSERT INTO rate_limit_buckets AS b (key, hits, window_ends_at, blocked_until)
    SELECT ${key}::text, 1, ${window},
           CASE WHEN 1 > ${limit}::int THEN greatest(${window}, now() + ${block}::int * interval '1 millisecond') END
    ${index === 0 ? '' : `WHERE NOT EXISTS (${earlier})`}
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN b.window_ends_at <= now() THEN 1 ELSE b.hits + 1 END,
      window_ends_at = CASE WHEN b.window_ends_at <= now() THEN excluded.window_ends_at ELSE b.window_ends_at END,
      blocked_until = CASE
        WHEN b.blocked_until > now() THEN b.blocked_until
        WHEN (CASE WHEN b.window_ends_at <= now() THEN 1 ELSE b.hits + 1 END) > ${limit}::int THEN greatest(
          CASE WHEN b.window_ends_at <= now() THEN excluded.window_ends_at ELSE b.window_ends_at END,
          now() + ${block}::int * interval '1 millisecond')
      END
    RETURNING ${returning})`;
}

/** `count` charges as WITH items named rate_limit_charge_<i>, parameters numbered from `offset + 1`. */
function chargeCtes(count: number, offset: number, returning: string): string {
  return Array.from({ length: count }, (_, i) => chargeSql(i, offset + 4 * i + 1, returning)).join(',\n');
}

/**
 * `charges` made by the statement of another store (StatementPrelude), in the same order and with
 * the same semantics as chargeInOrder; the statement reads back the longest block in seconds,
 * and a block is the guard's 429. Unlike chargeInOrder it cannot fail open: it fails with the
 * host statement, which the request needed anyway.
 */
export function chargePrelude(charges: readonly BucketCharge[]): StatementPrelude {
  const shape = (preludeShapes[charges.length] ??= preludeShape(charges.length));
  const params: unknown[] = [];
  for (const charge of charges) params.push(charge.key, charge.ttl, charge.limit, charge.blockDuration);
  return { ...shape, params };
}

/** What a prelude of `count` charges always says; built once per count (it is on every link's path). */
const preludeShapes: Omit<StatementPrelude, 'params'>[] = [];
function preludeShape(count: number): Omit<StatementPrelude, 'params'> {
  const blocked = Array.from({ length: count }, (_, i) => `SELECT blocked_for FROM ${CTE}${i}`);
  return {
    key: `${CTE}${count}`,
    ctes: (offset) => chargeCtes(count, offset, BLOCK_RETURNING),
    resultSql: `(SELECT coalesce(max(blocked_for), 0) FROM (${blocked.join(' UNION ALL ')}) AS charged)`,
    accept: (blockedFor) => {
      if (typeof blockedFor === 'number' && blockedFor > 0) throw new RateLimitedException(blockedFor);
    },
  };
}

function chargesSql(count: number): string {
  const rows = Array.from({ length: count }, (_, i) => `SELECT * FROM ${CTE}${i}`).join(' UNION ALL ');
  return `WITH ${chargeCtes(count, 0, RECORD_RETURNING)}\n${rows}`;
}

/**
 * The statement charging `count` buckets, named: every request pays a charge, and PostgreSQL
 * planning it afresh each time cost ~6× its execution (docs/performance.md).
 */
const chargeStatements: NamedStatement[] = [];
function chargesStatement(count: number): NamedStatement {
  return (chargeStatements[count] ??= namedStatement(`rate_limit_charge_${count}`, chargesSql(count)));
}

const CLEANUP_SQL = `
  DELETE FROM rate_limit_buckets
  WHERE window_ends_at < now() AND (blocked_until IS NULL OR blocked_until < now())`;

interface BucketRow {
  key: string;
  hits: number;
  expires_in: number;
  blocked_for: number;
}

@Injectable()
export class PostgresThrottlerStorage implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PostgresThrottlerStorage.name);
  private cleanupTimer?: NodeJS.Timeout;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.cleanupTimer = setInterval(() => void this.removeExpired(), CLEANUP_INTERVAL_MS);
    this.cleanupTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.cleanupTimer);
  }

  /** ttl and blockDuration in milliseconds (throttler 6); the answer's times in seconds. */
  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    const [record] = await this.chargeInOrder([{ key, ttl, limit, blockDuration }]);
    return record;
  }

  /**
   * Charges the buckets in order in one round trip; a charge after a blocked one is not made and
   * has no record, so the answer is as long as the charges up to and including the first blocked one.
   * Fails open: rate limiting protects capacity, it is not an access control, and a request
   * that needs the database will fail on its own while the database is away.
   */
  async chargeInOrder(charges: readonly BucketCharge[]): Promise<ThrottlerStorageRecord[]> {
    if (charges.length === 0) return [];
    try {
      const rows = await queryNamed<BucketRow>(
        this.dataSource,
        chargesStatement(charges.length),
        charges.flatMap((c) => [c.key, c.ttl, c.limit, c.blockDuration]),
      );
      const byKey = new Map(rows.map((row) => [row.key, row]));
      return charges.flatMap((charge) => {
        const row = byKey.get(charge.key);
        if (row === undefined) return [];
        return [
          {
            totalHits: row.hits,
            timeToExpire: Math.max(0, row.expires_in),
            isBlocked: row.blocked_for > 0,
            timeToBlockExpire: Math.max(0, row.blocked_for),
          },
        ];
      });
    } catch (error) {
      this.warnThrottled(`rate-limit storage unavailable, request let through: ${(error as Error).message}`);
      return charges.map((charge) => ({
        totalHits: 0,
        timeToExpire: Math.ceil(charge.ttl / 1000),
        isBlocked: false,
        timeToBlockExpire: 0,
      }));
    }
  }

  /** chargeInOrder, then the guard's answer to a spent budget: 429 with the longest wait. */
  async chargeOrRefuse(charges: readonly BucketCharge[]): Promise<void> {
    const records = await this.chargeInOrder(charges);
    const blocked = records.find((record) => record.isBlocked);
    if (blocked !== undefined) throw new RateLimitedException(Math.max(1, blocked.timeToBlockExpire));
  }

  async removeExpired(): Promise<void> {
    try {
      await this.dataSource.query(CLEANUP_SQL);
    } catch (error) {
      this.warnThrottled(`rate-limit bucket cleanup failed: ${(error as Error).message}`);
    }
  }

  private lastWarnAt = 0;

  private warnThrottled(message: string): void {
    if (Date.now() - this.lastWarnAt < FAILURE_LOG_INTERVAL_MS) return;
    this.lastWarnAt = Date.now();
    this.logger.warn(message);
  }
}
