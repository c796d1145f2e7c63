import { invalidInput, parseOrThrow } from '../parse-or-throw';
import { isRecord } from '../upstream/upstream-answer';
import { AcronisBearerTokenDto, AcronisClientCredentialsDto, AcronisCredentials } from './dto/acronis-credentials.dto';

/** Exactly one shape: an API client `{client_id, client_secret}` or a pasted `{bearer_token}`. */
export function parseAcronisCredentials(raw: unknown): AcronisCredentials {
  if (isRecord(raw) && 'bearer_token' in raw) {
    if ('client_id' in raw || 'client_secret' in raw) {
      throw invalidInput('credentials', [
        { field: 'credentials', message: 'give either client_id and client_secret, or bearer_token, not both' },
      ]);
    }
    return { kind: 'bearer_token', value: parseOrThrow(AcronisBearerTokenDto, raw, 'credentials') };
  }
  return { kind: 'client_credentials', value: parseOrThrow(AcronisClientCredentialsDto, raw, 'credentials') };
}
