import {
  AcronisBearerTokenDto,
  AcronisClientCredentialsDto,
  AcronisSettingsDto,
  FlussonicCredentialsDto,
  FlussonicSettingsDto,
} from '@app/providers';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { INestApplication } from '@nestjs/common';
import { API_KEY_SECURITY } from '@app/auth';
import { documentProblems } from './openapi-problems';

/**
 * The broker's OpenAPI document, built from the controllers' decorators. It needs the module graph
 * only, not running providers: `npm run client:generate` builds it from an app created in Nest's
 * preview mode, with no database (libs/client/README.md).
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('sso-broker')
    .setDescription(
      'Multi-tenant single-sign-on broker: mints upstream login links (Acronis Cyber Protect Cloud, Flussonic Watcher) ' +
        'for customer portals. Every error is `application/problem+json` with a stable `code` and the `request_id`.\n\n' +
        'Any route may also answer these edge errors, before it runs: 400 `malformed_json`, 400 `json_too_deep` ' +
        '(nesting deeper than 64), 400 `invalid_characters` (a NUL character, `\\u0000` in a body string or `%00` in the URL: ' +
        'PostgreSQL text cannot hold one), 400 `malformed_body` (a corrupt gzip, deflate or br body), 400 `ambiguous_credentials` ' +
        '(two Authorization headers), 408 `request_timeout` (a client too slow to send its request), 413 `payload_too_large` ' +
        '(body over 64 KiB, also once decoded), 415 `unsupported_media_type` (a body that is not JSON, or another Content-Encoding), ' +
        '429 `rate_limited` (a budget spent, including failed authentications per client IP).',
    )
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'A broker API key: `Authorization: Bearer sbk_…`' },
      API_KEY_SECURITY,
    )
    .build();
  // The providers' settings and credentials schemas: no route names them (a connection's settings
  // and credentials are the provider's to validate), but clients build their forms from them.
  const extraModels = [
    AcronisSettingsDto,
    AcronisClientCredentialsDto,
    AcronisBearerTokenDto,
    FlussonicSettingsDto,
    FlussonicCredentialsDto,
  ];
  return documentProblems(SwaggerModule.createDocument(app, config, { extraModels }));
}

/** Swagger UI at /docs and the OpenAPI document at /openapi.json (docs/api.md#operations). */
export function setupOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
}
