import { isBrokerException, RequestContext, type RequestOrigin } from '@app/common';
import { Injectable, Logger } from '@nestjs/common';
import { continuePage, failurePage, gonePage, handoffPage, redirectAnswer } from './launch-pages';
import { LaunchRedemptionService } from './launch-redemption.service';

export interface LaunchAnswer {
  status: number;
  headers: Record<string, string>;
  html?: string;
}

/** What the browser gets from /l/{opaque}: always a page or a redirect, never JSON. */
@Injectable()
export class LaunchAnswerService {
  private readonly logger = new Logger(LaunchAnswerService.name);

  constructor(private readonly redemptions: LaunchRedemptionService) {}

  /** GET (and HEAD): the continue page, or why there is none. Redeems nothing. */
  async page(opaque: string, ctx: RequestContext): Promise<LaunchAnswer> {
    return this.guard(ctx, async () => {
      const view = await this.redemptions.view(opaque);
      if (view.kind === 'gone') return gonePage(ctx.requestId);
      if (view.kind === 'unavailable') return failurePage(view.status, view.code, ctx.requestId);
      return continuePage(view);
    });
  }

  /** POST: the one redemption, then the hand-off to the upstream. */
  async redeem(opaque: string, ctx: RequestContext, origin: RequestOrigin): Promise<LaunchAnswer> {
    return this.guard(ctx, async () => {
      const redemption = await this.redemptions.redeem(opaque, ctx, origin);
      if (redemption.kind === 'gone') return gonePage(ctx.requestId);
      if (redemption.kind === 'cross_site') return failurePage(403, 'launch_cross_site', ctx.requestId);
      const { action, upstreamName } = redemption;
      return action.method === 'POST' && action.form
        ? handoffPage(action.form, upstreamName)
        : redirectAnswer(action.url);
    });
  }

  private async guard(ctx: RequestContext, answer: () => Promise<LaunchAnswer>): Promise<LaunchAnswer> {
    try {
      return await answer();
    } catch (error) {
      if (isBrokerException(error))
        return withHeaders(failurePage(error.status, error.code, ctx.requestId), error.headers);
      this.logger.error({ err: error, request_id: ctx.requestId }, 'launch link request failed');
      return failurePage(500, 'internal_error', ctx.requestId);
    }
  }
}

function withHeaders(answer: LaunchAnswer, extra: Record<string, string> | undefined): LaunchAnswer {
  return extra?.['Retry-After']
    ? { ...answer, headers: { ...answer.headers, 'Retry-After': extra['Retry-After'] } }
    : answer;
}
