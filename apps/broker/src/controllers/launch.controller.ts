import { Ctx, RequestContext } from '@app/common';
import { Public } from '@app/auth';
import { LaunchAnswerService, type LaunchAnswer } from '@app/links';
import { applyDecorators, Controller, Get, Headers, Param, Post, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiConsumes, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { FORM_BODY_ROUTE } from '../http/json-body';

/**
 * Intentionally public: the unguessable single-use token in the path is the credential. GET only
 * shows the continue page; POST, sent by that page, is the one redemption (docs/links.md#the-launch-page-flow).
 */
/** Every answer of /l/{opaque} is a page (or a redirect), never problem+json: a person reads it. */
const PAGE = { 'text/html': { schema: { type: 'string' } } };
const page = (status: number, description: string) => ApiResponse({ status, description, content: PAGE });
/** What a redemption can fail with upstream or in the broker: the same page, with the code and request id. */
const FAILURE_PAGES = [
  page(429, 'subject_rate_limited or upstream_rate_limited (Retry-After).'),
  page(500, 'internal_error.'),
  page(502, 'upstream_error, upstream_unreachable or upstream_unauthorized.'),
  page(503, 'database_unavailable, audit_unavailable or upstream_circuit_open: nothing was redeemed.'),
  page(504, 'upstream_timeout.'),
];

@ApiTags('login-links')
@Controller('l')
export class LaunchController {
  constructor(private readonly launches: LaunchAnswerService) {}

  @Public()
  @Get(':opaque')
  @ApiOperation({
    operationId: 'openLaunchPage',
    summary: 'Open a launch link (browser): the continue page',
    description:
      'Redeems nothing, mints nothing and records no audit event (HEAD likewise): mail scanners and link previewers that fetch the URL cannot spend it. ' +
      "The page POSTs back to the same URL: at once by a hash-pinned script when the connection's launch_confirmation is auto, only on the person's click when it is click.",
  })
  @ApiProduces('text/html')
  @page(200, 'The continue page.')
  @page(410, 'Unknown, used, expired or revoked (one page for all).')
  @page(403, 'The tenant is suspended.')
  @page(503, 'database_unavailable.')
  async open(@Param('opaque') opaque: string, @Ctx() ctx: RequestContext, @Res() res: FastifyReply): Promise<void> {
    await send(res, await this.launches.page(opaque, ctx));
  }

  @Public()
  @Post(':opaque')
  @RouteConfig({ [FORM_BODY_ROUTE]: true })
  @ApiOperation({
    operationId: 'redeemLaunchLink',
    summary: 'Redeem a launch link (sent by the continue page)',
    description:
      'The single atomic redemption: mints upstream at this moment; every attempt is audited. A request another site started (Sec-Fetch-Site other than same-origin/none, or a foreign Origin) is refused with 403.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiProduces('text/html')
  @ApiResponse({ status: 302, description: 'Redirect to the upstream login URL (Acronis).' })
  @page(200, 'A page that POSTs the upstream login form by itself (Flussonic).')
  @page(403, 'Started by another site, or the tenant is suspended.')
  @page(410, 'Unknown, used, expired or revoked.')
  @applyDecorators(...FAILURE_PAGES)
  async redeem(
    @Param('opaque') opaque: string,
    @Ctx() ctx: RequestContext,
    @Headers('sec-fetch-site') secFetchSite: string | undefined,
    @Headers('origin') origin: string | undefined,
    @Res() res: FastifyReply,
  ): Promise<void> {
    await send(res, await this.launches.redeem(opaque, ctx, { secFetchSite, origin }));
  }
}

async function send(res: FastifyReply, answer: LaunchAnswer): Promise<void> {
  await res
    .status(answer.status)
    .headers(answer.headers)
    .send(answer.html ?? '');
}
