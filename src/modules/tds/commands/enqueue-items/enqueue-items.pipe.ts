import { Injectable } from '@nestjs/common';
import type { PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../../../../shared/errors/domain-error.js';
import type { FieldError } from '../../../../shared/errors/domain-error.js';
import { flattenValidationErrors } from '../../../../shared/errors/flatten-validation-errors.js';
import { isStorableJson } from '../../../../shared/json/storable-json.js';
import { forEachInSlices, yieldToEventLoop } from '../../../../shared/runtime/event-loop-slices.js';
import { PlainValidator } from '../../../../shared/validation/compiled-validator.js';
import { DEFAULT_PRIORITY, OPERATIONS } from '../../domain/queue-item.js';
import { parseVersion } from '../../domain/version.js';
import type { EntityOperation } from '../../events/tds-entity-synced.event.js';
import { EntityProcessorRegistry } from '../../processors/entity-processor.registry.js';
import type { EnqueueItem } from './enqueue-items.command.js';
import { DEFAULT_SOURCE, EnqueueItemDto, EnqueueItemsRequestDto, MAX_ITEMS } from './enqueue-items.dto.js';

/** A request that passed every check, with its defaults applied and versions parsed. */
export interface EnqueueRequest {
  source: string;
  items: EnqueueItem[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `path` under `prefix` (`items[3].payload`); the path itself for an item validated alone. */
function at(prefix: string, path: string): string {
  return prefix === '' ? path : `${prefix}.${path}`;
}

/** The envelope is strict: a field it does not know is refused, not dropped. */
const STRICT_ENVELOPE = { whitelist: true, forbidNonWhitelisted: true };
/** The DTOs' rules, compiled once: a bulk request is checked per item without class-validator's instances and error objects. */
const REQUEST = new PlainValidator(EnqueueItemsRequestDto, STRICT_ENVELOPE);
const ITEM = new PlainValidator(EnqueueItemDto, STRICT_ENVELOPE);

/**
 * Validates the whole request before anything is stored: the envelope (class-validator,
 * unknown fields refused), then each payload with its entity type's processor (unknown fields
 * kept). All problems are reported together; one is enough to refuse the request.
 * The body parameter is typed with an interface, so the global ValidationPipe, which would
 * deep-copy every payload, leaves it to this pipe.
 */
@Injectable()
export class EnqueueItemsPipe implements PipeTransform<unknown, Promise<EnqueueRequest>> {
  constructor(private readonly processors: EntityProcessorRegistry) {}

  async transform(body: unknown): Promise<EnqueueRequest> {
    if (!isRecord(body)) throw new ValidationFailedError([{ path: '', message: 'The body must be a JSON object' }]);
    // The work is bounded before looking inside: an over-long list is refused as a whole.
    if (Array.isArray(body.items) && body.items.length > MAX_ITEMS) {
      throw new ValidationFailedError([
        { path: 'items', message: `items must contain at most ${MAX_ITEMS} elements (got ${body.items.length})` },
      ]);
    }
    // Parsing the body (up to 10 MiB) has just held the event loop in this same task.
    await yieldToEventLoop();
    const { instance, errors } = REQUEST.validate(body);
    const problems = flattenValidationErrors(errors);
    const badPaths = new Set(problems.map((problem) => problem.path));
    if (Array.isArray(body.items)) {
      // A payload at a time, letting the event loop run between slices: 400 invoices of 1,000
      // lines took 3-4 s in one go. Collected in item order, all reported together as before.
      await forEachInSlices(body.items as unknown[], (item, index) => {
        problems.push(...this.payloadProblems(item, `items[${index}]`, badPaths));
      });
    }
    if (problems.length > 0) throw new ValidationFailedError(problems);
    return { source: instance.source ?? DEFAULT_SOURCE, items: instance.items.map(toEnqueueItem) };
  }

  /**
   * One item on its own, by the same rules (a generic webhook delivery is one such item), with
   * paths relative to it (`payload.rate`); problems are returned, not thrown.
   */
  validateItem(item: unknown): { ok: true; item: EnqueueItem } | { ok: false; errors: FieldError[] } {
    if (!isRecord(item)) return { ok: false, errors: [{ path: '', message: 'The body must be a JSON object' }] };
    const { instance, errors } = ITEM.validate(item);
    const problems = flattenValidationErrors(errors);
    problems.push(...this.payloadProblems(item, '', new Set(problems.map((problem) => problem.path))));
    return problems.length > 0 ? { ok: false, errors: problems } : { ok: true, item: toEnqueueItem(instance) };
  }

  /**
   * Problems with one item's payload. The envelope says how to read it: none when its entity
   * type or operation is invalid, and no key check against an invalid sourceEntityId (those
   * problems are reported already, in `badPaths`).
   */
  private payloadProblems(item: unknown, prefix: string, badPaths: Set<string>): FieldError[] {
    if (!isRecord(item) || !isRecord(item.payload)) return [];
    const { entityType, operation, sourceEntityId, payload } = item;
    if (typeof entityType !== 'string' || !this.processors.has(entityType)) return [];
    if (!OPERATIONS.includes(operation as EntityOperation)) return [];
    const checkedId = badPaths.has(at(prefix, 'sourceEntityId')) ? undefined : (sourceEntityId as string);
    const problems = this.processors
      .get(entityType)
      .validate(payload, operation as EntityOperation, checkedId)
      .map(({ path, message }) => ({ path: at(prefix, path === '' ? 'payload' : `payload.${path}`), message }));
    if (!isStorableJson(JSON.stringify(payload))) {
      problems.push({
        path: at(prefix, 'payload'),
        message: 'payload must not contain NUL characters or unpaired surrogates (PostgreSQL cannot store them)',
      });
    }
    return problems;
  }
}

function toEnqueueItem(item: EnqueueItemDto): EnqueueItem {
  return {
    entityType: item.entityType,
    sourceEntityId: item.sourceEntityId,
    operation: item.operation,
    // @IsVersion accepted it, so it parses.
    version: (parseVersion(item.version) as { value: number }).value,
    priority: item.priority ?? DEFAULT_PRIORITY,
    payload: item.payload,
  };
}
