import { createHash } from 'node:crypto';
import {
  continuePage,
  escapeHtml,
  failurePage,
  gonePage,
  handoffPage,
  type HtmlAnswer,
  redirectAnswer,
} from './launch-pages';

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const inline = (html: string, tag: 'script' | 'style') =>
  [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]);

/** Every inline script and style of the page is allowed by its hash, and nothing else is loaded. */
function expectStrictCsp(answer: HtmlAnswer): string {
  const csp = answer.headers['Content-Security-Policy'];
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  for (const script of inline(answer.html, 'script')) expect(csp).toContain(`script-src ${hashOf(script)}`);
  const styles = inline(answer.html, 'style');
  expect(styles).toHaveLength(1);
  expect(csp).toContain(`style-src ${hashOf(styles[0])}`);
  expect(answer.html).not.toMatch(/\s(src|href)=/);
  expect(answer.html).not.toMatch(/\sstyle=/);
  expect(answer.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  expect(answer.headers).toMatchObject({
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  });
  return csp;
}

describe('launch pages', () => {
  const form = {
    action: 'https://watcher.example:8443/vsaas/autologin',
    fields: { autologin_token: 'u"><script>x</script>:1:ab' },
  };
  const continueInput = {
    tenantName: 'Customer <A>',
    upstreamName: 'Flussonic Watcher',
    upstreamOrigin: 'https://watcher.example:8443',
  };

  it('continue page (auto): posts back to itself by a hash-pinned script, with a working button', () => {
    const sut = continuePage({ ...continueInput, confirmation: 'auto' });
    expect(sut.status).toBe(200);
    const csp = expectStrictCsp(sut);
    expect(csp).toContain("form-action 'self' https://watcher.example:8443");
    expect(sut.html).toMatch(/<form id="continue" method="post">/);
    expect(sut.html).not.toMatch(/<form[^>]* action=/);
    expect(sut.html).toContain('<button type="submit">Continue to Flussonic Watcher</button>');
    expect(sut.html).toContain('Customer &#60;A&#62;');
    expect(inline(sut.html, 'script')[0]).toContain('.submit()');
  });

  it('continue page (click): no script submits; the one script only stops a second submission', () => {
    const sut = continuePage({ ...continueInput, confirmation: 'click' });
    expectStrictCsp(sut);
    const [script] = inline(sut.html, 'script');
    expect(script).not.toContain('.submit()');
    expect(script).toContain('preventDefault');
    expect(sut.html).toContain('Continue only if you asked for it');
  });

  it('hand-off page: escapes every value and may only post to the upstream origin', () => {
    const sut = handoffPage(form, 'Flussonic Watcher');
    expect(sut.html).not.toContain('<script>x</script>');
    expect(sut.html).toContain(`value="${escapeHtml(form.fields.autologin_token)}"`);
    expect(sut.html).toContain('action="https://watcher.example:8443/vsaas/autologin"');
    const csp = expectStrictCsp(sut);
    expect(csp).toContain('form-action https://watcher.example:8443');
    expect(csp).not.toContain("'self'");
  });

  it('answers 410 and failures with the request id, escaped, and no form anywhere', () => {
    const gone = gonePage('<b>');
    expect(gone.status).toBe(410);
    expect(gone.html).toContain('&#60;b&#62;');
    expect(expectStrictCsp(gone)).toContain("form-action 'none'");
    const failure = failurePage(502, 'upstream_error', 'req-2');
    expect(failure.status).toBe(502);
    expect(failure.html).toContain('upstream_error');
    expect(failure.html).toContain('req-2');
    expect(failure.html).not.toContain('<form');
    expectStrictCsp(failure);
  });

  it('redirects without caching or a Referer', () => {
    expect(redirectAnswer('https://a.example/x#ott=1')).toEqual({
      status: 302,
      headers: expect.objectContaining({
        Location: 'https://a.example/x#ott=1',
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
      }),
    });
  });
});
