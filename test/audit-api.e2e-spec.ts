import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import request from 'supertest';
import { CSV_COLUMNS, eventHash, GENESIS_HASH, StoredChainedEvent } from '@app/audit';
import { createTestApp, TestApp } from './utils/create-app';

interface AuditEvent {
  id: string;
  tenant_id: string | null;
  seq: number;
  action: string;
  outcome: string;
  actor: { type: string; id: string | null; role: string | null };
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  metadata: Record<string, unknown>;
  hash: string;
}

const cursorFor = (values: Record<string, string>) => Buffer.from(JSON.stringify(values)).toString('base64url');

describe('audit API', () => {
  let t: TestApp;
  let tenantA: string;
  let tenantB: string;
  let auditorA: string;
  let portalA: string;
  const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
  const asAdmin = () => bearer(t.adminKey);

  async function createTenant(name: string): Promise<string> {
    const res = await request(t.url)
      .post('/v1/tenants')
      .set(asAdmin())
      .set('X-Request-Id', `req-${name.toLowerCase().replace(/ /g, '-')}`)
      .set('User-Agent', 'audit-e2e/1')
      .send({ name });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function createKey(body: object): Promise<{ id: string; key: string }> {
    const res = await request(t.url).post('/v1/api-keys').set(asAdmin()).send(body);
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string };
  }

  beforeAll(async () => {
    t = await createTestApp();
    tenantA = await createTenant('Audit A');
    tenantB = await createTenant('Audit B');
    auditorA = (await createKey({ name: 'auditor a', role: 'auditor', tenant_id: tenantA })).key;
    portalA = (await createKey({ name: 'portal a', role: 'portal', tenant_id: tenantA })).key;
    await request(t.url).patch(`/v1/tenants/${tenantB}`).set(asAdmin()).send({ name: 'Audit B renamed' }).expect(200);
  });
  afterAll(async () => t?.close());

  it('records admin changes with actor, tenant, request id, IP and user agent', async () => {
    const res = await request(t.url)
      .get('/v1/audit-events')
      .query({ tenant_id: tenantA, action: 'tenant.created' })
      .set(asAdmin());
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
    const event = res.body.data[0] as AuditEvent;
    expect(event).toMatchObject({
      tenant_id: tenantA,
      seq: 1,
      action: 'tenant.created',
      outcome: 'success',
      actor: { type: 'api_key', id: expect.any(String), role: 'admin' },
      request_id: 'req-audit-a',
      user_agent: 'audit-e2e/1',
      ip: expect.stringMatching(/127\.0\.0\.1/),
      metadata: { slug: 'audit-a', name: 'Audit A' },
    });
    const keys = await request(t.url)
      .get('/v1/audit-events')
      .query({ tenant_id: tenantA, action: 'api_key.created' })
      .set(asAdmin());
    expect(keys.body.data.map((e: AuditEvent) => e.metadata.role).sort()).toEqual(['auditor', 'portal']);
    expect(JSON.stringify(keys.body)).not.toContain(auditorA);
    const updated = await request(t.url)
      .get('/v1/audit-events')
      .query({ tenant_id: tenantB, action: 'tenant.updated' })
      .set(asAdmin());
    expect(updated.body.data[0].metadata).toEqual({ changes: { name: 'Audit B renamed' } });
  });

  it('pages newest first with an opaque cursor', async () => {
    const first = await request(t.url).get('/v1/audit-events').query({ limit: 2 }).set(asAdmin());
    expect(first.body.data).toHaveLength(2);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await request(t.url)
      .get('/v1/audit-events')
      .query({ limit: 2, cursor: first.body.next_cursor })
      .set(asAdmin());
    const all = await request(t.url).get('/v1/audit-events').query({ limit: 500 }).set(asAdmin());
    expect([...first.body.data, ...second.body.data].map((e: AuditEvent) => e.id)).toEqual(
      all.body.data.slice(0, 4).map((e: AuditEvent) => e.id),
    );
    const times = all.body.data.map((e: { occurred_at: string }) => e.occurred_at);
    expect([...times].sort().reverse()).toEqual(times);
    const bad = await request(t.url).get('/v1/audit-events').query({ cursor: 'not-a-cursor' }).set(asAdmin());
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_cursor');
    // Timestamps Date.parse accepts but PostgreSQL does not used to reach SQL and answer 500.
    for (const t0 of ['1', 'foo 2020', '2026-01-01\u0000']) {
      const cursor = Buffer.from(JSON.stringify({ t: t0, id: '00000000-0000-4000-8000-000000000000' })).toString(
        'base64url',
      );
      const res = await request(t.url).get('/v1/audit-events').query({ cursor }).set(asAdmin());
      expect({ t0, status: res.status, code: res.body.code }).toEqual({ t0, status: 400, code: 'invalid_cursor' });
    }
  });

  it('a tenant-bound auditor never sees another tenant (filters, hand-made cursors, export, verify)', async () => {
    const own = await request(t.url).get('/v1/audit-events').query({ limit: 500 }).set(bearer(auditorA));
    expect(own.status).toBe(200);
    expect(own.body.data.length).toBeGreaterThan(0);
    expect(own.body.data.every((e: AuditEvent) => e.tenant_id === tenantA)).toBe(true);

    const other = await request(t.url).get('/v1/audit-events').query({ tenant_id: tenantB }).set(bearer(auditorA));
    expect(other.status).toBe(404);
    expect(other.headers['content-type']).toMatch(/application\/problem\+json/);

    const bEvents = await request(t.url).get('/v1/audit-events').query({ tenant_id: tenantB }).set(asAdmin());
    const future = cursorFor({ t: '2999-01-01T00:00:00.000Z', id: bEvents.body.data[0].id });
    const viaCursor = await request(t.url).get('/v1/audit-events').query({ cursor: future }).set(bearer(auditorA));
    expect(viaCursor.status).toBe(200);
    expect(viaCursor.body.data.every((e: AuditEvent) => e.tenant_id === tenantA)).toBe(true);

    const exportOther = await request(t.url)
      .get('/v1/audit-events/export')
      .query({ format: 'ndjson', tenant_id: tenantB })
      .set(bearer(auditorA));
    expect(exportOther.status).toBe(404);
    const exportOwn = await request(t.url)
      .get('/v1/audit-events/export')
      .query({ format: 'ndjson' })
      .set(bearer(auditorA))
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => done(null, text));
      });
    const lines = (exportOwn.body as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(lines.length).toBe(own.body.data.length);
    expect(lines.every((e) => e.tenant_id === tenantA)).toBe(true);

    expect(
      (await request(t.url).get('/v1/audit-events/verify').query({ tenant_id: tenantB }).set(bearer(auditorA))).status,
    ).toBe(404);
    const verify = await request(t.url).get('/v1/audit-events/verify').set(bearer(auditorA));
    expect(verify.body).toMatchObject({
      tenant_id: tenantA,
      events_checked: own.body.data.length,
      ok: true,
      first_broken_seq: null,
    });
  });

  it('portal keys cannot read the audit log', async () => {
    for (const path of ['/v1/audit-events', '/v1/audit-events/export?format=csv', '/v1/audit-events/verify']) {
      const res = await request(t.url).get(path).set(bearer(portalA));
      expect(res.status).toBe(403);
    }
    expect((await request(t.url).get('/v1/audit-events')).status).toBe(401);
  });

  it('verifies the broker-wide chain (admin keys) and names a tampered seq', async () => {
    const ok = await request(t.url).get('/v1/audit-events/verify').set(asAdmin());
    expect(ok.body).toMatchObject({ tenant_id: null, ok: true });
    await t.db.query('SET session_replication_role = replica');
    await t.db.query(`UPDATE audit_events SET user_agent = 'forged' WHERE tenant_id = $1 AND seq = 2`, [tenantB]);
    await t.db.query('SET session_replication_role = origin');
    const broken = await request(t.url).get('/v1/audit-events/verify').query({ tenant_id: tenantB }).set(asAdmin());
    expect(broken.body).toMatchObject({ tenant_id: tenantB, ok: false, first_broken_seq: 2 });
  });

  it('fails closed: an admin change whose event cannot be written answers 503 and changes nothing; recovery after', async () => {
    await t.db.query('REVOKE EXECUTE ON FUNCTION audit_append FROM sso_broker_runtime');
    try {
      const res = await request(t.url).post('/v1/tenants').set(asAdmin()).send({ name: 'Never Created' });
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 503, code: 'audit_unavailable' });
      expect(await t.db.query(`SELECT 1 FROM tenants WHERE name = 'Never Created'`)).toHaveLength(0);
    } finally {
      await t.db.query('GRANT EXECUTE ON FUNCTION audit_append TO sso_broker_runtime');
    }
    const again = await request(t.url).post('/v1/tenants').set(asAdmin()).send({ name: 'Never Created' });
    expect(again.status).toBe(201);
  });

  it('CSV cells: formula triggers defused, quotes, commas and line breaks quoted, NULL empty (PostgreSQL formats them)', async () => {
    const tenantId = randomUUID();
    const logins = ['=1+1', '+x', '-x', '@x', '\tx', '\rx', 'a,b', 'say "hi"', 'line\nbreak', 'plain', '', null];
    await t.db.query(
      `INSERT INTO audit_events (id, chain_id, tenant_id, seq, occurred_at, action, outcome, actor_type, subject_login, metadata, prev_hash, hash)
       SELECT gen_random_uuid(), $1, $1, n, now() - make_interval(secs => n), 'tenant.updated', 'success', 'system', l, '{}', 'p', 'h'
       FROM unnest($2::text[]) WITH ORDINALITY AS x(l, n)`,
      [tenantId, logins],
    );
    const got = new Map<string, string>();
    const parsed = await streamCsv(
      `${t.url}/v1/audit-events/export?format=csv&tenant_id=${tenantId}`,
      t.adminKey,
      (row) => got.set(row.seq, row.subject_login),
    );
    expect(parsed.rows).toBe(logins.length);
    const defused = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
    expect(logins.map((_, i) => got.get(String(i + 1)))).toEqual(logins.map((l) => (l === null ? '' : defused(l))));
  });

  /** The 100,000-event chain of the CSV test, exported again as NDJSON by the next test. */
  const big = { tenantId: '', hashes: new Map<string, string>() };

  it('exports 100,000 events with flat memory, and the CSV parses back to the same events', async () => {
    const tenantId = randomUUID();
    big.tenantId = tenantId;
    const expected = new Map<string, { seq: string; hash: string; login: string }>();
    let prev = GENESIS_HASH;
    const start = Date.parse('2025-01-01T00:00:00.000Z');
    const total = 100_000;
    for (let offset = 0; offset < total; offset += 5000) {
      const rows: StoredChainedEvent[] = [];
      for (let i = offset; i < offset + 5000; i += 1) {
        const event: StoredChainedEvent = {
          id: randomUUID(),
          tenant_id: tenantId,
          seq: String(i + 1),
          occurred_at: new Date(start + i * 1000),
          action: 'login_link.issued',
          outcome: 'success',
          actor_type: 'api_key',
          actor_id: 'k1',
          actor_role: 'portal',
          ip: '203.0.113.9',
          user_agent: 'ua, "quoted"',
          request_id: `r${i}`,
          connection_id: 'c1',
          provider: 'acronis',
          subject_login: i % 1000 === 0 ? `=HYPERLINK("x${i}")` : `user${i}`,
          subject_user_id: null,
          subject_external_id: null,
          link_id: `l${i}`,
          token_fingerprint: '0123456789abcdef',
          error_code: null,
          metadata: { i },
          prev_hash: prev,
          hash: '',
        };
        event.hash = eventHash(event);
        prev = event.hash;
        rows.push(event);
        expected.set(event.id, { seq: event.seq, hash: event.hash, login: event.subject_login! });
        big.hashes.set(event.id, event.hash);
      }
      const cols = [
        'id',
        'tenant_id',
        'seq',
        'occurred_at',
        'action',
        'outcome',
        'actor_type',
        'actor_id',
        'actor_role',
        'ip',
        'user_agent',
        'request_id',
        'connection_id',
        'provider',
        'subject_login',
        'link_id',
        'token_fingerprint',
        'metadata',
        'prev_hash',
        'hash',
      ] as const;
      const types = [
        'uuid',
        'uuid',
        'int8',
        'timestamptz',
        'text',
        'text',
        'text',
        'text',
        'text',
        'text',
        'text',
        'text',
        'text',
        'text',
        'text',
        'text',
        'text',
        'jsonb',
        'text',
        'text',
      ];
      await t.db.query(
        `INSERT INTO audit_events (chain_id, ${cols.join(', ')}) SELECT $${cols.length + 1}::uuid, * FROM unnest(${types.map((ty, i) => `$${i + 1}::${ty}[]`).join(', ')})`,
        [...cols.map((c) => rows.map((r) => (c === 'metadata' ? JSON.stringify(r.metadata) : r[c]))), tenantId],
      );
    }
    await t.db.query('INSERT INTO audit_chain_heads (chain_id, last_seq, last_hash) VALUES ($1, $2, $3)', [
      tenantId,
      total,
      prev,
    ]);

    const memory = watchMemory();
    const parsed = await streamCsv(
      `${t.url}/v1/audit-events/export?format=csv&tenant_id=${tenantId}`,
      t.adminKey,
      (row) => {
        const want = expected.get(row.id);
        if (!want || want.seq !== row.seq || want.hash !== row.hash) throw new Error(`row ${row.id} does not match`);
        const login = want.login.startsWith('=') ? `'${want.login}` : want.login;
        if (
          row.subject_login !== login ||
          row.user_agent !== 'ua, "quoted"' ||
          JSON.stringify(JSON.parse(row.metadata)) !== `{"i":${Number(row.seq) - 1}}`
        )
          throw new Error(`row ${row.seq} fields differ`);
      },
    );
    const growth = memory.stop();
    expect(parsed.rows).toBe(total);
    expect(parsed.header).toEqual([...CSV_COLUMNS]);
    expect(parsed.firstSeq).toBe(String(total));
    expect(parsed.disposition).toMatch(
      new RegExp(`attachment; filename="audit-events-${tenantId}-\\d{8}T\\d{6}Z\\.csv"`),
    );
    process.stdout.write(`CSV export of ${total} events: ${growth.describe()}\n`);
    // A buffering export would hold ~100k rows (well over 50 MB) live; a streaming one holds one batch.
    expect(growth.retainedMb).toBeLessThan(25);

    const verify = await request(t.url).get('/v1/audit-events/verify').query({ tenant_id: tenantId }).set(asAdmin());
    expect(verify.body).toMatchObject({ tenant_id: tenantId, events_checked: total, ok: true, first_broken_seq: null });
  }, 180_000);

  it('exports the same 100,000 events as NDJSON lines with flat memory', async () => {
    const { tenantId, hashes } = big;
    const memory = watchMemory();
    // Each line is checked as it arrives, never the whole body.
    let bytes = 0;
    const lines = await new Promise<number>((resolve, reject) => {
      get(
        `${t.url}/v1/audit-events/export?format=ndjson&tenant_id=${tenantId}`,
        { headers: { Authorization: `Bearer ${t.adminKey}` } },
        (res) => {
          let count = 0;
          let rest: Buffer | null = null;
          // Lines are cut from the bytes and decoded one by one: a string built by concatenating
          // chunks and split into lines kept ~25 MB of this process's heap live on Node 24.
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            const data: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
            let start = 0;
            for (let end = data.indexOf(0x0a, start); end !== -1; end = data.indexOf(0x0a, start)) {
              const line = data.toString('utf8', start, end);
              start = end + 1;
              const event = JSON.parse(line) as { id: string; hash: string; chain_id: string };
              if (hashes.get(event.id) !== event.hash || event.chain_id !== tenantId) {
                res.destroy();
                reject(new Error(`line ${line.slice(0, 80)} does not match`));
              }
              count += 1;
            }
            rest = start < data.length ? Buffer.from(data.subarray(start)) : null;
          });
          res.on('end', () => resolve(count));
          res.on('close', () => resolve(count));
          res.on('error', reject);
        },
      ).on('error', reject);
    });
    const growth = memory.stop();
    expect(lines).toBe(hashes.size);
    const fileMb = bytes / 1e6;
    process.stdout.write(`NDJSON export of ${lines} events (${fileMb.toFixed(1)} MB): ${growth.describe()}\n`);
    // A buffering export holds at least the whole file; a streaming one a bounded amount, which
    // varies by Node line and by what the test process held before (4 to 27 MB seen for this
    // ~70 MB file, and 58 MB once on Node 24 in a Jest worker): below the file's size tells them apart.
    expect(growth.retainedMb).toBeLessThan(fileMb * 0.9);
  }, 180_000);

  it('a client that goes away mid-export frees its database connection (no COPY left running)', async () => {
    const copies = async () =>
      (
        await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY (SELECT%' AND state <> 'idle'`,
        )
      )[0].n;
    for (const format of ['csv', 'ndjson']) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no data')), 10_000);
        const req = get(
          `${t.url}/v1/audit-events/export?format=${format}`,
          { headers: { Authorization: `Bearer ${t.adminKey}` } },
          (res) => {
            res.once('data', () => {
              clearTimeout(timer);
              req.destroy();
              resolve();
            });
            res.on('error', () => undefined);
          },
        );
        req.on('error', () => undefined);
      });
      const deadline = Date.now() + 5000;
      while ((await copies()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect({ format, running: await copies() }).toEqual({ format, running: 0 });
    }
    expect((await request(t.url).get('/v1/audit-events').query({ limit: 1 }).set(asAdmin())).status).toBe(200);
  });
});

/** Reads a CSV answer incrementally (never holding the body) and checks each row as it comes. */
function streamCsv(
  url: string,
  key: string,
  onRow: (row: Record<string, string>) => void,
): Promise<{ rows: number; header: string[]; firstSeq: string; disposition: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { Authorization: `Bearer ${key}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
      let header: string[] | undefined;
      let rows = 0;
      let firstSeq = '';
      let field = '';
      let record: string[] = [];
      let quoted = false;
      let afterQuote = false;
      const endRecord = () => {
        record.push(field);
        field = '';
        if (!header) header = record;
        else {
          const row = Object.fromEntries(header.map((name, i) => [name, record[i]]));
          if (rows === 0) firstSeq = row.seq;
          rows += 1;
          onRow(row);
        }
        record = [];
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        try {
          for (const ch of chunk) {
            if (quoted) {
              if (ch === '"') {
                quoted = false;
                afterQuote = true;
              } else field += ch;
            } else if (ch === '"') {
              if (afterQuote) field += '"';
              quoted = true;
              afterQuote = false;
            } else {
              afterQuote = false;
              if (ch === ',') {
                record.push(field);
                field = '';
              } else if (ch === '\n') endRecord();
              else if (ch !== '\r') field += ch;
            }
          }
        } catch (error) {
          res.destroy();
          reject(error);
        }
      });
      res.on('end', () =>
        resolve({ rows, header: header ?? [], firstSeq, disposition: String(res.headers['content-disposition']) }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

/**
 * Peak memory growth while a stream runs. The assertion is on retained memory (heap + external,
 * sampled right after a forced GC): a buffering or leaking export grows it, a streaming one does not.
 * RSS is only reported: it also counts how lazily V8 and the allocator hand pages back, which
 * varies by Node line and machine load, so it cannot tell the two apart reliably.
 */
function watchMemory() {
  if (!global.gc) throw new Error('run with NODE_OPTIONS=--expose-gc (npm test and npm run test:e2e set it)');
  const gc = global.gc;
  const retained = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  gc();
  const rssBaseline = process.memoryUsage().rss;
  const retainedBaseline = retained();
  let rssPeak = rssBaseline;
  let retainedPeak = retainedBaseline;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 10);
  const collector = setInterval(() => {
    gc();
    retainedPeak = Math.max(retainedPeak, retained());
  }, 500);
  return {
    stop() {
      clearInterval(sampler);
      clearInterval(collector);
      gc();
      retainedPeak = Math.max(retainedPeak, retained());
      const rssMb = (rssPeak - rssBaseline) / 1e6;
      const retainedMb = (retainedPeak - retainedBaseline) / 1e6;
      return {
        retainedMb,
        describe: () => `RSS growth ${rssMb.toFixed(1)} MB, retained heap growth ${retainedMb.toFixed(1)} MB`,
      };
    },
  };
}
