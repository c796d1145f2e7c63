import { MAX_JSON_DEPTH, refuseDeepJson } from './json-depth';

const check = (text: string) => () => refuseDeepJson({} as never, undefined, Buffer.from(text));

describe('refuseDeepJson', () => {
  it('accepts nesting up to the limit, counting objects and arrays', () => {
    expect(check(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).not.toThrow();
    expect(check('{"a":[{"b":[1,2,{"c":null}]}]}')).not.toThrow();
  });

  it('refuses one level more, with the type the problem filter maps to 400', () => {
    const deep = `${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${'}'.repeat(MAX_JSON_DEPTH + 1)}`;
    expect(check(deep)).toThrow(expect.objectContaining({ type: 'entity.too.deep', status: 400 }));
  });

  it('ignores brackets inside strings, including escaped quotes', () => {
    const text = JSON.stringify({ name: `${'['.repeat(500)}\\"{{{{` });
    expect(check(text)).not.toThrow();
  });
});
