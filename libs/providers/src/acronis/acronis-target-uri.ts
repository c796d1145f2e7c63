import { normalizeHttpUrl } from '../http-url';
import { ProviderException, ProviderExceptionCode } from '../providers.exception';
import { AcronisSettings } from './dto/acronis-settings.dto';

/**
 * The page the browser lands on after login: the requested URI only if it is on the allow-list
 * (exact match after URL normalisation: no open redirect), else the configured default, else the
 * management console `{base}/mc/` (docs/providers/acronis.md#external-login-url).
 */
export function resolveTargetUri(settings: AcronisSettings, baseUrl: string, requested?: string): string {
  if (requested === undefined) return settings.default_target_uri ?? `${baseUrl}/mc/`;
  const normalized = normalizeHttpUrl(requested);
  const allowed = settings.allowed_target_uris.map(normalizeHttpUrl);
  if (normalized === undefined || !allowed.includes(normalized)) {
    throw new ProviderException(
      400,
      ProviderExceptionCode.TARGET_URI_NOT_ALLOWED,
      "target_uri is not in this connection's allowed_target_uris.",
    );
  }
  return normalized;
}

export function externalLoginUrl(baseUrl: string, ott: string, targetUri: string): string {
  // The fragment never reaches a server, so the OTT stays out of access logs and Referer headers.
  return `${baseUrl}/api/2/idp/external-login#ott=${encodeURIComponent(ott)}&targetURI=${encodeURIComponent(targetUri)}`;
}
