import { Inject, Injectable } from '@nestjs/common';
import { LoginLinkProvider } from './login-link-provider.interface';
import { LOGIN_LINK_PROVIDERS } from './providers.constants';
import { ProviderException, ProviderExceptionCode } from './providers.exception';

@Injectable()
export class ProviderRegistry {
  private readonly byKind: ReadonlyMap<string, LoginLinkProvider>;

  constructor(@Inject(LOGIN_LINK_PROVIDERS) providers: LoginLinkProvider[]) {
    this.byKind = new Map(providers.map((provider) => [provider.kind, provider]));
  }

  /** Throws 400 unknown_provider naming the known kinds. */
  get(kind: string): LoginLinkProvider {
    const provider = this.byKind.get(kind);
    if (provider) return provider;
    throw new ProviderException(
      400,
      ProviderExceptionCode.UNKNOWN_PROVIDER,
      `Unknown provider "${String(kind).slice(0, 64)}"; known providers: ${this.kinds().join(', ')}.`,
    );
  }

  kinds(): string[] {
    return [...this.byKind.keys()];
  }
}
