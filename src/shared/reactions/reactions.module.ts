import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DurableReactions } from './durable-reactions.js';
import { REACTION_ENTITIES } from './reaction.entities.js';

/** Durable reactions for every module (receipts, failures); the redelivery sweep lives with the outbox, in TDS. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature(REACTION_ENTITIES)],
  providers: [DurableReactions],
  exports: [DurableReactions],
})
export class ReactionsModule {}
