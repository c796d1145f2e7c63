import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AcronisProvider } from './acronis/acronis.provider';
import { EgressGuard } from './egress/egress-guard';
import { UpstreamResolver } from './egress/upstream-resolver';
import { FlussonicProvider } from './flussonic/flussonic.provider';
import { LoginLinkProvider } from './login-link-provider.interface';
import { ProviderRegistry } from './provider.registry';
import { LOGIN_LINK_PROVIDERS } from './providers.constants';
import { UpstreamHttpClient } from './upstream/upstream-http.client';
import { UPSTREAM_HTTP_OPTIONS, upstreamHttpOptionsFromConfig } from './upstream/upstream-http.options';

/** Adding a provider: one folder under src/ and one entry in `providers` and `inject` below. */
@Module({
  imports: [ConfigModule],
  providers: [
    { provide: UPSTREAM_HTTP_OPTIONS, useFactory: upstreamHttpOptionsFromConfig, inject: [ConfigService] },
    UpstreamResolver,
    EgressGuard,
    UpstreamHttpClient,
    AcronisProvider,
    FlussonicProvider,
    {
      provide: LOGIN_LINK_PROVIDERS,
      useFactory: (...providers: LoginLinkProvider[]) => providers,
      inject: [AcronisProvider, FlussonicProvider],
    },
    ProviderRegistry,
  ],
  exports: [ProviderRegistry, EgressGuard, UpstreamResolver],
})
export class ProvidersModule {}
