import { createHash } from 'node:crypto';
import type { BrowserForm } from '@app/providers';

/**
 * The pages a person sees when opening a launch link (docs/links.md#the-launch-page-flow): the
 * continue page (GET), the hand-off to the upstream (POST), "no longer valid" (410) and errors.
 * Each is one self-contained document: no external asset, one inline stylesheet and at most one
 * inline script, each allowed by its SHA-256 in the Content-Security-Policy and nothing else
 * (`default-src 'none'`). Every value placed in a page is HTML-escaped.
 */
export interface HtmlAnswer {
  status: number;
  headers: Record<string, string>;
  html: string;
}

export type LaunchConfirmationMode = 'auto' | 'click';

export interface ContinuePageInput {
  tenantName: string;
  upstreamName: string;
  confirmation: LaunchConfirmationMode;
  /** Origin of the upstream the redemption redirects to (see continuePage). */
  upstreamOrigin: string;
}

const STYLE = [
  ':root{color-scheme:light dark;--bg:#eef1f6;--card:#fff;--text:#161b26;--muted:#4d5669;--line:#dde2ea;--accent:#1f57e0;--on-accent:#fff;--bad:#b42318;--bad-bg:#fdecea}',
  '@media (prefers-color-scheme:dark){:root{--bg:#0f1218;--card:#181d26;--text:#e9edf4;--muted:#a5aec0;--line:#2a3240;--accent:#6d98ff;--on-accent:#0b1020;--bad:#ff8f85;--bad-bg:#3a1714}}',
  '*{box-sizing:border-box}',
  'html,body{margin:0;padding:0}',
  'body{min-height:100vh;display:flex;align-items:center;justify-content:center;padding:24px 16px;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-text-size-adjust:100%}',
  'main{width:100%;max-width:440px;background:var(--card);border:1px solid var(--line);border-radius:16px;padding:32px 28px;box-shadow:0 10px 30px rgba(16,24,40,.08)}',
  '.tenant{margin:0 0 18px;font-size:13px;font-weight:600;letter-spacing:.06em;text-transform:uppercase;color:var(--muted)}',
  'h1{margin:0 0 12px;font-size:24px;line-height:1.25;font-weight:700}',
  'p{margin:0 0 14px;color:var(--muted)}',
  'strong{color:var(--text)}',
  'form{margin:0}',
  'button{display:block;width:100%;min-height:48px;margin:22px 0 0;padding:13px 20px;border:0;border-radius:10px;background:var(--accent);color:var(--on-accent);font:inherit;font-weight:650;cursor:pointer}',
  'button:hover{filter:brightness(1.08)}',
  'button:focus-visible{outline:3px solid var(--accent);outline-offset:3px}',
  '.badge{display:inline-block;margin:0 0 16px;padding:3px 10px;border-radius:999px;font-size:13px;font-weight:600;color:var(--bad);background:var(--bad-bg)}',
  '.note{margin:22px 0 0;padding-top:14px;border-top:1px solid var(--line);font-size:13px}',
  'code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}',
  '@media (max-width:380px){main{padding:24px 18px;border-radius:12px}h1{font-size:21px}}',
].join('');

/** Submits the continue form at once (auto), the button disabled so a second click cannot race it. */
const AUTO_CONTINUE_SCRIPT =
  "var f=document.getElementById('continue');f.querySelector('button').disabled=true;f.submit();";
/** Click mode: only the person's click submits, and only once (a double click would spend the link twice). */
const CLICK_CONTINUE_SCRIPT =
  "var sent=false;document.getElementById('continue').addEventListener('submit',function(e){if(sent){e.preventDefault();}sent=true;});";
/** The hand-off: posts the upstream's login form at once. */
const HANDOFF_SCRIPT = "document.getElementById('login-form').submit();";

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const STYLE_HASH = sha256(STYLE);

/**
 * Headers of every launch answer: never cached (each answer is single use), never leaking the
 * URL through Referer, never framed, never indexed.
 */
const BASE_HEADERS = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'X-Robots-Tag': 'noindex, nofollow',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** 302 to the upstream login URL (Acronis external-login: the OTT travels in the fragment). */
export function redirectAnswer(location: string): { status: 302; headers: Record<string, string> } {
  return { status: 302, headers: { ...BASE_HEADERS, Location: location } };
}

/**
 * GET /l/{opaque} of a live link: a form that POSTs back to the same URL, which is the one
 * redemption. `auto`: a hash-pinned script submits it at once; `click`: only the button does.
 * The button works without JavaScript in both modes. `form-action` allows this page's own origin
 * and the upstream's: Chromium applies form-action to the redirect that answers the form, and the
 * redemption of an Acronis link answers with a 302 to the upstream's external-login page.
 */
export function continuePage(input: ContinuePageInput): HtmlAnswer {
  const upstream = escapeHtml(input.upstreamName);
  const tenant = escapeHtml(input.tenantName);
  const auto = input.confirmation === 'auto';
  const script = auto ? AUTO_CONTINUE_SCRIPT : CLICK_CONTINUE_SCRIPT;
  const title = auto ? `Signing you in to ${input.upstreamName}…` : `Sign in to ${input.upstreamName}`;
  const text = auto
    ? `<p>${tenant} is signing you in to <strong>${upstream}</strong>. This takes a moment.</p>
      <p>If nothing happens, use the button below.</p>`
    : `<p>${tenant} sent you a sign-in link for <strong>${upstream}</strong>.</p>
      <p>The link works once. Continue only if you asked for it.</p>`;
  const body = `<p class="tenant">${tenant}</p>
    <h1>${escapeHtml(title)}</h1>
    ${text}
    <form id="continue" method="post">
      <button type="submit">Continue to ${upstream}</button>
    </form>
    <script>${script}</script>`;
  const csp = policy({
    script: sha256(script),
    formAction: `'self' ${input.upstreamOrigin}`,
  });
  return { status: 200, headers: htmlHeaders(csp), html: page(title, body) };
}

/**
 * The answer of a redemption whose upstream logs in by a POSTed form (Flussonic): the form goes
 * to the upstream at once; the only script is the constant one above (by hash); the form may only
 * go to the upstream's origin; the visible button covers browsers with scripts off.
 */
export function handoffPage(form: BrowserForm, upstreamName: string): HtmlAnswer {
  const upstream = escapeHtml(upstreamName);
  const fields = Object.entries(form.fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n      ');
  const title = `Signing you in to ${upstreamName}…`;
  const body = `<h1>${escapeHtml(title)}</h1>
    <p>You are being taken to <strong>${upstream}</strong>.</p>
    <p>If nothing happens, use the button below.</p>
    <form id="login-form" method="post" action="${escapeHtml(form.action)}">
      ${fields}
      <button type="submit">Continue to ${upstream}</button>
    </form>
    <script>${HANDOFF_SCRIPT}</script>`;
  const csp = policy({ script: sha256(HANDOFF_SCRIPT), formAction: new URL(form.action).origin });
  return { status: 200, headers: htmlHeaders(csp), html: page(title, body) };
}

/**
 * Unknown, used, expired or revoked: deliberately one page for all, so it tells whoever holds a
 * URL nothing about it.
 */
export function gonePage(requestId: string): HtmlAnswer {
  return messagePage(
    410,
    'This sign-in link is no longer valid',
    [
      'It has already been used, has expired or was withdrawn. Sign-in links work once and only for a short time.',
      'Go back to the portal you came from and ask for a new one.',
    ],
    requestId,
  );
}

const FAILURE_TEXT: Record<string, string> = {
  tenant_suspended: 'Access through this portal is suspended at the moment. Contact your service provider.',
  connection_not_found: 'The service this link was for is no longer set up. Ask the portal for a new link.',
  launch_cross_site:
    'This sign-in was started by another website, so it was not carried out. Open the link you were given directly.',
};

/** A failed redemption (the link stays usable when nothing reached the browser) or a refused request. */
export function failurePage(status: number, code: string, requestId: string): HtmlAnswer {
  const text =
    FAILURE_TEXT[code] ??
    (status === 429
      ? 'Too many sign-ins right now. Wait a moment, then open the link again.'
      : status >= 500
        ? 'The service is not answering right now. Open the link again in a moment: it stays valid until it expires.'
        : 'The sign-in was refused. Ask the portal you came from for a new link.');
  return messagePage(status, 'We could not sign you in', [text], requestId, `Error ${status} · ${code}`);
}

function messagePage(
  status: number,
  title: string,
  paragraphs: string[],
  requestId: string,
  badge?: string,
): HtmlAnswer {
  const body = `${badge === undefined ? '' : `<p class="badge">${escapeHtml(badge)}</p>`}
    <h1>${escapeHtml(title)}</h1>
    ${paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`).join('\n    ')}
    <p class="note">Request id: <code>${escapeHtml(requestId)}</code></p>`;
  return { status, headers: htmlHeaders(policy({ formAction: "'none'" })), html: page(title, body) };
}

function policy(parts: { script?: string; formAction: string }): string {
  return [
    "default-src 'none'",
    ...(parts.script === undefined ? [] : [`script-src ${parts.script}`]),
    `style-src ${STYLE_HASH}`,
    `form-action ${parts.formAction}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function htmlHeaders(csp: string): Record<string, string> {
  return { ...BASE_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp };
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="robots" content="noindex, nofollow">
    <meta name="referrer" content="no-referrer">
    <title>${escapeHtml(title)}</title>
    <style>${STYLE}</style>
  </head>
  <body>
    <main>
    ${body}
    </main>
  </body>
</html>
`;
}
