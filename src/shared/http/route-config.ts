import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants.js';

/**
 * Adds entries to a route's Fastify config (`request.routeOptions.config`, readable in hooks that
 * run before Nest's guards and pipes) instead of replacing it as Nest's @RouteConfig() does, so
 * that several decorators (auth, body limit, body gate, helmet) can each add their own. Use it
 * instead of @RouteConfig().
 */
export function MergeRouteConfig(entries: Record<string, unknown>): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const current = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as Record<string, unknown> | undefined;
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...current, ...entries }, handler);
    return descriptor;
  };
}

/** A route's Fastify config entry, from hooks that run before Nest has matched a handler. */
export function routeConfigEntry<T>(request: { routeOptions: { config: unknown } }, key: string): T | undefined {
  return (request.routeOptions.config as Record<string, T | undefined> | undefined)?.[key];
}
