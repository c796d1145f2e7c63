import { type BrokerRequest, Ctx, isCrossSite, type RequestContext } from '@app/common';
import {
  Auth,
  AuthException,
  AuthExceptionCode,
  ConsoleCookie,
  ConsoleSessionDto,
  ConsoleSessionsService,
  CreateConsoleSessionDto,
  CurrentConsoleSession,
  type CurrentConsoleSessionValue,
  Public,
} from '@app/auth';
import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Created } from '../http/location';

const CONSOLE_SESSION_PATH = '/v1/console/session';

const COOKIE_NOTE =
  'The session is an HttpOnly, SameSite=Strict cookie (Secure behind https); with it, every POST, PATCH, PUT and DELETE on /v1 needs X-CSRF-Token (csrf_token) and a same-origin request.';

/** The web console's sign-in (docs/architecture.md#console-sessions). */
@ApiTags('console')
@Controller('v1/console/session')
export class ConsoleSessionController {
  constructor(
    private readonly sessions: ConsoleSessionsService,
    private readonly cookie: ConsoleCookie,
  ) {}

  @Post()
  @Public()
  @ApiOperation({
    operationId: 'createConsoleSession',
    summary: 'Sign in to the web console with an admin or auditor key',
    description: `Exchanges the key for a session that acts as it; the key is not kept by the browser. ${COOKIE_NOTE} Failed sign-ins count against the address's failed-authentication budget and are audited (console.sign_in_failed).`,
  })
  @Created(
    { type: ConsoleSessionDto, description: 'Signed in; the answer sets the session cookie.' },
    () => CONSOLE_SESSION_PATH,
  )
  @ApiUnauthorizedResponse({ description: 'malformed_api_key, invalid_api_key, revoked_api_key, expired_api_key' })
  @ApiForbiddenResponse({
    description:
      'console_role_not_allowed (portal key), tenant_suspended, cross_site_request (another site started it)',
  })
  @ApiTooManyRequestsResponse({ description: 'rate_limited: too many failed authentications from this address' })
  async signIn(
    @Body() dto: CreateConsoleSessionDto,
    @Req() request: BrokerRequest,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConsoleSessionDto> {
    const origin = { secFetchSite: header(request, 'sec-fetch-site'), origin: header(request, 'origin') };
    if (isCrossSite(origin, this.cookie.publicOrigin)) {
      throw new AuthException(403, AuthExceptionCode.CROSS_SITE_REQUEST, 'Sign in from the console itself.');
    }
    const opened = await this.sessions.signIn(dto.api_key, ctx);
    this.cookie.set(reply, opened.token, opened.maxAgeSeconds);
    reply.header('Cache-Control', 'no-store');
    return opened.body;
  }

  @Get()
  @Auth({ roles: ['admin', 'auditor'] })
  @ApiOperation({
    operationId: 'getConsoleSession',
    summary: 'The current console session: who is signed in',
    description: `Role, tenant scope and key name, and the csrf_token to send. ${COOKIE_NOTE}`,
  })
  @ApiOkResponse({ type: ConsoleSessionDto })
  @ApiUnauthorizedResponse({
    description: 'invalid_console_session: ended, or its key revoked or its tenant suspended',
  })
  @ApiNotFoundResponse({ description: 'console_session_not_found: called with a bearer key' })
  whoAmI(
    @CurrentConsoleSession() current: CurrentConsoleSessionValue,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): ConsoleSessionDto {
    reply.header('Cache-Control', 'no-store');
    return this.sessions.describe(current.token, current.session);
  }

  @Delete()
  @HttpCode(204)
  @Auth({ roles: ['admin', 'auditor'] })
  @ApiOperation({
    operationId: 'deleteConsoleSession',
    summary: 'Sign out of the web console',
    description: COOKIE_NOTE,
  })
  @ApiNoContentResponse({ description: 'Signed out; the cookie is cleared.' })
  @ApiForbiddenResponse({ description: 'cross_site_request, invalid_csrf_token' })
  @ApiNotFoundResponse({ description: 'console_session_not_found: called with a bearer key' })
  async signOut(
    @CurrentConsoleSession() current: CurrentConsoleSessionValue,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.sessions.signOut(current.session, ctx);
    this.cookie.clear(reply);
  }
}

function header(request: BrokerRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}
