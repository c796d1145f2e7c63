import { isBrokerException, RequestContext } from '@app/common';
import { Injectable, Logger } from '@nestjs/common';
import { autoSubmitPage, failurePage, gonePage, redirectAnswer } from './launch-pages';
import { LaunchRedemptionService } from './launch-redemption.service';

export interface LaunchAnswer {
  status: number;
  headers: Record<string, string>;
  html?: string;
}

/** What the browser gets from GET /l/{opaque}: always a page or a redirect, never JSON. */
@Injectable()
export class LaunchAnswerService {
  private readonly logger = new Logger(LaunchAnswerService.name);

  constructor(private readonly redemptions: LaunchRedemptionService) {}

  async answer(opaque: string, ctx: RequestContext): Promise<LaunchAnswer> {
    try {
      const redemption = await this.redemptions.redeem(opaque, ctx);
      if (redemption.kind === 'gone') return gonePage(ctx.requestId);
      const { action } = redemption;
      return action.method === 'POST' && action.form ? autoSubmitPage(action.form) : redirectAnswer(action.url);
    } catch (error) {
      if (isBrokerException(error))
        return withHeaders(failurePage(error.status, error.code, ctx.requestId), error.headers);
      this.logger.error({ err: error, request_id: ctx.requestId }, 'launch link redemption failed');
      return failurePage(500, 'internal_error', ctx.requestId);
    }
  }
}

function withHeaders(answer: LaunchAnswer, extra: Record<string, string> | undefined): LaunchAnswer {
  return extra?.['Retry-After']
    ? { ...answer, headers: { ...answer.headers, 'Retry-After': extra['Retry-After'] } }
    : answer;
}
