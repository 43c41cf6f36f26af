import { Global, Module } from '@nestjs/common';
import { CacheModule } from '@nestjs/cache-manager';
import { ConfigService } from '@nestjs/config';
import type { CacheConfig } from '../config/cache.config.js';
import { AppCache } from './app-cache.js';
import { CacheBackend } from './cache-backend.js';

/** One CacheBackend, shared by cache-manager (its store) and AppCache (readiness, error masking). */
@Module({
  providers: [
    {
      provide: CacheBackend,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => new CacheBackend(config.getOrThrow<CacheConfig>('cache')),
    },
  ],
  exports: [CacheBackend],
})
class CacheBackendModule {}

/**
 * `AppCache` for the whole app (needs the DatabaseModule for its NOTIFY broadcast). The
 * cache-manager instance stays private: a write that bypassed AppCache would escape the
 * invalidation guard against loads in flight.
 */
@Global()
@Module({
  imports: [
    CacheBackendModule,
    CacheModule.registerAsync({
      imports: [CacheBackendModule],
      inject: [CacheBackend, ConfigService],
      useFactory: (backend: CacheBackend, config: ConfigService) => ({
        stores: [backend.keyv],
        ttl: config.getOrThrow<CacheConfig>('cache').ttlMs,
      }),
    }),
  ],
  providers: [AppCache],
  exports: [AppCache],
})
export class AppCacheModule {}
