import type { Role } from './role.js';

/** Who made a request: `keyId` is a short digest prefix, safe for logs and audit columns. */
export interface Principal {
  keyId: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every non-public route (createApp's onRequest hook or ApiKeyGuard); absent on public ones. */
    principal?: Principal;
  }
}
