import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Acronis credentials, kind client_credentials: an API client of the partner tenant (docs/providers/acronis.md). */
export class AcronisClientCredentialsDto {
  @ApiProperty({ maxLength: 256, description: 'The API client id.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  client_id: string;

  @IsString()
  @IsNotEmpty()
  @ApiProperty({ maxLength: 1024, description: 'The API client secret (write-only).', format: 'password' })
  @MaxLength(1024)
  client_secret: string;
}

/** Acronis credentials, kind bearer_token: a ready access token instead of an API client. */
export class AcronisBearerTokenDto {
  @ApiProperty({ maxLength: 8192, description: 'An Acronis access token (write-only).', format: 'password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(8192)
  bearer_token: string;
}

export type AcronisCredentials =
  | { kind: 'client_credentials'; value: AcronisClientCredentialsDto }
  | { kind: 'bearer_token'; value: AcronisBearerTokenDto };
