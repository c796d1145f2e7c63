import { randomBytes } from 'node:crypto';
import { CheckResult } from '../login-link-provider.interface';
import { ProviderException, ProviderExceptionCode } from '../providers.exception';
import { FlussonicCredentials } from './dto/flussonic-credentials.dto';
import { FlussonicApi, FlussonicTarget } from './flussonic-api';

/**
 * v2 reads one user with the key. Legacy Watcher has no documented read endpoint, so the probe asks
 * for an autologin token for a random login that cannot exist, valid for 10 s: "no such user" (404)
 * or a token means the key passed authentication; WrongApikey/ApikeyExpired means it did not. Any
 * other refusal cannot tell the two apart (unknown-user status is INFERRED) and is reported as such.
 */
export async function checkFlussonicKey(
  api: FlussonicApi,
  target: FlussonicTarget,
  credentials: FlussonicCredentials,
): Promise<CheckResult> {
  if (credentials.auth_mode === 'v2') {
    await api.listOneUser(target, credentials);
    return { ok: true, detail: 'Flussonic accepted the API key (v2).' };
  }
  const probe = {
    login: `sso-broker-check-${randomBytes(8).toString('hex')}`,
    valid_till: Math.floor(Date.now() / 1000) + 10,
  };
  try {
    await api.generateAutologinToken(target, credentials, probe, 'check');
  } catch (error) {
    if (!(error instanceof ProviderException) || error.code !== ProviderExceptionCode.UPSTREAM_USER_NOT_FOUND)
      throw error;
  }
  return { ok: true, detail: 'Flussonic accepted the admin token built from the API key (legacy).' };
}

export function failedCheck(error: ProviderException): CheckResult {
  const keyVerdict =
    error.code === ProviderExceptionCode.UPSTREAM_UNAUTHORIZED ? '' : 'Could not confirm the API key: ';
  return { ok: false, detail: `${keyVerdict}${error.detail}`, code: error.code };
}
