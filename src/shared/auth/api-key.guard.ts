import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../errors/domain-error.js';
import { ApiKeyService } from './api-key.service.js';
import { IS_PUBLIC_KEY, MIN_ROLE_KEY } from './auth.decorators.js';
import type { Principal } from './principal.js';
import { type Role, roleAtLeast } from './role.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The caller behind `Authorization: Bearer <key>` if it holds `required` or more; else 401 / 403. */
export function authorize(apiKeys: ApiKeyService, authorization: string | undefined, required: Role): Principal {
  const token = BEARER.exec(authorization ?? '')?.[1];
  if (!token) {
    throw new UnauthorizedError('AUTH.MISSING_API_KEY', 'An API key is required: Authorization: Bearer <key>');
  }
  const principal = apiKeys.authenticate(token);
  if (!principal) throw new UnauthorizedError('AUTH.INVALID_API_KEY', 'The API key is not valid');
  if (!roleAtLeast(principal.role, required)) {
    throw new ForbiddenError('AUTH.INSUFFICIENT_ROLE', `This action requires the ${required} role or higher`, {
      required,
      actual: principal.role,
    });
  }
  return principal;
}

/**
 * Global (APP_GUARD): every controller route needs a key unless marked @Public(). Guards only
 * run for Nest controllers, so routes registered on Fastify directly (Swagger UI) are not seen.
 * A route whose method declares its rule was checked already, before its body was read
 * (createApp's onRequest hook, ROUTE_ACCESS); the guard still decides for every route, and
 * the key's digest is not computed twice.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const required = this.reflector.getAllAndOverride<Role>(MIN_ROLE_KEY, targets) ?? 'viewer';
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const early = request.principal;
    request.principal =
      early && roleAtLeast(early.role, required) ? early : authorize(this.apiKeys, request.headers.authorization, required);
    return true;
  }
}
