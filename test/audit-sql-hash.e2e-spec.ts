import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  AuditRecordInput,
  AuditService,
  AuditStore,
  BROKER_CHAIN,
  eventHash,
  StoredChainedEvent,
  verifyChain,
} from '@app/audit';
import { issueTenantScope, type RequestContext } from '@app/common';
import { createTestDatabase, TestDatabase } from './utils/test-database';

/**
 * The hash is computed in SQL (one-statement append); the verifier recomputes it in Node. They
 * must agree for every string the broker may be handed, so every text field gets arbitrary
 * UTF-16: quotes, backslashes, control characters, U+2028/2029, emoji, lone surrogates, NUL.
 */
const awkward = fc.constantFrom(
  '"',
  '\\',
  '\u2028',
  '\u2029',
  '\u007f',
  '\uFEFF',
  '😀',
  '\uD800',
  '\uDFFF',
  '\u0000',
  '\b',
  '\f',
  '\n',
  '\r',
  '\t',
  '\u001f',
  '/',
  '<',
  'é',
);
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.oneof(awkward, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 30 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 30 }),
  // Longer than the column: truncation must not split a surrogate pair into something unhashable.
  fc.string({ unit: fc.constantFrom('a', '😀', '"', '\u2028'), minLength: 500, maxLength: 700 }),
);
const maybe = fc.option(text, { nil: null });
const metadata = fc.option(
  fc.dictionary(
    text,
    fc
      .jsonValue({ maxDepth: 3 })
      .chain((v) => fc.oneof(fc.constant(v), text, fc.dictionary(text, text, { maxKeys: 3 }))),
  ),
  { nil: null },
);

const event = fc.record({
  ctx: fc.record({ requestId: text, ip: maybe, userAgent: maybe, keyId: text, anonymous: fc.boolean() }),
  connectionId: maybe,
  provider: maybe,
  subject: fc.option(fc.record({ login: text, user_id: text, external_id: text }, { requiredKeys: [] }), { nil: null }),
  linkId: maybe,
  tokenFingerprint: maybe,
  errorCode: maybe,
  metadata,
  outcome: fc.constantFrom('success' as const, 'failure' as const),
  broker: fc.boolean(),
});

const storable = (value: string) => value.length <= 512 && !/\u0000|[\uD800-\uDFFF]/.test(value);

describe('audit hash computed in SQL = the Node verifier', () => {
  let db: TestDatabase;
  let app: DataSource;
  let audit: AuditService;
  const tenantId = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    app = new DataSource({ type: 'postgres', url: db.appUrl, extra: { max: 4 } });
    await app.initialize();
    audit = new AuditService(new AuditStore(app));
  });

  afterAll(async () => {
    await app?.destroy();
    await db?.drop();
  });

  async function verify(chainId: string) {
    const client = new Client({ connectionString: db.appUrl });
    await client.connect();
    try {
      return await verifyChain(client, chainId);
    } finally {
      await client.end();
    }
  }

  it('every generated event: stored hash = eventHash(stored row), chains verify', async () => {
    let recorded = 0;
    await fc.assert(
      fc.asyncProperty(event, async (e) => {
        const ctx: RequestContext = {
          requestId: e.ctx.requestId,
          ip: e.ctx.ip,
          userAgent: e.ctx.userAgent,
          principal: e.ctx.anonymous ? null : { keyId: e.ctx.keyId, role: 'portal', tenantId: null },
        };
        const input: AuditRecordInput = {
          action: 'login_link.issued',
          outcome: e.outcome,
          scope: e.broker ? BROKER_CHAIN : issueTenantScope(tenantId),
          ctx,
          connectionId: e.connectionId,
          provider: e.provider,
          subject: e.subject,
          linkId: e.linkId,
          tokenFingerprint: e.tokenFingerprint,
          errorCode: e.errorCode,
          metadata: e.metadata,
        };
        const written = await audit.record(app.manager, input);
        recorded += 1;
        const [row] = await db.query<StoredChainedEvent>(
          `SELECT id, tenant_id, seq::text AS seq, occurred_at, action, outcome, actor_type, actor_id, actor_role, ip,
             user_agent, request_id, connection_id, provider, subject_login, subject_user_id, subject_external_id,
             link_id, token_fingerprint, error_code, metadata, prev_hash, hash
           FROM audit_events WHERE id = $1`,
          [written.id],
        );
        expect(row.hash).toBe(written.hash);
        expect(eventHash(row)).toBe(row.hash);
        // Storable values are kept as given (normalisation touches only NUL and lone surrogates).
        if (e.subject?.login !== undefined && storable(e.subject.login))
          expect(row.subject_login).toBe(e.subject.login);
      }),
      { numRuns: 400 },
    );
    expect(recorded).toBeGreaterThanOrEqual(400);
    const tenant = await verify(tenantId);
    const broker = await verify('00000000-0000-0000-0000-000000000000');
    expect(tenant.ok && broker.ok).toBe(true);
    expect(tenant.events_checked + broker.events_checked).toBe(recorded);
  }, 120_000);
});
