import { RouteConfig } from '@nestjs/platform-fastify';

export const BULK_BODY_LIMIT = 'tdsBulkBodyLimit';

/**
 * Lets a route take bodies up to TDS_BODY_LIMIT_BYTES instead of the default limit (applied in
 * createApp through Fastify's onRoute hook). It is route config, so a handler that also needs
 * @RouteConfig() must merge `{ [BULK_BODY_LIMIT]: true }` into it.
 */
export const BulkBodyLimit = () => RouteConfig({ [BULK_BODY_LIMIT]: true });
