import type { ServerResponse } from 'node:http';
import { sendText } from './http-io';

export interface ConsolePage {
  /** e.g. "Acronis Cyber Protect Cloud (simulated)". */
  product: string;
  /** e.g. "Management console". */
  section: string;
  /** The session's user, or undefined when the request carries no live session. */
  login: string | undefined;
}

const STYLE =
  'body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f3f5f8;color:#172033}' +
  'header{padding:14px 24px;background:#172033;color:#fff;font-weight:600}' +
  'main{max-width:720px;margin:32px auto;padding:0 20px}' +
  '.card{background:#fff;border:1px solid #dde2ea;border-radius:12px;padding:24px}' +
  'h1{font-size:22px;margin:0 0 8px}p{margin:0;color:#4d5669}';

/**
 * The simulated upstream's landing page after a login: it tells who the session belongs to, so
 * a person (or a browser test) sees that the broker's link logged *this* user in. 200 with
 * `data-login` on the body when logged in, 401 otherwise.
 */
export function sendConsolePage(res: ServerResponse, page: ConsolePage): void {
  const heading = page.login === undefined ? 'Not logged in' : `Logged in as ${escapeHtml(page.login)}`;
  const text =
    page.login === undefined
      ? 'This browser has no session. Open a login link first.'
      : `${escapeHtml(page.section)}: logged in as ${escapeHtml(page.login)}.`;
  const html = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.product)} – ${escapeHtml(page.section)}</title><style>${STYLE}</style></head>
<body data-login="${page.login === undefined ? '' : escapeHtml(page.login)}">
<header>${escapeHtml(page.product)}</header>
<main><div class="card"><h1 id="who">${heading}</h1><p>${text}</p></div></main>
</body>
</html>
`;
  sendText(res, page.login === undefined ? 401 : 200, html, 'text/html; charset=utf-8', {
    'Cache-Control': 'no-store',
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
