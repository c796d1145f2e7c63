import { ApiProperty } from '@nestjs/swagger';
import { LoginLinkUserDto } from './login-link-user.dto';

export const LINK_STATUSES = ['issued', 'redeemed', 'expired', 'revoked'] as const;

/** A link as GET /v1/login-links/{id} shows it: its state and times, never its token or URL. */
export class LoginLinkStatusDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty({ format: 'uuid' }) connection_id!: string;
  @ApiProperty({ example: 'flussonic' }) provider!: string;
  @ApiProperty({ enum: ['direct', 'launch'] }) delivery!: 'direct' | 'launch';
  @ApiProperty({ type: LoginLinkUserDto, description: 'The upstream user the link is for, as the request named it.' })
  user!: LoginLinkUserDto;
  @ApiProperty({
    enum: LINK_STATUSES,
    description:
      'issued: not used yet and not expired (a direct link stays issued until its upstream token expires: the broker does not see it used); redeemed: a launch link that signed someone in; expired; revoked.',
  })
  status!: (typeof LINK_STATUSES)[number];
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) redeemed_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revoked_at!: string | null;
}
