import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CacheHealthIndicator } from './cache.health.js';
import { DatabaseHealthIndicator } from './database.health.js';
import { HealthController } from './health.controller.js';
import { LivenessRegistry } from './liveness.registry.js';
import { LoopsHealthIndicator } from './loops.health.js';

/** Global for LivenessRegistry: the services that own background loops register them there. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [DatabaseHealthIndicator, CacheHealthIndicator, LivenessRegistry, LoopsHealthIndicator],
  // The indicators too, for the BFF's cheap status route (it runs no SQL of its own).
  exports: [LivenessRegistry, DatabaseHealthIndicator, CacheHealthIndicator],
})
export class HealthModule {}
