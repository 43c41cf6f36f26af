import { SourceRateLimiter } from './source-rate.limiter.js';
import { ZohoCircuitBreakers } from './zoho-circuit-breaker.js';
import { ZohoClient } from './zoho-client.js';
import { ZohoTokenService } from './zoho-token.service.js';

/** The Zoho source connector: TdsModule's providers. Pull runs use ZohoClient; the rest is its machinery. */
export const ZOHO_SOURCE_PROVIDERS = [SourceRateLimiter, ZohoTokenService, ZohoCircuitBreakers, ZohoClient];
