import { ApiProperty } from '@nestjs/swagger';
import {
  ConnectionPolicyDto,
  LAUNCH_CONFIRMATIONS,
  type ConnectionPolicy,
  type LaunchConfirmation,
} from './connection-policy.dto';

export class CredentialInfoDto {
  @ApiProperty({ enum: ['client_credentials', 'bearer_token', 'api_key'], example: 'client_credentials' })
  kind: string;

  @ApiProperty({ example: 1, description: 'Increments each time the credential is replaced.' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}

/** A connection as the API shows it: the credential's kind and version, never the secret. */
export class ConnectionDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  tenant_id: string;

  @ApiProperty({ example: 'acronis-eu' })
  name: string;

  @ApiProperty({ example: 'acronis' })
  provider: string;

  @ApiProperty({ example: 'https://eu2-cloud.acronis.com' })
  base_url: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  settings: Record<string, unknown>;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 900,
    description: 'Default lifetime of launch links in seconds; null: LAUNCH_LINK_TTL_SECONDS.',
  })
  launch_expires_in: number | null;

  @ApiProperty({ type: ConnectionPolicyDto, description: 'The issuance policy; {} allows everyone.' })
  policy: ConnectionPolicy;

  @ApiProperty({ enum: LAUNCH_CONFIRMATIONS, example: 'auto' })
  launch_confirmation: LaunchConfirmation;

  @ApiProperty({ type: CredentialInfoDto })
  credential: CredentialInfoDto;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}

export class ConnectionPageDto {
  @ApiProperty({ type: [ConnectionDto] })
  data: ConnectionDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}

export class ConnectionCheckDto {
  @ApiProperty({ example: true })
  ok: boolean;

  @ApiProperty({
    example: 'Acronis issued an access token for the configured API client.',
    description: 'Written by the broker; never what the upstream said (that is only logged).',
  })
  detail: string;

  @ApiProperty({
    required: false,
    example: 'upstream_unauthorized',
    description:
      'The error code of a failed check, e.g. upstream_unauthorized, upstream_unreachable (refused, reset and timed-out ' +
      'connects alike) or upstream_address_not_allowed (the egress policy refused the address; nothing was sent).',
  })
  code?: string;
}
