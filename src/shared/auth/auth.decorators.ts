import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { MergeRouteConfig } from '../http/route-config.js';
import type { Principal } from './principal.js';
import type { Role } from './role.js';

export const IS_PUBLIC_KEY = 'tds:auth:public';
export const MIN_ROLE_KEY = 'tds:auth:min-role';

/**
 * A route's access rule in its Fastify config too, where the createApp onRequest hook reads it
 * to refuse a caller before the body is read: the guard alone runs only after parsing, so an
 * unauthenticated 10 MiB bulk body would be read and parsed first. Only method-level
 * decorators reach the route config; a class-level one is still enforced by the guard.
 */
export const ROUTE_ACCESS = 'tdsAccess';
export type RouteAccess = { public: true } | { public: false; minRole: Role };

/**
 * The same rule in the OpenAPI document ('public' or the least role), so clients can read it
 * and the auth-matrix test can check every documented route against it.
 */
export const OPENAPI_ACCESS = 'x-tds-access';

function accessRule(metadataKey: string, value: unknown, access: RouteAccess) {
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    SetMetadata(metadataKey, value)(target, key as string | symbol, descriptor as PropertyDescriptor);
    ApiExtension(OPENAPI_ACCESS, access.public ? 'public' : access.minRole)(target, key, descriptor);
    // No lock on a public route in Swagger UI: an empty requirement means "no key".
    if (access.public) ApiSecurity({})(target, key as string | symbol, descriptor as PropertyDescriptor);
    if (descriptor) MergeRouteConfig({ [ROUTE_ACCESS]: access })(target, key as string | symbol, descriptor);
  };
}

/** No API key needed (health, metrics, webhooks that authenticate by signature instead). */
export const Public = (): ClassDecorator & MethodDecorator => accessRule(IS_PUBLIC_KEY, true, { public: true });

/** The least role allowed; higher roles pass too. Routes without it require `viewer`. */
export const Roles = (minimum: Role): ClassDecorator & MethodDecorator =>
  accessRule(MIN_ROLE_KEY, minimum, { public: false, minRole: minimum });

/** The authenticated caller; undefined only on @Public() routes. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal | undefined =>
    ctx.switchToHttp().getRequest<FastifyRequest>().principal,
);
