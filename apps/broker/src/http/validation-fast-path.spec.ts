import 'reflect-metadata';
import type { ArgumentMetadata } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import { BrokerException } from '@app/common';
import { CreateLoginLinkDto, createLoginLinkFastPath, LoginLinkUserDto } from '@app/links';
import { createValidationPipe } from './validation.pipe';

const BODY: ArgumentMetadata = { type: 'body', metatype: CreateLoginLinkDto };
const TENANT = '3f2b8c1e-5d4a-4b6c-9e8f-0a1b2c3d4e5f';

/** What the pipe alone answers: the instance, or the refusal's field errors. */
async function throughPipe(body: unknown): Promise<{ dto: unknown } | { refused: unknown }> {
  try {
    return { dto: await createValidationPipe().transform(copy(body), BODY) };
  } catch (error) {
    if (!(error instanceof BrokerException)) throw error;
    return { refused: { status: error.status, code: error.code, errors: error.errors } };
  }
}

/** A body as JSON.parse hands it over (and a fresh one per use: the pipe strips keys in place). */
function copy(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body)) as unknown;
}

/** The rules a DTO declares, one line per decorator. */
function rulesOf(dto: new () => object): string[] {
  return getMetadataStorage()
    .getTargetValidationMetadatas(dto, '', true, false)
    .map((rule) => {
      const name = rule.name ?? rule.constraintCls?.name ?? rule.type;
      const constraints = (rule.constraints ?? []).filter(
        (c) => c !== '' && c !== undefined && c !== null && typeof c !== 'function',
      );
      return [rule.propertyName, name, ...constraints.map((c) => JSON.stringify(c))].join(' ');
    })
    .sort();
}

describe('POST /v1/login-links validation fast path', () => {
  it('is written for these rules: a change to either DTO fails here until the fast path follows it', () => {
    expect(rulesOf(CreateLoginLinkDto)).toEqual([
      'connection isNotEmpty',
      'connection isString',
      'connection maxLength 200',
      'delivery isIn ["direct","launch"]',
      'delivery isOptional',
      'expires_in isInt',
      'expires_in isOptional',
      'expires_in max 86400',
      'expires_in min 30',
      'reason isLength 1 500',
      'reason isOptional',
      'reason isString',
      'session_lifetime isInt',
      'session_lifetime isOptional',
      'target_uri isOptional',
      'target_uri isString',
      'target_uri maxLength 2048',
      'tenant_id isOptional',
      'tenant_id isUuid',
      'user ExactlyOneIdentifier',
      'user isDefined',
      'user nestedValidation',
    ]);
    expect(rulesOf(LoginLinkUserDto)).toEqual(
      ['external_id', 'login', 'user_id'].flatMap((field) => [
        `${field} isNotEmpty`,
        `${field} isOptional`,
        `${field} isString`,
        `${field} maxLength 320`,
      ]),
    );
  });

  it.each([
    { connection: 'acronis-eu', user: { login: 'alice@customer-a.example' } },
    { connection: 'c', user: { user_id: 'u-1' }, tenant_id: TENANT, delivery: 'launch', expires_in: 30 },
    {
      user: { external_id: 'idp|42' },
      connection: 'x'.repeat(200),
      target_uri: 'https://t.example/a?b=c',
      reason: 'T',
    },
    {
      connection: 'c',
      user: { login: 'ü'.repeat(320) },
      session_lifetime: -5,
      expires_in: 86400,
      reason: 'r'.repeat(500),
    },
    { connection: 'c', user: { login: 'a' }, tenant_id: TENANT.toUpperCase(), delivery: 'direct', target_uri: '' },
  ])('accepts what the pipe accepts, as the same instance: %j', async (body) => {
    const accepted = createLoginLinkFastPath.accept(copy(body));
    expect(accepted).toBeInstanceOf(CreateLoginLinkDto);
    expect(accepted?.user).toBeInstanceOf(LoginLinkUserDto);
    expect({ dto: accepted }).toStrictEqual(await throughPipe(body));
  });

  it.each([
    ['a null optional field', { connection: 'c', user: { login: 'a' }, reason: null }],
    ['a null identifier beside the real one', { connection: 'c', user: { login: 'a', user_id: null } }],
    ['an unknown field', { connection: 'c', user: { login: 'a' }, admin: true }],
    ['an unknown user field', { connection: 'c', user: { login: 'a', role: 'admin' } }],
    ['a prototype key', JSON.parse('{"connection":"c","user":{"login":"a"},"__proto__":{"x":1}}')],
    ['a constructor key', { connection: 'c', user: { login: 'a' }, constructor: 'x' }],
    ['a reason made of a variation selector only', { connection: 'c', user: { login: 'a' }, reason: '\uFE0F' }],
    ['a reason with a surrogate pair', { connection: 'c', user: { login: 'a' }, reason: 'ok 😀' }],
    ['the nil UUID', { connection: 'c', user: { login: 'a' }, tenant_id: '00000000-0000-0000-0000-000000000000' }],
    ['two identifiers', { connection: 'c', user: { login: 'a', user_id: 'b' } }],
    ['no identifier', { connection: 'c', user: {} }],
    ['a user array', { connection: 'c', user: [{ login: 'a' }] }],
    ['no connection', { user: { login: 'a' } }],
    ['no user', { connection: 'c' }],
    ['an array body', [{ connection: 'c', user: { login: 'a' } }]],
    ['a string body', 'connection'],
    ['an expiry out of bounds', { connection: 'c', user: { login: 'a' }, expires_in: 29 }],
    ['a fractional lifetime', { connection: 'c', user: { login: 'a' }, session_lifetime: 1.5 }],
    ['a numeric string', { connection: 'c', user: { login: 'a' }, expires_in: '60' }],
    ['an empty connection', { connection: '', user: { login: 'a' } }],
    ['a long target', { connection: 'c', user: { login: 'a' }, target_uri: 'x'.repeat(2049) }],
  ])('leaves to the pipe %s', (_case, body) => {
    expect(createLoginLinkFastPath.accept(body)).toBeUndefined();
  });

  it('never accepts a body the pipe refuses, and builds what the pipe builds (generated bodies)', async () => {
    let accepted = 0;
    const runs = 4000;
    await fc.assert(
      fc.asyncProperty(bodies(), async (generated) => {
        const body = copy(generated);
        const fast = createLoginLinkFastPath.accept(copy(body));
        if (fast === undefined) return;
        accepted++;
        expect(await throughPipe(body)).toStrictEqual({ dto: fast });
      }),
      { numRuns: runs },
    );
    // Not vacuous: a good share of the generated bodies took the fast path.
    expect(accepted).toBeGreaterThan(runs / 10);
  });

  it('is what the broker pipe answers for the bodies it accepts; every other body is the pipe’s', async () => {
    const pipe = createValidationPipe([createLoginLinkFastPath]);
    const accept = jest.spyOn(createLoginLinkFastPath, 'accept');
    try {
      const body = { connection: 'c', user: { login: 'a' } };
      const dto = await pipe.transform(copy(body), BODY);
      expect(accept).toHaveLastReturnedWith(dto);
      expect({ dto }).toStrictEqual(await throughPipe(body));

      const refused = { connection: 'c', user: { login: 'a', user_id: 'b' }, extra: 1 };
      const error = await pipe.transform(copy(refused), BODY).catch((e: unknown) => e);
      expect(accept).toHaveLastReturnedWith(undefined);
      expect(error).toBeInstanceOf(BrokerException);
      const { status, code, errors } = error as BrokerException;
      expect({ refused: { status, code, errors } }).toStrictEqual(await throughPipe(refused));

      // Another DTO, or a body that is not the request body, is never this fast path's.
      accept.mockClear();
      const other: ArgumentMetadata = { type: 'body', metatype: LoginLinkUserDto };
      await expect(pipe.transform(copy(body), other)).rejects.toBeInstanceOf(BrokerException);
      await pipe.transform(copy(body), { type: 'query', metatype: CreateLoginLinkDto }).catch(() => undefined);
      expect(accept).not.toHaveBeenCalled();
    } finally {
      accept.mockRestore();
    }
  });

  it('hands back a fast-path body and a custom decorator’s value as they are, not as promises', async () => {
    const pipe = createValidationPipe([createLoginLinkFastPath]);
    const dto: unknown = pipe.transform({ connection: 'c', user: { login: 'a' } }, BODY);
    expect(dto).toBeInstanceOf(CreateLoginLinkDto);
    // Nest runs a custom parameter's value through the global pipe too; ValidationPipe leaves it alone.
    const scope = { tenantId: 't' };
    expect(pipe.transform(scope, { type: 'custom' })).toBe(scope);
    // Everything else is ValidationPipe's, which answers a promise.
    const refused: unknown = pipe.transform({ connection: 'c' }, BODY);
    expect(refused).toBeInstanceOf(Promise);
    await expect(refused).rejects.toBeInstanceOf(BrokerException);
  });
});

/** Bodies near every rule's edges: each field mostly well-formed, so that many take the fast path. */
function bodies(): fc.Arbitrary<unknown> {
  const mostly = <T, E>(valid: fc.Arbitrary<T>, edge: fc.Arbitrary<E>) =>
    fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: edge });
  const text = (max: number) =>
    mostly(
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.oneof(
        fc.constantFrom('', ' ', '\uFE0F', '\uFE0E', 'a\uFE0F', '😀', '\uD800', 'a\uDC00', 'é'),
        fc.constantFrom(max - 1, max, max + 1).map((n) => 'x'.repeat(n)),
        fc.constantFrom(max - 1, max, max + 1).map((n) => '😀' + 'x'.repeat(n - 1)),
        fc.string({ unit: 'grapheme', maxLength: 8 }),
        fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({})),
      ),
    );
  const notAnInteger = fc.constantFrom(1.5, 1e21, '60', null, true, [], {});
  const expiry = mostly(fc.integer({ min: 30, max: 86400 }), fc.oneof(fc.constantFrom(29, 86401, 0, -1), notAnInteger));
  const lifetime = mostly(fc.integer(), notAnInteger);
  const uuid = mostly(
    fc.oneof(
      fc.uuid(),
      fc.uuid().map((u) => u.toUpperCase()),
    ),
    fc.oneof(
      fc.constantFrom(
        '00000000-0000-0000-0000-000000000000',
        'ffffffff-ffff-ffff-ffff-ffffffffffff',
        '3f2b8c1e5d4a4b6c9e8f0a1b2c3d4e5f',
        '3f2b8c1e-5d4a-0b6c-9e8f-0a1b2c3d4e5f',
        '3f2b8c1e-5d4a-4b6c-7e8f-0a1b2c3d4e5f',
        '{3f2b8c1e-5d4a-4b6c-9e8f-0a1b2c3d4e5f}',
        ' 3f2b8c1e-5d4a-4b6c-9e8f-0a1b2c3d4e5f',
      ),
      text(36),
    ),
  );
  const identifiers = fc.record(
    { login: text(320), user_id: text(320), external_id: text(320), role: text(10) },
    { requiredKeys: [] },
  );
  const oneIdentifier = fc
    .constantFrom('login', 'user_id', 'external_id')
    .chain((field) => text(320).map((value) => ({ [field]: value })));
  const user = mostly(
    oneIdentifier,
    fc.oneof(identifiers, fc.constant(null), fc.string(), fc.array(identifiers, { maxLength: 2 })),
  );
  const fields = {
    connection: text(200),
    tenant_id: uuid,
    user,
    target_uri: text(2048),
    delivery: mostly(fc.constantFrom('direct', 'launch'), text(8)),
    session_lifetime: lifetime,
    expires_in: expiry,
    reason: text(500),
  };
  return fc.oneof(
    { weight: 16, arbitrary: fc.record(fields, { requiredKeys: ['connection', 'user'] }) },
    { weight: 4, arbitrary: fc.record({ ...fields, extra: fc.string() }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.array(fc.string())) },
  );
}
