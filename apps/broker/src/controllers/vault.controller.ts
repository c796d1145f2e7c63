import { Auth } from '@app/auth';
import { Ctx, RequestContext } from '@app/common';
import { RewrapResult, VaultRewrapService } from '@app/vault';
import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

@ApiTags('vault')
@Controller('v1/vault')
export class VaultController {
  constructor(private readonly rewrapper: VaultRewrapService) {}

  @Post('rewrap')
  @HttpCode(200)
  @Auth({ roles: ['admin'] })
  @ApiOperation({
    operationId: 'rewrapVault',
    summary: 'Re-wrap every stored secret under the newest master key',
    description:
      'Online, in committed batches; idempotent and resumable. Only data keys are re-encrypted. Once `remaining` is 0 ' +
      'on every instance, older master keys can be removed from BROKER_MASTER_KEYS.',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        rewrapped: { type: 'integer' },
        already_current: { type: 'integer' },
        failed: { type: 'integer' },
        remaining: { type: 'integer' },
        current_version: { type: 'string', example: 'v2' },
      },
    },
  })
  rewrap(@Ctx() ctx: RequestContext): Promise<RewrapResult> {
    return this.rewrapper.rewrapAll(ctx);
  }
}
