import { AcronisBearerTokenDto, AcronisClientCredentialsDto } from './acronis/dto/acronis-credentials.dto';
import { AcronisSettingsDto } from './acronis/dto/acronis-settings.dto';
import { FlussonicCredentialsDto } from './flussonic/dto/flussonic-credentials.dto';
import { FlussonicSettingsDto } from './flussonic/dto/flussonic-settings.dto';

/**
 * Each provider kind's settings DTO and accepted credential DTOs. The providers validate with these,
 * and the OpenAPI document derives each kind's connection schema from them (a `oneOf` with a
 * discriminator on `provider`), so the document lists exactly the fields the broker accepts.
 */
export interface ProviderModel {
  settings: new () => object;
  /** By credential kind. */
  credentials: Readonly<Record<string, new () => object>>;
}

export const PROVIDER_MODELS: Readonly<Record<'acronis' | 'flussonic', ProviderModel>> = {
  acronis: {
    settings: AcronisSettingsDto,
    credentials: { client_credentials: AcronisClientCredentialsDto, bearer_token: AcronisBearerTokenDto },
  },
  flussonic: {
    settings: FlussonicSettingsDto,
    credentials: { api_key: FlussonicCredentialsDto },
  },
};
