import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../errors/domain-error.js';
import { ApiKeyService } from './api-key.service.js';
import { IS_PUBLIC_KEY, MIN_ROLE_KEY } from './auth.decorators.js';
import { type Role, roleAtLeast } from './role.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Global (APP_GUARD): every controller route needs a key unless marked @Public(). Guards only
 * run for Nest controllers, so routes registered on Fastify directly (Swagger UI) are not seen.
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
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!token) {
      throw new UnauthorizedError('AUTH.MISSING_API_KEY', 'An API key is required: Authorization: Bearer <key>');
    }
    const principal = this.apiKeys.authenticate(token);
    if (!principal) throw new UnauthorizedError('AUTH.INVALID_API_KEY', 'The API key is not valid');
    request.principal = principal;
    if (!roleAtLeast(principal.role, required)) {
      throw new ForbiddenError('AUTH.INSUFFICIENT_ROLE', `This action requires the ${required} role or higher`, {
        required,
        actual: principal.role,
      });
    }
    return true;
  }
}
