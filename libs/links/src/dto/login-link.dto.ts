import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LoginLinkFormDto {
  @ApiProperty() action!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) fields!: Record<string, string>;
}

export class LoginLinkDto {
  @ApiProperty() id!: string;
  @ApiProperty() tenant_id!: string;
  @ApiProperty() connection_id!: string;
  @ApiProperty({ example: 'acronis' }) provider!: string;
  @ApiProperty({ enum: ['direct', 'launch'] }) delivery!: 'direct' | 'launch';
  @ApiProperty({ enum: ['GET', 'POST'] }) method!: 'GET' | 'POST';
  @ApiProperty({ description: 'Open (GET) or POST to this URL; launch: the broker URL /l/{opaque}.' }) url!: string;
  @ApiPropertyOptional({ type: LoginLinkFormDto }) form?: LoginLinkFormDto;
  @ApiProperty({ description: 'When the link (launch) or the upstream token (direct) stops working.' })
  expires_at!: string;
}
