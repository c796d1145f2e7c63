import type { BrokerRequest, Principal } from '@app/common';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { ApiKeyAuthenticator } from '../api-keys/api-key.authenticator';
import { API_KEY_STRATEGY } from '../auth.constants';
import { AuthExceptionCode, unauthorized } from '../auth.exception';

/**
 * The one authentication path for every role. Failures are thrown as AuthExceptions (passport
 * hands them to ApiKeyAuthGuard.handleRequest) so each gets its own 401 code.
 */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, API_KEY_STRATEGY) {
  constructor(private readonly authenticator: ApiKeyAuthenticator) {
    super({ passReqToCallback: true });
  }

  validate(req: BrokerRequest, token: string): Promise<Principal> {
    // passport-http-bearer also reads access_token from the query and body; a key in a URL ends
    // up in access logs and browser history, so only the Authorization header is accepted.
    if (req.headers.authorization?.split(' ')[1] !== token) {
      throw unauthorized(AuthExceptionCode.MALFORMED_API_KEY, 'Send the API key in the Authorization header only.');
    }
    return this.authenticator.authenticate(token, req.ip);
  }
}
