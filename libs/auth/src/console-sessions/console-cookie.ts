import type { Environment } from '@app/config';
import { fastifyCookie, type SerializeOptions } from '@fastify/cookie';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The console session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's
 * request carries it), Path=/ (the console and /v1). Behind https, or in production, it is Secure
 * and named with the `__Host-` prefix, which browsers accept only from a secure origin, without a
 * Domain, on Path=/, so a sibling host cannot plant or shadow it.
 *
 * Read and written with @fastify/cookie's parser and serialiser, called here rather than through
 * the plugin's hooks: those parse the Cookie header and set up a Set-Cookie map on every request,
 * while only the console's requests without an API key ever look at a cookie
 * (docs/performance.md#twelfth-pass).
 */
@Injectable()
export class ConsoleCookie {
  readonly name: string;
  readonly publicOrigin: string;
  private readonly secure: boolean;

  constructor(config: ConfigService<Environment, true>) {
    const base = config.get<string>('PUBLIC_BASE_URL');
    this.publicOrigin = new URL(base).origin;
    this.secure = base.startsWith('https:') || config.get('NODE_ENV', { infer: true }) === 'production';
    this.name = this.secure ? '__Host-sso_console' : 'sso_console';
  }

  read(request: FastifyRequest): string | undefined {
    const header = request.headers.cookie;
    const value = header === undefined ? undefined : fastifyCookie.parse(header)[this.name];
    return value === undefined || value === '' ? undefined : value;
  }

  set(reply: FastifyReply, token: string, maxAgeSeconds: number): void {
    void reply.header(
      'Set-Cookie',
      fastifyCookie.serialize(this.name, token, { ...this.options(), maxAge: maxAgeSeconds }),
    );
  }

  clear(reply: FastifyReply): void {
    void reply.header(
      'Set-Cookie',
      fastifyCookie.serialize(this.name, '', { ...this.options(), maxAge: 0, expires: new Date(0) }),
    );
  }

  private options(): SerializeOptions {
    return { httpOnly: true, sameSite: 'strict', path: '/', secure: this.secure };
  }
}
