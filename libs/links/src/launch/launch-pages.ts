import { createHash } from 'node:crypto';
import type { BrowserForm } from '@app/providers';

export interface HtmlAnswer {
  status: number;
  headers: Record<string, string>;
  html: string;
}

const AUTO_SUBMIT_SCRIPT = "document.getElementById('login-form').submit();";
const AUTO_SUBMIT_SCRIPT_HASH = `'sha256-${createHash('sha256').update(AUTO_SUBMIT_SCRIPT).digest('base64')}'`;

/**
 * Headers of every launch answer: never cached (each answer is single use), never leaking the
 * URL through Referer, never framed.
 */
const BASE_HEADERS = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** 302 to the upstream login URL (Acronis external-login: the OTT travels in the fragment). */
export function redirectAnswer(location: string): { status: 302; headers: Record<string, string> } {
  return { status: 302, headers: { ...BASE_HEADERS, Location: location } };
}

/**
 * A page that POSTs the upstream form at once. The only script allowed is the constant one
 * below (by hash); the form may only go to the upstream origin; a visible button covers
 * browsers with scripts off.
 */
export function autoSubmitPage(form: BrowserForm): HtmlAnswer {
  const fields = Object.entries(form.fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n      ');
  const html = page(
    'Signing you in…',
    `<form id="login-form" method="post" action="${escapeHtml(form.action)}">
      ${fields}
      <p>Signing you in…</p>
      <button type="submit">Continue</button>
    </form>
    <script>${AUTO_SUBMIT_SCRIPT}</script>`,
  );
  const csp = [
    "default-src 'none'",
    `script-src ${AUTO_SUBMIT_SCRIPT_HASH}`,
    `form-action ${new URL(form.action).origin}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { status: 200, headers: { ...htmlHeaders(csp) }, html };
}

/** Unknown, expired or already used: deliberately the same page, so it tells an attacker nothing. */
export function gonePage(requestId: string): HtmlAnswer {
  return messagePage(
    410,
    'This login link is no longer valid',
    'It was already used, has expired, or does not exist. Ask for a new link.',
    requestId,
  );
}

export function failurePage(status: number, code: string, requestId: string): HtmlAnswer {
  return messagePage(
    status,
    'The sign-in could not be completed',
    `Error code: ${code}. Try again or ask for a new link.`,
    requestId,
  );
}

function messagePage(status: number, title: string, text: string, requestId: string): HtmlAnswer {
  const body = `<h1>${escapeHtml(title)}</h1>
    <p>${escapeHtml(text)}</p>
    <p>Request id: <code>${escapeHtml(requestId)}</code></p>`;
  return {
    status,
    headers: htmlHeaders("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    html: page(title, body),
  };
}

function htmlHeaders(csp: string): Record<string, string> {
  return { ...BASE_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp };
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="robots" content="noindex">
    <title>${escapeHtml(title)}</title>
  </head>
  <body>
    ${body}
  </body>
</html>
`;
}
