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
  exports: [LivenessRegistry],
})
export class HealthModule {}
