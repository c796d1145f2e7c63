import { applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiCreatedResponse, type ApiResponseOptions } from '@nestjs/swagger';
import type { FastifyInstance, preSerializationHookHandler } from 'fastify';

/** Route config key (`@RouteConfig`) holding a 201 route's Location builder. */
const CREATED_LOCATION = 'createdLocation';

type LocationOf = (created: never) => string;

/**
 * A 201 route: documents the created answer and sets `Location` to the absolute path of what it
 * created (RFC 9110 §15.3.2; docs/api.md#conventions), built from the answer body. The builder
 * rides in the route's Fastify config and is applied by `registerCreatedLocation`'s hook rather
 * than by a Nest interceptor: an interceptor puts the handler behind rxjs and an async-context
 * bind per request, which on the link-issuance route cost ~5% of the broker's CPU
 * (docs/performance.md#the-brokers-pass-issue-15). A route with @Created cannot also carry
 * another @RouteConfig (Nest keeps one config object per handler).
 */
export function Created<T>(options: ApiResponseOptions, location: (created: T) => string): MethodDecorator {
  return applyDecorators(
    ApiCreatedResponse({
      ...options,
      headers: {
        Location: {
          description: 'The absolute path of the created resource.',
          required: true,
          schema: { type: 'string' },
        },
      },
    }),
    RouteConfig({ [CREATED_LOCATION]: location }),
  );
}

/**
 * Sets `Location` on the 201 answers of @Created routes, from the body before it is serialised. The
 * hook is added to those routes only (at registration, from their config): as a global hook it ran,
 * and found nothing to do, on every other answer (docs/performance.md#sixth-pass).
 */
export function registerCreatedLocation(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    const config: { [CREATED_LOCATION]?: LocationOf } | undefined = route.config;
    const location = config?.[CREATED_LOCATION];
    if (location === undefined) return;
    const setLocation: preSerializationHookHandler<unknown> = (_request, reply, payload, done) => {
      if (reply.statusCode === 201) void reply.header('Location', location(payload as never));
      done(null, payload);
    };
    const existing = route.preSerialization;
    route.preSerialization = existing === undefined ? [setLocation] : [existing, setLocation].flat();
  });
}
