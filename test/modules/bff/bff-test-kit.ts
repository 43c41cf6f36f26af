import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { KEYS } from '../tds/enqueue/enqueue-test-kit.js';

export { KEYS };

export const BFF = '/api/bff/tds';

/** GET a BFF route as `key` (viewer by default; null: no key). */
export function bffGet(app: NestFastifyApplication, path: string, key: string | null = KEYS.viewer, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url: `${BFF}/${path}`, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
}

/** POST to a BFF action as `key` (operator by default), with a JSON body when given. */
export function bffPost(app: NestFastifyApplication, path: string, body?: unknown, key: string = KEYS.operator) {
  return app.inject({
    method: 'POST',
    url: `${BFF}/${path}`,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

/** The field paths a 422 names. */
export function failedPaths(res: { statusCode: number; json(): unknown }): string[] {
  expect(res.statusCode).toBe(422);
  const body = res.json() as { error: string; details: { path: string }[] };
  expect(body.error).toBe('VALIDATION_FAILED');
  return body.details.map((detail) => detail.path);
}
