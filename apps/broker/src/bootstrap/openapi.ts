import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { INestApplication } from '@nestjs/common';
import { API_KEY_SECURITY } from '@app/auth';
import { documentProblems } from './openapi-problems';

/** Swagger UI at /docs and the OpenAPI document at /openapi.json (BRIEF §5, operations). */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('sso-broker')
    .setDescription(
      'Multi-tenant single-sign-on broker: mints upstream login links (Acronis Cyber Protect Cloud, Flussonic Watcher) ' +
        'for customer portals. Every error is `application/problem+json` with a stable `code` and the `request_id`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A broker API key: `Authorization: Bearer sbk_…`' }, API_KEY_SECURITY)
    .build();
  const document = documentProblems(SwaggerModule.createDocument(app, config));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
}
