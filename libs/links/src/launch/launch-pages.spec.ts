import { createHash } from 'node:crypto';
import { autoSubmitPage, escapeHtml, failurePage, gonePage, redirectAnswer } from './launch-pages';

describe('launch pages', () => {
  const form = {
    action: 'https://watcher.example:8443/vsaas/autologin',
    fields: { autologin_token: 'u"><script>x</script>:1:ab' },
  };

  it('escapes every value placed in the form page', () => {
    const sut = autoSubmitPage(form);
    expect(sut.html).not.toContain('<script>x</script>');
    expect(sut.html).toContain(`value="${escapeHtml(form.fields.autologin_token)}"`);
    expect(sut.html).toContain('action="https://watcher.example:8443/vsaas/autologin"');
    expect(sut.html).toMatch(/<button type="submit">/);
  });

  it('allows only its own inline script (by hash) and posting to the upstream origin', () => {
    const sut = autoSubmitPage(form);
    const script = /<script>(.*)<\/script>/.exec(sut.html)?.[1] ?? '';
    const hash = createHash('sha256').update(script).digest('base64');
    const csp = sut.headers['Content-Security-Policy'];
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).toContain('form-action https://watcher.example:8443');
    expect(csp).toContain("default-src 'none'");
    expect(sut.headers).toMatchObject({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
  });

  it('answers 410 and failures with the request id, escaped', () => {
    expect(gonePage('req-1')).toMatchObject({ status: 410 });
    expect(gonePage('<b>').html).toContain('&#60;b&#62;');
    const failure = failurePage(502, 'upstream_error', 'req-2');
    expect(failure.status).toBe(502);
    expect(failure.html).toContain('upstream_error');
    expect(failure.html).toContain('req-2');
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
