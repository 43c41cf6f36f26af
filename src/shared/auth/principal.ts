import type { Role } from './role.js';

/** Who made a request: `keyId` is a short digest prefix, safe for logs and audit columns. */
export interface Principal {
  keyId: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by ApiKeyGuard on every non-public route; absent on public ones. */
    principal?: Principal;
  }
}
