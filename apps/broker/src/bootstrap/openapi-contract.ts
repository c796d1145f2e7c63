import type { OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ParameterObject,
  PathItemObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { PROVIDER_MODELS } from '@app/providers';
import { REQUEST_EXAMPLES } from './openapi-examples';

type Operation = OperationObject & { responses: Record<string, ResponseObject | ReferenceObject> };

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const PROBLEM = { $ref: '#/components/schemas/Problem' };
const REQUEST_ID = '0b6f2f0e-8a0a-4d4e-9d0f-5f3c0e1c2a77';

/** Answers any route of a kind may give, before or around its handler (docs/api.md#errors). */
const SHARED_ANSWERS: Record<string, { status: number; title: string; code: string; description: string }> = {
  BadRequest: {
    status: 400,
    title: 'Bad Request',
    code: 'validation_failed',
    description:
      'validation_failed (errors[{field, message}]), invalid_id (a path id that is not a UUID), malformed_json, ' +
      'json_too_deep, invalid_characters (NUL), malformed_body, ambiguous_credentials.',
  },
  Unauthorized: {
    status: 401,
    title: 'Unauthorized',
    code: 'missing_api_key',
    description: 'missing_api_key, malformed_api_key, invalid_api_key, revoked_api_key or expired_api_key.',
  },
  Forbidden: {
    status: 403,
    title: 'Forbidden',
    code: 'forbidden_role',
    description:
      "forbidden_role (the key's role may not call this route), or a tenant-bound key naming another tenant.",
  },
  NotFound: { status: 404, title: 'Not Found', code: 'tenant_not_found', description: 'tenant_not_found.' },
  RequestTimeout: {
    status: 408,
    title: 'Request Timeout',
    code: 'request_timeout',
    description: 'request_timeout: the client was too slow to send its request.',
  },
  PayloadTooLarge: {
    status: 413,
    title: 'Payload Too Large',
    code: 'payload_too_large',
    description: 'payload_too_large: the body is over 64 KiB (also once decoded).',
  },
  UnsupportedMediaType: {
    status: 415,
    title: 'Unsupported Media Type',
    code: 'unsupported_media_type',
    description: 'unsupported_media_type: a body that is not JSON, or another Content-Encoding.',
  },
  TooManyRequests: {
    status: 429,
    title: 'Too Many Requests',
    code: 'rate_limited',
    description: 'rate_limited: a budget is spent (per key, tenant or client IP); Retry-After says when to retry.',
  },
  InternalError: {
    status: 500,
    title: 'Internal Server Error',
    code: 'internal_error',
    description:
      'internal_error: a fault of the broker; the detail names nothing internal, the request id finds the log line.',
  },
  ServiceUnavailable: {
    status: 503,
    title: 'Service Unavailable',
    code: 'database_unavailable',
    description: 'database_unavailable: nothing was done; retry shortly (Retry-After).',
  },
};

const PATH_PARAMETERS: Record<string, string> = {
  tenant_id: "The tenant's id.",
  connection_id: "The connection's id.",
  id: 'The id.',
};

/**
 * Makes the document one a client generator can trust (docs/api.md#the-openapi-document): every
 * operation has a readable operationId, declares its security (`[]` for public routes) and its path
 * parameters, and documents every status it can answer, the edge's shared ones included as
 * `components.responses`; connections carry each provider's own settings and credentials as
 * `oneOf` schemas with a discriminator on `provider`. Throws when a route has no operationId of its
 * own, so that a new route cannot slip into the document under a generated name.
 */
export function documentContract(document: OpenAPIObject): OpenAPIObject {
  const schemes = document.components?.securitySchemes ?? {};
  for (const scheme of Object.values(schemes)) delete (scheme as { bearerFormat?: string }).bearerFormat;
  document.components = {
    ...document.components,
    responses: {
      ...document.components?.responses,
      ...Object.fromEntries(Object.entries(SHARED_ANSWERS).map(([name, answer]) => [name, problemResponse(answer)])),
    },
  };
  const used = new Set<string>();
  for (const [path, item] of Object.entries<PathItemObject>(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Operation | undefined;
      if (!operation) continue;
      if (!operation.operationId || !/^[a-z][A-Za-z]+$/.test(operation.operationId)) {
        throw new Error(`${method.toUpperCase()} ${path}: give it an operationId in @ApiOperation (camelCase)`);
      }
      declarePathParameters(path, operation);
      addRequestExamples(`${method.toUpperCase()} ${path}`, operation);
      const secured = operation.security !== undefined && operation.security.length > 0;
      if (!secured) operation.security = [];
      if (path.startsWith('/v1/')) addSharedAnswers(operation, method, secured, used);
      else addEdgeAnswers(operation, method, used);
      // The launch routes are limited per client IP (docs/api.md#rate-limits).
      if (path.startsWith('/l/')) sharedAnswer(operation, used)('429', 'TooManyRequests');
    }
  }
  const responses = document.components.responses!;
  for (const name of Object.keys(SHARED_ANSWERS)) if (!used.has(name)) delete responses[name];
  documentProviderConnections(document);
  return document;
}

/** Named, valid examples replace the one Swagger UI would assemble from every property's example. */
function addRequestExamples(route: string, operation: Operation): void {
  const body = operation.requestBody as { content?: Record<string, { examples?: unknown }> } | undefined;
  const json = body?.content?.['application/json'];
  if (!json) return;
  const examples = REQUEST_EXAMPLES[operation.operationId!];
  if (!examples) throw new Error(`${route}: add its request examples to REQUEST_EXAMPLES (openapi-examples.ts)`);
  json.examples = examples;
}

function problemResponse(answer: (typeof SHARED_ANSWERS)[string]): ResponseObject {
  return {
    description: answer.description,
    content: {
      'application/problem+json': {
        schema: PROBLEM,
        example: {
          type: `urn:sso-broker:problem:${answer.code}`,
          title: answer.title,
          status: answer.status,
          detail: answer.description,
          code: answer.code,
          request_id: REQUEST_ID,
        },
      },
    },
  };
}

function declarePathParameters(path: string, operation: Operation): void {
  const parameters = (operation.parameters ??= []) as ParameterObject[];
  for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
    if (parameters.some((p) => p.in === 'path' && p.name === name)) continue;
    parameters.unshift({
      name,
      in: 'path',
      required: true,
      description: PATH_PARAMETERS[name],
      schema: { type: 'string', format: 'uuid' },
    });
  }
}

function sharedAnswer(operation: Operation, used: Set<string>) {
  return (status: string, name: string) => {
    const own = operation.responses[status];
    if (own && !('content' in own && own.content && !own.content['application/problem+json'])) return;
    used.add(name);
    if (!own) {
      operation.responses[status] = { $ref: `#/components/responses/${name}` };
      return;
    }
    // A page route's own answer (text/html) for a status the guards may also answer as problem+json.
    own.content!['application/problem+json'] = problemResponse(SHARED_ANSWERS[name]).content![
      'application/problem+json'
    ];
  };
}

/**
 * What the edge answers on any route before its handler runs, as problem+json (also on the launch
 * pages' routes): a bad URL or body, a slow client, and a body the edge refuses, which any POST,
 * PUT, PATCH or DELETE may be sent with, whether the route reads one or not.
 */
function addEdgeAnswers(operation: Operation, method: string, used: Set<string>): void {
  const add = sharedAnswer(operation, used);
  add('400', 'BadRequest');
  add('408', 'RequestTimeout');
  if (method !== 'get') {
    add('413', 'PayloadTooLarge');
    add('415', 'UnsupportedMediaType');
  }
}

/** The statuses every /v1 route can answer besides its own: the edge, authentication, limits, faults, the database. */
function addSharedAnswers(operation: Operation, method: string, secured: boolean, used: Set<string>): void {
  const add = sharedAnswer(operation, used);
  addEdgeAnswers(operation, method, used);
  if (secured) {
    add('401', 'Unauthorized');
    add('403', 'Forbidden');
  }
  if ((operation.parameters as ParameterObject[]).some((p) => p.in === 'path' && p.name === 'tenant_id')) {
    add('404', 'NotFound');
  }
  add('429', 'TooManyRequests');
  add('500', 'InternalError');
  add('503', 'ServiceUnavailable');
}

/**
 * CreateConnectionDto and ConnectionDto become one schema per provider kind, each naming that
 * kind's settings and credentials schemas (from PROVIDER_MODELS), joined by a `oneOf` with a
 * discriminator on `provider`. A PATCH or PUT names no provider, so there the kinds' schemas are an
 * `anyOf`.
 */
function documentProviderConnections(document: OpenAPIObject): void {
  const schemas = document.components!.schemas as Record<string, SchemaObject>;
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const kinds = Object.entries(PROVIDER_MODELS).map(([kind, models]) => {
    const title = kind[0].toUpperCase() + kind.slice(1);
    const credentialNames = Object.values(models.credentials).map((dto) => dto.name);
    const credentials: SchemaObject | ReferenceObject =
      credentialNames.length === 1 ? ref(credentialNames[0]) : { oneOf: credentialNames.map(ref) };
    return { kind, title, settings: models.settings.name, credentialNames, credentials };
  });
  for (const model of Object.values(PROVIDER_MODELS)) {
    for (const dto of [model.settings, ...Object.values(model.credentials)]) {
      const schema = schemas[dto.name];
      if (!schema) throw new Error(`${dto.name} is not in the document: list it in extraModels`);
      // The providers refuse unknown fields (forbidNonWhitelisted), and so does the schema.
      schema.additionalProperties = false;
    }
  }

  const variants = (base: string, withCredentials: boolean) => {
    const source = schemas[base];
    const mapping: Record<string, string> = {};
    for (const k of kinds) {
      const name = `${k.title}${base}`;
      const properties = { ...source.properties } as Record<string, SchemaObject | ReferenceObject>;
      const provider = properties.provider as SchemaObject;
      properties.provider = { type: 'string', enum: [k.kind], description: provider.description };
      properties.settings = ref(k.settings);
      if (withCredentials) properties.credentials = k.credentials;
      schemas[name] = { ...source, properties };
      mapping[k.kind] = `#/components/schemas/${name}`;
    }
    schemas[base] = {
      description: source.description,
      oneOf: Object.values(mapping).map(($ref) => ({ $ref })),
      discriminator: { propertyName: 'provider', mapping },
    };
  };
  variants('CreateConnectionDto', true);
  variants('ConnectionDto', false);

  const update = schemas.UpdateConnectionDto.properties as Record<string, SchemaObject>;
  update.settings = { ...update.settings, anyOf: kinds.map((k) => ref(k.settings)) };
  delete update.settings.type;
  delete update.settings.additionalProperties;
  update.credentials = { ...update.credentials, anyOf: kinds.flatMap((k) => k.credentialNames.map(ref)) };
  delete update.credentials.type;
  delete update.credentials.additionalProperties;
}
