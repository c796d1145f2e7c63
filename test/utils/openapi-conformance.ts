import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Every JSON answer a test app gives is validated against the OpenAPI document the broker serves
 * (libs/client/openapi.json, which test/client.e2e-spec.ts proves equal to /openapi.json): the
 * route and status must be documented, with that media type, and the body must match its schema.
 * A mismatch fails the test that caused it (test/setup/openapi-conformance.ts), so the document
 * cannot drift from what the broker does. Answers of routes the document leaves out (Swagger UI,
 * 404 for unknown paths) and non-JSON answers (pages, metrics, exports) are not checked.
 */
interface ResponseObject {
  $ref?: string;
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, { schema?: object }>;
}
interface Document {
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  components: { responses?: Record<string, ResponseObject>; schemas: Record<string, object> };
}

const document = JSON.parse(readFileSync(join(__dirname, '../../libs/client/openapi.json'), 'utf8')) as Document;
/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: null, or what the rest of the schema says (so that
 * a nullable enum or a nullable `allOf: [$ref]` accepts null, as generators read them). `example`
 * and `discriminator` are left for Ajv to ignore (not strict).
 */
function jsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(jsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, jsonSchema(value)]));
  return nullable === true ? { anyOf: [{ type: 'null' }, converted] } : converted;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', components: { schemas: jsonSchema(document.components.schemas) } });
const validators = new Map<string, ValidateFunction>();

const mismatches: string[] = [];
let validated = 0;

/** Installs the check on an app built by createTestApp (before listen). */
export function checkAnswersAgainstDocument(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply, payload) => {
      const template = request.routeOptions.url;
      const type = String(reply.getHeader('content-type') ?? '')
        .split(';')[0]
        .trim();
      if (!template || !/^application\/(problem\+)?json$/.test(type)) return payload;
      if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
      const path = template.replace(/:(\w+)/g, '{$1}');
      const operation = document.paths[path]?.[request.method.toLowerCase()];
      if (!operation) return payload;
      const route = `${request.method} ${path} ${reply.statusCode}`;
      for (const header of requiredHeaders(operation.responses, String(reply.statusCode))) {
        if (reply.getHeader(header) === undefined) mismatches.push(`${route}: no ${header} header`);
      }
      const check = validatorFor(operation.responses, String(reply.statusCode), type, route);
      if (typeof check === 'string') {
        mismatches.push(check);
        return payload;
      }
      validated++;
      let body: unknown;
      try {
        body = JSON.parse(payload.toString());
      } catch {
        mismatches.push(`${route}: the answer is not JSON`);
        return payload;
      }
      if (check && !check(body)) {
        mismatches.push(`${route}: ${ajv.errorsText(check.errors)} in ${payload.toString().slice(0, 300)}`);
      }
      return payload;
    });
}

function requiredHeaders(responses: Record<string, ResponseObject>, status: string): string[] {
  return Object.entries(responses[status]?.headers ?? {})
    .filter(([, header]) => header.required)
    .map(([name]) => name);
}

function validatorFor(
  responses: Record<string, ResponseObject>,
  status: string,
  type: string,
  route: string,
): ValidateFunction | undefined | string {
  let response = responses[status];
  if (!response) return `${route}: status not documented for this route`;
  if (response.$ref) response = document.components.responses![response.$ref.split('/').pop()!];
  const schema = response.content?.[type]?.schema;
  if (!response.content?.[type]) return `${route}: ${type} not documented for this status`;
  if (!schema) return undefined;
  const key = `${route} ${type}`;
  let validate = validators.get(key);
  if (!validate) {
    const text = JSON.stringify(jsonSchema(schema)).replaceAll('"#/components/', '"openapi#/components/');
    validate = ajv.compile(JSON.parse(text) as object);
    validators.set(key, validate);
  }
  return validate;
}

/** The mismatches seen since the last call (test/setup/openapi-conformance.ts fails the test on any). */
export function takeMismatches(): string[] {
  return mismatches.splice(0);
}

/** Adds this test file's count to the run's tally, which the global teardown prints. */
export function reportValidated(): void {
  const file = process.env.SSO_TEST_OPENAPI_TALLY;
  if (file && validated > 0) appendFileSync(file, `${validated}\n`);
  validated = 0;
}
