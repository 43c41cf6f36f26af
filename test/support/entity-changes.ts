import { randomUUID } from 'node:crypto';
import { EventBus } from '@nestjs/cqrs';
import type { INestApplication } from '@nestjs/common';
import { TdsEntitiesSyncedEvent } from '../../src/modules/tds/public.js';
import type { EntityChange } from '../../src/modules/tds/public.js';
import { DurableReactions } from '../../src/shared/reactions/durable-reactions.js';

let arrival = 1_000_000;

/** An entity change as the relay composes it from an outbox row; a fresh event id and a later arrival each call (update unless overridden). */
export function entityChange(
  entityType: string,
  sourceEntityId: string,
  version: number,
  data: Record<string, unknown>,
  overrides: Partial<EntityChange> = {},
): EntityChange {
  const operation = overrides.operation ?? 'update';
  return {
    eventId: randomUUID(),
    eventType: `tds.entity.${operation}`,
    occurredAt: new Date().toISOString(),
    source: 'zoho',
    entityType,
    sourceEntityId,
    operation,
    version,
    queueItemId: ++arrival,
    changes: {},
    data,
    ...overrides,
  };
}

/** Publishes one batch event as the outbox relay would, and waits for the durable reactions it started. */
export async function publishChanges(app: INestApplication, changes: EntityChange[]): Promise<void> {
  app.get(EventBus).publish(
    new TdsEntitiesSyncedEvent({ eventId: randomUUID(), occurredAt: new Date().toISOString(), correlationId: null, causationId: null, changes }),
  );
  await app.get(DurableReactions).settled();
}
