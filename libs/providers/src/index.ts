export * from './login-link-provider.interface';
export * from './providers.constants';
export * from './providers.exception';
export * from './provider.registry';
export * from './providers.module';
export { UPSTREAM_HTTP_OPTIONS } from './upstream/upstream-http.options';
export type { UpstreamHttpOptions } from './upstream/upstream-http.options';
export { validateSchema } from './validate-schema';
export type { SchemaResult } from './validate-schema';
export { HTTP_URL_OPTIONS, normalizeHttpUrl } from './http-url';
export { AddressPolicy, LOOPBACK_NETWORKS } from './egress/address-policy';
export type { AddressVerdict } from './egress/address-policy';
export { EgressPolicy } from './egress/egress-policy';
export { EgressGuard, EgressRefusedError } from './egress/egress-guard';
export type { BaseUrlVerdict } from './egress/egress-guard';
export { UpstreamResolver } from './egress/upstream-resolver';
export type { ResolvedAddress } from './egress/upstream-resolver';
// The providers' own schemas of `settings` and `credentials`, published in the OpenAPI document
// (the console builds its connection forms from them).
export { AcronisSettingsDto } from './acronis/dto/acronis-settings.dto';
export { AcronisBearerTokenDto, AcronisClientCredentialsDto } from './acronis/dto/acronis-credentials.dto';
export { FlussonicSettingsDto } from './flussonic/dto/flussonic-settings.dto';
export { FlussonicCredentialsDto } from './flussonic/dto/flussonic-credentials.dto';
