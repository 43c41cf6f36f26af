import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { BffModule } from './modules/bff/bff.module.js';
import { InventoryModule } from './modules/inventory/inventory.module.js';
import { SearchModule } from './modules/search/search.module.js';
import { TdsModule } from './modules/tds/tds.module.js';
import { AuthModule } from './shared/auth/auth.module.js';
import { AppCacheModule } from './shared/cache/app-cache.module.js';
import { appConfig } from './shared/config/app.config.js';
import { alertsConfig } from './shared/config/alerts.config.js';
import { authConfig } from './shared/config/auth.config.js';
import { bffConfig } from './shared/config/bff.config.js';
import { cacheConfig } from './shared/config/cache.config.js';
import { healthConfig } from './shared/config/health.config.js';
import { databaseConfig } from './shared/config/database.config.js';
import { ingestConfig } from './shared/config/ingest.config.js';
import { jobsConfig } from './shared/config/jobs.config.js';
import { outboxConfig } from './shared/config/outbox.config.js';
import { pullConfig } from './shared/config/pull.config.js';
import { queueConfig } from './shared/config/queue.config.js';
import { reactionsConfig } from './shared/config/reactions.config.js';
import { roleConfig } from './shared/config/role.config.js';
import { webhooksConfig } from './shared/config/webhooks.config.js';
import { zohoConfig } from './shared/config/zoho.config.js';
import { DatabaseModule } from './shared/database/database.module.js';
import { HttpExceptionFilter } from './shared/errors/http-exception.filter.js';
import { HealthModule } from './shared/health/health.module.js';
import { MetricsModule } from './shared/metrics/metrics.module.js';
import { ReactionsModule } from './shared/reactions/reactions.module.js';
import { AppValidationPipe } from './shared/http/app-validation.pipe.js';
import { HttpModule } from './shared/http/http.module.js';

/** Every configuration namespace; each validates its variables when loaded. */
export const CONFIG_NAMESPACES = [
  // First: the roles decide which of the other namespaces' loops run.
  roleConfig,
  appConfig,
  authConfig,
  databaseConfig,
  queueConfig,
  outboxConfig,
  reactionsConfig,
  webhooksConfig,
  zohoConfig,
  ingestConfig,
  cacheConfig,
  jobsConfig,
  alertsConfig,
  healthConfig,
  bffConfig,
  pullConfig,
];

@Module({
  imports: [
    // Configuration comes from the environment only.
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: CONFIG_NAMESPACES }),
    CqrsModule.forRoot(),
    DatabaseModule,
    HttpModule,
    AppCacheModule,
    MetricsModule,
    ReactionsModule,
    HealthModule,
    AuthModule,
    TdsModule,
    InventoryModule,
    SearchModule,
    BffModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: HttpExceptionFilter },
    { provide: APP_PIPE, useClass: AppValidationPipe },
  ],
})
export class AppModule {}
