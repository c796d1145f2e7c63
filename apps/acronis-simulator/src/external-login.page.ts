/**
 * Mirrors the vendor's page (docs/providers/acronis.md#external-login-url): ott and targetURI from
 * the fragment (legacy form) or the query (newer form), POST to ott/login with `X-Acronis-API: 1`,
 * then `location.replace`.
 * On failure the real page stays on "Please wait…"; `data-outcome` lets browser tests see why.
 */
export const EXTERNAL_LOGIN_HTML = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Acronis (simulated) login</title></head>
<body data-outcome="pending">
<p>Please wait…</p>
<script>
(function () {
  var params = {};
  location.hash.substring(1).split('&').forEach(function (pair) {
    var kv = pair.split('=');
    if (kv[0]) params[kv[0]] = kv.slice(1).join('=');
  });
  var query = new URLSearchParams(location.search);
  var ott = params.ott !== undefined ? decodeURIComponent(params.ott) : query.get('ott');
  var target = params.targetURI !== undefined ? decodeURIComponent(params.targetURI) : query.get('targetURI');
  if (!ott) { document.body.dataset.outcome = 'missing-ott'; return; }
  fetch('/api/2/idp/ott/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-Acronis-API': '1' },
    body: JSON.stringify({ ott: ott })
  }).then(function (response) {
    document.body.dataset.outcome = response.status === 200 ? 'redirecting' : 'rejected-' + response.status;
    if (response.status === 200 && target) window.location.replace(target);
  });
})();
</script>
</body>
</html>
`;
