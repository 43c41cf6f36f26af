import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** A list of entity tags as If-None-Match carries it; `*` matches any. Weak tags compare by their value (RFC 9110 §13.1.2). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim().replace(/^W\//, '');
    return candidate === '*' || candidate === etag;
  });
}

/**
 * ETag and revalidation for every GET under `prefix`, in one Fastify onSend hook rather than in
 * each route or in a Nest interceptor: Nest sets the route's status after an interceptor has
 * run (an interceptor cannot turn a 200 into a 304), while onSend sees the final status and the
 * serialised body, which is what the tag must be the hash of. The tag is strong: a SHA-256 of
 * the exact bytes. `Cache-Control: private, no-cache` lets a client keep a copy but makes it ask
 * every time, so it never shows data older than the server's own cache.
 */
export function registerConditionalGet(fastify: FastifyInstance, prefix: string): void {
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (request.method !== 'GET' || !request.routeOptions.url?.startsWith(prefix)) return payload;
    void reply.header('cache-control', 'private, no-cache');
    if (reply.statusCode !== 200 || typeof payload !== 'string') return payload;
    const etag = `"${createHash('sha256').update(payload).digest('base64url')}"`;
    void reply.header('etag', etag);
    if (!matches(request.headers['if-none-match'], etag)) return payload;
    void reply.code(304);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    return null;
  });
}
