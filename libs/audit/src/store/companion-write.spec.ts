import { appendBatchSql } from './append-event.sql';
import {
  companionBatchSql,
  companionCtes,
  companionParams,
  companionShape,
  companionSql,
  type CompanionColumn,
  type CompanionWrite,
  fromEvent,
} from './companion-write';

describe('companion writes', () => {
  it('numbers an insert after the event parameters, with a cast per column, from the appended CTE', () => {
    const write: CompanionWrite = {
      kind: 'insert',
      table: 'login_links',
      columns: [
        ['id', 'uuid', 'a'],
        ['subject', 'jsonb', '{}'],
      ],
    };
    expect(companionSql(write, 20)).toBe(
      'INSERT INTO login_links (id, subject) SELECT $21::uuid, $22::jsonb FROM appended',
    );
    expect(companionParams(write)).toEqual(['a', '{}']);
  });

  it('numbers an update SET before WHERE, and gives the parameters in that order', () => {
    const write: CompanionWrite = {
      kind: 'update',
      table: 'login_links',
      set: [['token_fingerprint', 'text', 'f']],
      where: [
        ['id', 'uuid', 'i'],
        ['tenant_id', 'uuid', 't'],
      ],
    };
    expect(companionSql(write, 20)).toBe(
      'UPDATE login_links SET token_fingerprint = $21::text FROM appended WHERE login_links.id = $22::uuid AND login_links.tenant_id = $23::uuid',
    );
    expect(companionParams(write)).toEqual(['f', 'i', 't']);
  });

  it('in a batch, reads each column from the input row matched to its appended event, in parameter order', () => {
    const insert: CompanionWrite = {
      kind: 'insert',
      table: 'login_links',
      columns: [
        ['id', 'uuid', 'a'],
        ['subject', 'jsonb', '{}'],
      ],
    };
    expect(companionBatchSql(insert)).toBe(
      'INSERT INTO login_links (id, subject) SELECT i.c1, i.c2 FROM appended a JOIN input i ON i.n = a.n',
    );
    const update: CompanionWrite = {
      kind: 'update',
      table: 'login_links',
      set: [['token_fingerprint', 'text', 'f']],
      where: [['id', 'uuid', 'i']],
    };
    expect(companionBatchSql(update)).toBe(
      'UPDATE login_links SET token_fingerprint = i.c1 FROM appended a JOIN input i ON i.n = a.n WHERE login_links.id = i.c2',
    );
    // The batch statement casts the companion's arrays after the event's 19, in the same order.
    expect(appendBatchSql([insert])).toContain('$19::text[], $20::uuid[], $21::jsonb[]) WITH ORDINALITY');
  });

  it('numbers several companions one after the other, as CTEs of their own', () => {
    const link: CompanionWrite = { kind: 'insert', table: 'login_links', columns: [['id', 'uuid', 'l']] };
    const answer: CompanionWrite = {
      kind: 'update',
      table: 'login_link_idempotency',
      set: [['state', 'text', 'done']],
      where: [['key_hash', 'bytea', 'k']],
    };
    expect(companionCtes([link, answer], 19)).toBe(
      ', companion1 AS (INSERT INTO login_links (id) SELECT $20::uuid FROM appended)' +
        ', companion2 AS (UPDATE login_link_idempotency SET state = $21::text FROM appended' +
        ' WHERE login_link_idempotency.key_hash = $22::bytea)',
    );
    expect(companionCtes([link, answer], 0, true)).toBe(
      ', companion1 AS (INSERT INTO login_links (id) SELECT i.c1 FROM appended a JOIN input i ON i.n = a.n)' +
        ', companion2 AS (UPDATE login_link_idempotency SET state = i.c2 FROM appended a JOIN input i ON i.n = a.n' +
        ' WHERE login_link_idempotency.key_hash = i.c3)',
    );
    expect([link, answer].flatMap(companionParams)).toEqual(['l', 'done', 'k']);
    expect(companionCtes([], 19)).toBe('');
  });

  it('has no batch form for an array-typed companion column (unnest would flatten it)', () => {
    expect(appendBatchSql([{ kind: 'insert', table: 't', columns: [['tags', 'text[]', ['a']]] }])).toBeNull();
  });

  it('refuses anything but a plain identifier for a table, column or type', () => {
    const write = (table: string): CompanionWrite => ({ kind: 'insert', table, columns: [['id', 'uuid', 1]] });
    expect(() => companionSql(write('login_links; DROP TABLE x'), 0)).toThrow('not a plain SQL identifier');
    expect(() => companionSql({ kind: 'insert', table: 't', columns: [['id', 'uuid) --', 1]] }, 0)).toThrow(
      'not a plain SQL identifier',
    );
  });

  it('gives equal shapes to writes that differ only in values, and a new shape for any other difference', () => {
    const insert = (columns: CompanionColumn[]): CompanionWrite => ({ kind: 'insert', table: 'login_links', columns });
    const base = companionShape(
      insert([
        ['id', 'uuid', 'a'],
        ['subject', 'jsonb', '{}'],
      ]),
    );
    expect(
      companionShape(
        insert([
          ['id', 'uuid', 'b'],
          ['subject', 'jsonb', '{"x":1}'],
        ]),
      ),
    ).toBe(base);
    expect(base).toBe('insert login_links id:uuid,subject:jsonb');
    expect(
      companionShape(
        insert([
          ['id', 'uuid', 'a'],
          ['subject', 'text', '{}'],
        ]),
      ),
    ).toBe('insert login_links id:uuid,subject:text');
    expect(
      companionShape(
        insert([
          ['id', 'uuid', 'a'],
          ['subjects', 'jsonb', '{}'],
        ]),
      ),
    ).toBe('insert login_links id:uuid,subjects:jsonb');
    expect(companionShape(insert([['id', 'uuid', 'a']]))).toBe('insert login_links id:uuid');
    expect(companionShape({ kind: 'insert', table: 'other', columns: [['id', 'uuid', 'a']] })).toBe(
      'insert other id:uuid',
    );
    const update = (where: string): CompanionWrite => ({
      kind: 'update',
      table: 'login_links',
      set: [['token_fingerprint', 'text', 'f']],
      where: [[where, 'uuid', 'i']],
    });
    expect(companionShape(update('id'))).toBe('update login_links token_fingerprint:text where id:uuid');
    expect(companionShape(update('tenant_id'))).toBe('update login_links token_fingerprint:text where tenant_id:uuid');
  });

  it("reads an event column from the event's own parameter, and numbers only the companion's own", () => {
    const write: CompanionWrite = {
      kind: 'insert',
      table: 'login_links',
      columns: [
        ['id', 'uuid', fromEvent('link_id')],
        ['delivery', 'text', 'direct'],
        ['tenant_id', 'uuid', fromEvent('tenant_id')],
        ['expires_at', 'timestamptz', 'soon'],
      ],
    };
    expect(companionSql(write, 19)).toBe(
      'INSERT INTO login_links (id, delivery, tenant_id, expires_at) SELECT $16::text::uuid, $20::text, $2::uuid, $21::timestamptz FROM appended',
    );
    expect(companionBatchSql(write, 0)).toBe(
      'INSERT INTO login_links (id, delivery, tenant_id, expires_at) SELECT i.e16::uuid, i.c1, i.e2::uuid, i.c2 FROM appended a JOIN input i ON i.n = a.n',
    );
    expect(companionParams(write)).toEqual(['direct', 'soon']);
    // The next companion's parameters follow the two this one has, not its four columns.
    expect(companionCtes([write, write], 19)).toContain('$22::text');
    expect(companionShape(write)).toBe(
      'insert login_links id:uuid=event.link_id,delivery:text,tenant_id:uuid=event.tenant_id,expires_at:timestamptz',
    );
    const asParameter: CompanionWrite = { ...write, columns: [['id', 'uuid', 'x'], ...write.columns.slice(1)] };
    expect(companionShape(asParameter)).toBe(
      'insert login_links id:uuid,delivery:text,tenant_id:uuid=event.tenant_id,expires_at:timestamptz',
    );
    expect(fromEvent('link_id')).toBe(fromEvent('link_id'));
  });
});
