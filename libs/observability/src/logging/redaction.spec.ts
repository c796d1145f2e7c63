import { REDACTED, redactSecretFields } from './redaction';

describe('redactSecretFields', () => {
  it('replaces secret-named fields at any depth, in arrays too, whatever their case', () => {
    const logged = {
      client_secret: 's1',
      connection: { credentials: { client_id: 'id', client_secret: 's2' } },
      upstream: { response: { body: { autologin_token: 's3', nested: { Token: 's4' } } } },
      keys: [{ api_key: 's5' }, { name: 'plain' }],
    };

    const sut = redactSecretFields(logged);

    expect(sut).toEqual({
      client_secret: REDACTED,
      connection: { credentials: REDACTED },
      upstream: { response: { body: { autologin_token: REDACTED, nested: { Token: REDACTED } } } },
      keys: [{ api_key: REDACTED }, { name: 'plain' }],
    });
    expect(logged.connection.credentials.client_secret).toBe('s2');
  });

  it('returns objects without secrets unchanged, by identity', () => {
    const logged = { a: { b: [1, { c: 'x' }] } };
    expect(redactSecretFields(logged)).toBe(logged);
  });
});
