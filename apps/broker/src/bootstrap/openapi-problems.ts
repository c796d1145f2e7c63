import type { OpenAPIObject } from '@nestjs/swagger';

const TITLES: Record<string, string> = {
  '400': 'Bad Request',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'Not Found',
  '409': 'Conflict',
  '410': 'Gone',
  '413': 'Payload Too Large',
  '415': 'Unsupported Media Type',
  '422': 'Unprocessable Content',
  '429': 'Too Many Requests',
  '500': 'Internal Server Error',
  '502': 'Bad Gateway',
  '503': 'Service Unavailable',
  '504': 'Gateway Timeout',
};

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details; `code` is the stable identifier to branch on.',
  required: ['type', 'title', 'status', 'detail', 'code', 'request_id'],
  properties: {
    type: { type: 'string', example: 'urn:sso-broker:problem:validation_failed' },
    title: { type: 'string', example: 'Bad Request' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'The request is invalid; see errors for each field.' },
    code: { type: 'string', example: 'validation_failed' },
    request_id: { type: 'string', example: '0b6f2f0e-8a0a-4d4e-9d0f-5f3c0e1c2a77' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: { type: 'string', example: 'name' },
          message: { type: 'string', example: 'name must be a string' },
        },
      },
    },
  },
};

/**
 * Every error answer is application/problem+json (one global filter), so every documented
 * 4xx/5xx gets the Problem schema and an example whose `code` is the first code its
 * description names: controllers describe which codes, this describes their shape.
 */
export function documentProblems(document: OpenAPIObject): OpenAPIObject {
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA },
  };
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations) as Array<{
      responses?: Record<string, { description?: string; content?: unknown }>;
    }>) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (Number(status) < 400 || response.content) continue;
        const code =
          /\b[a-z]+(?:_[a-z]+)+\b/.exec(response.description ?? '')?.[0] ??
          (Number(status) >= 500 ? 'internal_error' : 'bad_request');
        response.content = {
          'application/problem+json': {
            schema: { $ref: '#/components/schemas/Problem' },
            example: {
              type: `urn:sso-broker:problem:${code}`,
              title: TITLES[status] ?? 'Error',
              status: Number(status),
              detail: response.description ?? '',
              code,
              request_id: '0b6f2f0e-8a0a-4d4e-9d0f-5f3c0e1c2a77',
            },
          },
        };
      }
    }
  }
  return document;
}
