import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal.js';
import type { Role } from './role.js';

export const IS_PUBLIC_KEY = 'tds:auth:public';
export const MIN_ROLE_KEY = 'tds:auth:min-role';

/** No API key needed (health, metrics, webhooks that authenticate by signature instead). */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);

/** The least role allowed; higher roles pass too. Routes without it require `viewer`. */
export const Roles = (minimum: Role) => SetMetadata(MIN_ROLE_KEY, minimum);

/** The authenticated caller; undefined only on @Public() routes. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal | undefined =>
    ctx.switchToHttp().getRequest<FastifyRequest>().principal,
);
