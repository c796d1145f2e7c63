import { MAX_JSON_DEPTH, screenJsonBody } from './json-screen';

const check = (text: string) => () => screenJsonBody(Buffer.from(text));

describe('screenJsonBody', () => {
  it('accepts nesting up to the limit, counting objects and arrays', () => {
    expect(check(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).not.toThrow();
    expect(check('{"a":[{"b":[1,2,{"c":null}]}]}')).not.toThrow();
  });

  it('refuses one level more with 400 json_too_deep', () => {
    const deep = `${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${'}'.repeat(MAX_JSON_DEPTH + 1)}`;
    expect(check(deep)).toThrow(expect.objectContaining({ code: 'json_too_deep', status: 400 }));
  });

  it('ignores brackets inside strings, including escaped quotes', () => {
    const text = JSON.stringify({ name: `${'['.repeat(500)}\\"{{{{` });
    expect(check(text)).not.toThrow();
  });

  it('refuses a NUL character in a value or a key, wherever it sits in the string', () => {
    for (const text of ['{"name":"a\\u0000b"}', '{"name":"\\u0000"}', '{"a\\u0000":1}', '[["x\\u0000"]]']) {
      expect(check(text)).toThrow(expect.objectContaining({ code: 'invalid_characters', status: 400 }));
    }
  });

  it('leaves bodies that end mid-escape to the parser, and accepts escapes that merely look alike', () => {
    for (const text of [
      '"\\',
      '"\\u000',
      '["x\\"',
      '{"name":"a\\\\u0000b"}',
      '{"name":"\\u00a0"}',
      '{"name":"\\u000a"}',
      '{"name":"u0000"}',
    ]) {
      expect(check(text)).not.toThrow();
    }
  });
});
