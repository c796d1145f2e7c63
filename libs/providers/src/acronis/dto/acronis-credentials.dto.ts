import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Field documentation of every provider DTO feeds the connection schemas of /openapi.json (docs/api.md). */
export class AcronisClientCredentialsDto {
  @ApiProperty({ maxLength: 256, example: 'c0ffee00-1111-4222-8333-444455556666', description: 'API client id.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  client_id: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  @ApiProperty({ maxLength: 1024, writeOnly: true, example: 'api-client-secret', description: 'API client secret.' })
  client_secret: string;
}

export class AcronisBearerTokenDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(8192)
  @ApiProperty({
    maxLength: 8192,
    writeOnly: true,
    example: 'eyJhbGciOi…',
    description: 'A bearer token used as is (no client credentials grant).',
  })
  bearer_token: string;
}

export type AcronisCredentials =
  | { kind: 'client_credentials'; value: AcronisClientCredentialsDto }
  | { kind: 'bearer_token'; value: AcronisBearerTokenDto };
