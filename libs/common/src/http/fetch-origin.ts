/** What the browser says about where a request comes from (Fetch Metadata and Origin). */
export interface RequestOrigin {
  /** `Sec-Fetch-Site`: same-origin, same-site, cross-site or none (typed, bookmarked). */
  secFetchSite?: string;
  origin?: string;
}

/**
 * Whether a POST was started by another site: a launch redemption (docs/links.md#threat-model),
 * or a console sign-in (a login CSRF would sign the visitor in as someone else). The token
 * in a launch path is the credential, so a site that does not know it cannot redeem anything; these
 * checks stop a site that knows *a* token (its own link, say) from making a visitor's browser
 * redeem it invisibly (a cross-site form aimed at a hidden frame, a login CSRF) whatever the
 * cookies' SameSite, because the launch pages set no cookie at all:
 * - `Sec-Fetch-Site`, sent by every current browser, must be `same-origin` (our continue page)
 *   or `none` (a person's own navigation); `same-site` is refused too (another app on a sibling
 *   host is another party);
 * - `Origin`, when present and not `null`, must be the broker's public origin. Our page sends
 *   `Origin: null` (its Referrer-Policy is no-referrer), which proves nothing either way, so
 *   Sec-Fetch-Site decides; a client sending neither header (curl, an old browser) is not a
 *   browser being steered by another site, and is let through.
 */
export function isCrossSite(request: RequestOrigin, publicOrigin: string): boolean {
  const site = request.secFetchSite?.trim().toLowerCase();
  if (site !== undefined && site !== '' && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.origin?.trim();
  if (origin === undefined || origin === '' || origin === 'null') return false;
  return origin.toLowerCase() !== publicOrigin.toLowerCase();
}
