import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditCheckpointer, AuditService } from '@app/audit';
import { issueTenantScope } from '@app/common';
import { auditVerifyCli } from '../scripts/audit-verify';
import { createTestApp, TestApp } from './utils/create-app';

interface ChainVerdict {
  chain_id: string;
  ok: boolean;
  first_broken_seq: number | null;
  events_checked: number;
  checkpoints_checked: number;
  checkpoints_before_export: number;
  problems: Array<{ seq: number; problem: string }>;
}

/** Downloads an export to a file as an auditor would (curl -o), without holding it in a string. */
function download(url: string, key: string, file: string): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { Authorization: `Bearer ${key}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        writeFileSync(file, Buffer.concat(chunks));
        resolve(res.headers);
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

/**
 * Offline verification (docs/audit.md#offline-verification): an NDJSON export, the checkpoint
 * files and the pinned public key, and no database at all.
 */
describe('offline verification of NDJSON exports', () => {
  let t: TestApp;
  let tenantId: string;
  let pinned: string;
  let dir: string;
  const empty = mkdtempSync(join(tmpdir(), 'auditor-'));

  async function offline(args: string[]): Promise<{ code: number; chains: ChainVerdict[]; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    // No DATABASE_URL, a DATA_DIR without any cluster or key: nothing but the files.
    const code = await auditVerifyCli(
      [...args, '--data-dir', empty, '--checkpoint', dir, '--public-key', pinned],
      {},
      { out: (l) => out.push(l), err: (l) => err.push(l) },
    );
    return {
      code,
      chains: out.length ? (JSON.parse(out[0]) as { chains: ChainVerdict[] }).chains : [],
      err: err.join('\n'),
    };
  }

  const exportUrl = (query: string) => `${t.url}/v1/audit-events/export?format=ndjson&${query}`;

  beforeAll(async () => {
    t = await createTestApp();
    dir = join(t.env.DATA_DIR, 'checkpoints');
    tenantId = (
      await request(t.url).post('/v1/tenants').set('Authorization', `Bearer ${t.adminKey}`).send({ name: 'Offline' })
    ).body.id;
    const record = (i: number) =>
      t.app.get(AuditService).record(t.app.get(DataSource).manager, {
        action: 'login_link.issued',
        outcome: 'success',
        scope: issueTenantScope(tenantId),
        ctx: AuditService.systemContext('offline-test'),
        subject: { login: `user${i}`, external_id: `é${i}"` },
        metadata: { i, nested: { b: [1, 'x'], a: null } },
      });
    for (let i = 0; i < 19; i += 1) await record(i); // seq 2..20
    await t.app.get(AuditCheckpointer).run(); // checkpoint at 20
    for (let i = 19; i < 24; i += 1) await record(i); // seq 21..25
    await t.app.get(AuditCheckpointer).run(); // checkpoint at 25
    pinned = (
      await request(t.url).get('/v1/audit-checkpoints/public-keys').set('Authorization', `Bearer ${t.adminKey}`)
    ).body.keys[0].verifier_key;
  });
  afterAll(async () => t?.close());

  it('a whole export verifies against every checkpoint with no database', async () => {
    const file = join(empty, 'all.ndjson');
    await download(exportUrl(`tenant_id=${tenantId}`), t.adminKey, file);
    const result = await offline(['--export', file]);
    expect(result.code).toBe(0);
    expect(result.chains).toEqual([
      expect.objectContaining({
        chain_id: tenantId,
        ok: true,
        events_checked: 25,
        checkpoints_checked: 2,
        checkpoints_before_export: 0,
        problems: [],
      }),
    ]);
    // Every tenant at once (an admin's export): each chain is checked on its own.
    const everything = join(empty, 'everything.ndjson');
    await download(exportUrl(''), t.adminKey, everything);
    const all = await offline(['--export', everything]);
    expect(all.code).toBe(0);
    expect(all.chains.map((c) => c.chain_id)).toContain(tenantId);
  });

  it('a slice (after_seq, oldest first) verifies on its own; checkpoints before it are not held against it', async () => {
    const file = join(empty, 'slice.ndjson');
    const headers = await download(exportUrl(`tenant_id=${tenantId}&order=asc&after_seq=21`), t.adminKey, file);
    expect(headers['x-next-after-seq']).toBe('25');
    const result = await offline(['--export', file, '--tenant', tenantId]);
    expect(result).toMatchObject({
      code: 0,
      chains: [{ ok: true, events_checked: 4, checkpoints_checked: 1, checkpoints_before_export: 1 }],
    });
  });

  it('a truncated export fails naming the first missing seq; a changed line fails naming its seq', async () => {
    const file = join(empty, 'full.ndjson');
    await download(exportUrl(`tenant_id=${tenantId}`), t.adminKey, file);
    // Newest first by seq. The export orders by occurred_at, then id: events appended within the same
    // millisecond tie and come in id order, so the file's own order is not always the chain's.
    const seqOf = (line: string) => (JSON.parse(line) as { seq: number }).seq;
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .sort((a, b) => seqOf(b) - seqOf(a));
    const truncated = join(empty, 'truncated.ndjson');
    writeFileSync(truncated, `${lines.slice(3).join('\n')}\n`);
    const short = await offline(['--export', truncated]);
    expect(short).toMatchObject({ code: 1, chains: [{ ok: false, first_broken_seq: 23 }] });
    expect(short.chains[0].problems).toContainEqual(expect.objectContaining({ problem: 'checkpoint_beyond_chain' }));
    expect(short.err).toContain('seq 23');

    const changed = join(empty, 'changed.ndjson');
    const at10 = lines.findIndex((l) => seqOf(l) === 10);
    const forged = [...lines];
    forged[at10] = forged[at10].replace('"login":"user8"', '"login":"mallory"');
    expect(forged[at10]).not.toBe(lines[at10]);
    writeFileSync(changed, `${forged.join('\n')}\n`);
    const edited = await offline(['--export', changed]);
    expect(edited).toMatchObject({ code: 1, chains: [{ ok: false, first_broken_seq: 10 }] });
    expect(edited.chains[0].problems[0]).toMatchObject({ seq: 10, problem: 'hash' });
  });
});
