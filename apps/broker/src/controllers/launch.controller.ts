import { Ctx, RequestContext } from '@app/common';
import { Public } from '@app/auth';
import { LaunchAnswerService } from '@app/links';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

@ApiTags('login-links')
@Controller('l')
export class LaunchController {
  constructor(private readonly launches: LaunchAnswerService) {}

  /** Intentionally public: the unguessable single-use token in the path is the credential. */
  @Public()
  @Get(':opaque')
  @ApiOperation({
    summary: 'Open a launch link (browser)',
    description: 'First use signs the user in upstream; every attempt is audited.',
  })
  @ApiProduces('text/html')
  @ApiResponse({ status: 302, description: 'Redirect to the upstream login URL.' })
  @ApiResponse({ status: 200, description: 'A page that POSTs the upstream login form by itself.' })
  @ApiResponse({ status: 410, description: 'Unknown, expired or already used.' })
  async open(@Param('opaque') opaque: string, @Ctx() ctx: RequestContext, @Res() res: FastifyReply): Promise<void> {
    const answer = await this.launches.answer(opaque, ctx);
    await res
      .status(answer.status)
      .headers(answer.headers)
      .send(answer.html ?? '');
  }
}
