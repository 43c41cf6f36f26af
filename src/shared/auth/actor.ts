import type { Principal } from './principal.js';

/** How an operator action names who did it in audit columns: role and key digest, never the key. */
export function actorOf(principal: Principal): string {
  return `${principal.role}:${principal.keyId}`;
}
