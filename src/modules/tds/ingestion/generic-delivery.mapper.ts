import { Injectable } from '@nestjs/common';
import { hasControlCharacters } from '../../../shared/validation/control-characters.js';
import { EnqueueItemsPipe } from '../commands/enqueue-items/enqueue-items.pipe.js';
import { OPERATIONS } from '../domain/queue-item.js';
import { parseVersion } from '../domain/version.js';
import type { EntityOperation } from '../domain/queue-item.js';
import type { IncomingDelivery, MappedDelivery, MappingResult } from './webhook-delivery.js';

/**
 * Maps the canonical envelope `{ entityType, sourceEntityId, operation, version, payload }`
 * (priority optional): exactly one item of `POST /api/tds/queue`, checked by the same rules.
 * The operation is inside the signed body, so a delete is as authentic as the rest.
 */
@Injectable()
export class GenericDeliveryMapper {
  constructor(private readonly enqueueItems: EnqueueItemsPipe) {}

  map({ body }: IncomingDelivery): MappingResult {
    const result = this.enqueueItems.validateItem(body);
    if (!result.ok) return { ok: false, errors: result.errors, primary: readablePrimary(body) };
    const { entityType, sourceEntityId, operation, version } = result.item;
    return { ok: true, delivery: { entityType, sourceEntityId, operation, version, items: [result.item] } };
  }
}

/** Text the inbox row may keep as a name or an id: what the envelope's rules allow there. */
function isCleanText(value: unknown): value is string {
  return typeof value === 'string' && !hasControlCharacters(value);
}

/**
 * What an invalid envelope still says about its record, each field taken only if it is
 * well-formed (the raw payload keeps the rest for audit).
 */
function readablePrimary(body: unknown): Partial<Omit<MappedDelivery, 'items'>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const { entityType, sourceEntityId, operation, version } = body as Record<string, unknown>;
  const parsedVersion = parseVersion(version);
  return {
    ...(isCleanText(entityType) ? { entityType } : {}),
    ...(isCleanText(sourceEntityId) ? { sourceEntityId } : {}),
    ...(OPERATIONS.includes(operation as EntityOperation) ? { operation: operation as EntityOperation } : {}),
    ...(parsedVersion.ok ? { version: parsedVersion.value } : {}),
  };
}
