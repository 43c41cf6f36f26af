import { Global, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { HttpMetrics } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { createMetricsRegistry } from './metrics.registry.js';

/**
 * The app's Prometheus registry, served at GET /metrics. Global: modules inject `Registry` to
 * register their own metrics on it.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: Registry, useFactory: createMetricsRegistry }, HttpMetrics],
  exports: [Registry],
})
export class MetricsModule {}
