/**
 * TDS's public contract: the only file other modules may import from `src/modules/tds`
 * (enforced by dependency-cruiser). Events are published on the @nestjs/cqrs EventBus by the
 * outbox relay; commands and queries are sent through the buses.
 */
export { TdsEntitySyncedEvent } from './events/tds-entity-synced.event.js';
export type { EntityOperation, FieldChanges } from './events/tds-entity-synced.event.js';
export { TdsEntitySyncFailedEvent } from './events/tds-entity-sync-failed.event.js';
export { TdsDeadLetterEvent } from './events/tds-dead-letter.event.js';
export { TdsDeadLetterReplayedEvent } from './events/tds-dead-letter-replayed.event.js';
