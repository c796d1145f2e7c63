import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditService, type AuditAction, type AuditRecordInput } from '@app/audit';
import { issueTenantScope, type RequestContext } from '@app/common';
import { createTestApp, TestApp } from './utils/create-app';

interface Event {
  id: string;
  occurred_at: string;
  tenant_id: string | null;
  chain_id: string;
  seq: number;
  action: string;
  connection_id: string | null;
  link_id: string | null;
  request_id: string | null;
  provider: string | null;
  metadata: Record<string, unknown>;
}

const text = (res: request.Response) => res.text;

/**
 * What a SIEM and an auditor pull from the audit API: the new filters, several actions at once,
 * incremental pulls by seq (order=asc, after_seq, next_after_seq / X-Next-After-Seq), NDJSON
 * lines identical to the list's JSON, and a tenant-bound auditor naming its tenant in any case.
 */
describe('audit pulls', () => {
  let t: TestApp;
  let audit: AuditService;
  let dataSource: DataSource;
  const tenantId = randomUUID();
  let auditor: string;
  /** The auditor's own tenant: a real tenant row, with its own events (creation, the key). */
  let tenantOfAuditor: string;
  const admin = () => ({ Authorization: `Bearer ${t.adminKey}` });

  async function record(input: Partial<AuditRecordInput> & { action: AuditAction }, requestId: string = randomUUID()) {
    const ctx: RequestContext = { requestId, ip: '198.51.100.1', userAgent: 'pulls', principal: null };
    return audit.record(dataSource.manager, { outcome: 'success', scope: issueTenantScope(tenantId), ctx, ...input });
  }

  beforeAll(async () => {
    t = await createTestApp();
    audit = t.app.get(AuditService);
    dataSource = t.app.get(DataSource);
    const tenant = await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'Pulls Tenant' });
    const other = await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'Pulls Other' });
    // Events of a tenant id that is not a tenant row: the audit log has no FK (a deleted tenant's history stays).
    for (let i = 0; i < 12; i += 1) {
      await record(
        {
          action: i % 3 === 0 ? 'login_link.issued' : i % 3 === 1 ? 'login_link.redeemed' : 'login_link.failed',
          connectionId: i % 2 === 0 ? 'conn-even' : 'conn-odd',
          provider: i < 6 ? 'acronis' : 'flussonic',
          linkId: `link-${Math.floor(i / 3)}`,
          metadata: { i },
        },
        `req-${i}`,
      );
    }
    auditor = (
      await request(t.url)
        .post('/v1/api-keys')
        .set(admin())
        .send({ name: 'pulls auditor', role: 'auditor', tenant_id: tenant.body.id })
    ).body.key as string;
    await request(t.url).patch(`/v1/tenants/${other.body.id}`).set(admin()).send({ name: 'Pulls Other 2' }).expect(200);
    tenantOfAuditor = tenant.body.id as string;
  });
  afterAll(async () => t?.close());

  const list = (query: Record<string, string | string[]>, key = t.adminKey) =>
    request(t.url).get('/v1/audit-events').query(query).set('Authorization', `Bearer ${key}`);

  it('filters by connection_id, link_id, request_id and provider, and by several actions at once', async () => {
    const seqs = async (query: Record<string, string | string[]>) => {
      const res = await list({ tenant_id: tenantId, limit: '500', ...query });
      expect(res.status).toBe(200);
      return (res.body.data as Event[]).map((e) => e.seq).sort((a, b) => a - b);
    };
    expect(await seqs({ connection_id: 'conn-odd' })).toEqual([2, 4, 6, 8, 10, 12]);
    expect(await seqs({ link_id: 'link-2' })).toEqual([7, 8, 9]);
    expect(await seqs({ request_id: 'req-4' })).toEqual([5]);
    expect(await seqs({ provider: 'flussonic' })).toEqual([7, 8, 9, 10, 11, 12]);
    const both = [1, 2, 4, 5, 7, 8, 10, 11];
    expect(await seqs({ action: ['login_link.issued', 'login_link.redeemed'] })).toEqual(both);
    expect(await seqs({ action: 'login_link.issued,login_link.redeemed' })).toEqual(both);
    expect(await seqs({ action: ['login_link.issued,login_link.redeemed', 'login_link.issued'] })).toEqual(both);
    expect(await seqs({ action: 'login_link.failed', provider: 'acronis', connection_id: 'conn-even' })).toEqual([3]);
    for (const action of ['nope', 'login_link.issued,nope', ['login_link.issued', '']]) {
      const res = await list({ tenant_id: tenantId, action });
      expect({ action, status: res.status, code: res.body.code }).toEqual({
        action,
        status: 400,
        code: 'validation_failed',
      });
    }
    const exported = await request(t.url)
      .get('/v1/audit-events/export')
      .query({
        format: 'ndjson',
        tenant_id: tenantId,
        action: 'login_link.issued,login_link.failed',
        link_id: 'link-1',
      })
      .set(admin())
      .buffer(true)
      .parse((res, done) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => done(null, body));
      });
    const lines = (exported.body as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Event);
    expect(lines.map((e) => e.seq).sort((a, b) => b - a)).toEqual([6, 4]);
    // Newest first as documented, occurred_at then id: two events of one millisecond (common on a
    // fast machine) come in id order, not seq order (order=asc is the seq order).
    const key = (e: Event) => `${e.occurred_at} ${e.id}`;
    expect(lines.map(key)).toEqual(lines.map(key).sort().reverse());
  });

  it('pulls incrementally: order=asc from after_seq, next_after_seq, then X-Next-After-Seq on the export', async () => {
    const first = await list({ tenant_id: tenantId, order: 'asc', after_seq: '0', limit: '5' });
    expect(first.status).toBe(200);
    expect((first.body.data as Event[]).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(first.body.next_after_seq).toBe('5');
    const cursorPage = await list({
      tenant_id: tenantId,
      order: 'asc',
      limit: '5',
      cursor: first.body.next_cursor as string,
    });
    expect((cursorPage.body.data as Event[]).map((e) => e.seq)).toEqual([6, 7, 8, 9, 10]);
    const rest = await list({ tenant_id: tenantId, order: 'asc', after_seq: first.body.next_after_seq as string });
    expect((rest.body.data as Event[]).map((e) => e.seq)).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(rest.body.next_after_seq).toBe('12');
    const nothingNew = await list({ tenant_id: tenantId, order: 'asc', after_seq: '12' });
    expect(nothingNew.body).toMatchObject({ data: [], next_after_seq: '12', next_cursor: null });
    await record({ action: 'tenant.updated' });
    const oneNew = await list({ tenant_id: tenantId, order: 'asc', after_seq: '12' });
    expect((oneNew.body.data as Event[]).map((e) => [e.seq, e.action])).toEqual([[13, 'tenant.updated']]);

    const exported = await request(t.url)
      .get('/v1/audit-events/export')
      .query({ format: 'ndjson', tenant_id: tenantId, order: 'asc', after_seq: '10' })
      .set(admin())
      .buffer(true)
      .parse((res, done) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => done(null, body));
      });
    expect(exported.headers['x-next-after-seq']).toBe('13');
    expect(
      (exported.body as string)
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as Event).seq),
    ).toEqual([11, 12, 13]);
    const csv = await request(t.url)
      .get('/v1/audit-events/export')
      .query({ format: 'csv', tenant_id: tenantId, after_seq: '13' })
      .set(admin());
    expect(csv.headers['x-next-after-seq']).toBe('13');
    expect(csv.text.trim().split('\n')).toHaveLength(1);
    const all = await request(t.url).get('/v1/audit-events/export').query({ format: 'csv' }).set(admin());
    expect(all.headers['x-next-after-seq']).toBeUndefined();

    // Seq order and after_seq follow one chain: across tenants they need a tenant.
    for (const query of [{ order: 'asc' }, { after_seq: '3' }] as Array<Record<string, string>>) {
      const res = await list(query);
      expect({ query, status: res.status, code: res.body.code }).toEqual({
        query,
        status: 400,
        code: 'tenant_id_required',
      });
      const file = await request(t.url)
        .get('/v1/audit-events/export')
        .query({ format: 'csv', ...query })
        .set(admin());
      expect(file.status).toBe(400);
    }
    // A cursor of the other order is not one this API issued for it.
    const mixed = await list({
      tenant_id: tenantId,
      order: 'asc',
      cursor: (await list({ limit: '1' })).body.next_cursor,
    });
    expect(mixed.body.code).toBe('invalid_cursor');
    for (const after_seq of ['-1', 'x', '1.5', '99999999999999999999']) {
      expect((await list({ tenant_id: tenantId, after_seq })).status).toBe(400);
    }
  });

  it('NDJSON lines are JSON.stringify of the list events, byte for byte, with chain_id', async () => {
    await record({
      action: 'connection.updated',
      connectionId: 'quote"back\\slash\u2028',
      metadata: {
        b: 1,
        a: [1.5, 1e21, 1e-7, -0, 'x\u2028y"z\\', '\u0001\u001f', 'é😀'],
        10: true,
        2: null,
        nested: { z: { y: [] }, '': 'empty key' },
      },
      subject: { login: 'ümlaut', external_id: 'ext' },
    });
    await record({ action: 'tenant.updated', metadata: {} });
    const listed = await list({ tenant_id: tenantId, limit: '500' });
    const exported = await request(t.url)
      .get('/v1/audit-events/export')
      .query({ format: 'ndjson', tenant_id: tenantId })
      .set(admin())
      .buffer(true)
      .parse((res, done) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('latin1')));
        res.on('end', () => done(null, Buffer.from(body, 'latin1').toString('utf8')));
      });
    const lines = (exported.body as string).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toEqual((listed.body.data as Event[]).map((e) => JSON.stringify(e)));
    expect((listed.body.data as Event[]).every((e) => e.chain_id === tenantId)).toBe(true);
    expect(text(listed)).toContain('"chain_id"');
  });

  it('a tenant-bound auditor naming its own tenant id in upper case gets its events', async () => {
    const upper = tenantOfAuditor.toUpperCase();
    const lower = await list({ tenant_id: tenantOfAuditor }, auditor);
    const cased = await list({ tenant_id: upper }, auditor);
    expect(cased.status).toBe(200);
    expect(cased.body.data.length).toBeGreaterThan(0);
    expect(cased.body.data).toEqual(lower.body.data);
    expect((cased.body.data as Event[]).every((e) => e.tenant_id === tenantOfAuditor)).toBe(true);
    const pull = await list({ tenant_id: upper, order: 'asc', after_seq: '0' }, auditor);
    expect(pull.status).toBe(200);
    expect((pull.body.data as Event[])[0].seq).toBe(1);
    for (const path of ['/v1/audit-events/verify', '/v1/audit-checkpoints']) {
      const res = await request(t.url).get(path).query({ tenant_id: upper }).set('Authorization', `Bearer ${auditor}`);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
    expect((await list({ tenant_id: tenantId.toUpperCase() }, auditor)).status).toBe(404);
  });
});
