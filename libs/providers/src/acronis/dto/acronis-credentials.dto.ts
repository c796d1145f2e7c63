import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class AcronisClientCredentialsDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  client_id: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  client_secret: string;
}

export class AcronisBearerTokenDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(8192)
  bearer_token: string;
}

export type AcronisCredentials =
  | { kind: 'client_credentials'; value: AcronisClientCredentialsDto }
  | { kind: 'bearer_token'; value: AcronisBearerTokenDto };
