import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { ApiCreatedResponse, type ApiResponseOptions } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { map, type Observable } from 'rxjs';

class LocationInterceptor<T> implements NestInterceptor<T, T> {
  constructor(private readonly location: (created: T) => string) {}

  intercept(context: ExecutionContext, next: CallHandler<T>): Observable<T> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((created) => {
        void reply.header('Location', this.location(created));
        return created;
      }),
    );
  }
}

/**
 * A 201 route: documents the created answer and sets `Location` to the absolute path of what it
 * created (RFC 9110 §15.3.2; docs/api.md#conventions), built from the answer body.
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
    UseInterceptors(new LocationInterceptor(location)),
  );
}
