import { MergeRouteConfig } from './route-config.js';

export const BULK_BODY_LIMIT = 'tdsBulkBodyLimit';

/**
 * Lets a route take bodies up to TDS_BODY_LIMIT_BYTES instead of the default limit (applied in
 * createApp through Fastify's onRoute hook).
 */
export const BulkBodyLimit = () => MergeRouteConfig({ [BULK_BODY_LIMIT]: true });
