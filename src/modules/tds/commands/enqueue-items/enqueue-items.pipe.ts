import { Injectable } from '@nestjs/common';
import type { PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../../../../shared/errors/domain-error.js';
import type { FieldError } from '../../../../shared/errors/domain-error.js';
import { flattenValidationErrors } from '../../../../shared/errors/flatten-validation-errors.js';
import { validatePlain } from '../../../../shared/validation/validate-plain.js';
import { OPERATIONS } from '../../domain/queue-item.js';
import { parseVersion } from '../../domain/version.js';
import type { EntityOperation } from '../../events/tds-entity-synced.event.js';
import { EntityProcessorRegistry } from '../../processors/entity-processor.registry.js';
import type { EnqueueItem } from './enqueue-items.command.js';
import { DEFAULT_PRIORITY, DEFAULT_SOURCE, EnqueueItemsRequestDto, MAX_ITEMS } from './enqueue-items.dto.js';
import type { EnqueueItemDto } from './enqueue-items.dto.js';

/** A request that passed every check, with its defaults applied and versions parsed. */
export interface EnqueueRequest {
  source: string;
  items: EnqueueItem[];
}

/**
 * JSON.stringify writes a NUL or an unpaired surrogate as a `\u` escape (and nothing else in
 * that range: paired surrogates stay raw characters); jsonb refuses both. An escape counts
 * only when its backslash is not itself escaped.
 */
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates the whole request before anything is stored: the envelope (class-validator,
 * unknown fields refused), then each payload with its entity type's processor (unknown fields
 * kept). All problems are reported together; one is enough to refuse the request.
 * The body parameter is typed with an interface, so the global ValidationPipe, which would
 * deep-copy every payload, leaves it to this pipe.
 */
@Injectable()
export class EnqueueItemsPipe implements PipeTransform<unknown, EnqueueRequest> {
  constructor(private readonly processors: EntityProcessorRegistry) {}

  transform(body: unknown): EnqueueRequest {
    if (!isRecord(body)) throw new ValidationFailedError([{ path: '', message: 'The body must be a JSON object' }]);
    // The work is bounded before looking inside: an over-long list is refused as a whole.
    if (Array.isArray(body.items) && body.items.length > MAX_ITEMS) {
      throw new ValidationFailedError([
        { path: 'items', message: `items must contain at most ${MAX_ITEMS} elements (got ${body.items.length})` },
      ]);
    }
    const { instance, errors } = validatePlain(EnqueueItemsRequestDto, body, { whitelist: true, forbidNonWhitelisted: true });
    const problems = flattenValidationErrors(errors);
    const badPaths = new Set(problems.map((problem) => problem.path));
    if (Array.isArray(body.items)) {
      body.items.forEach((item: unknown, index) => problems.push(...this.payloadProblems(item, `items[${index}]`, badPaths)));
    }
    if (problems.length > 0) throw new ValidationFailedError(problems);
    return { source: instance.source ?? DEFAULT_SOURCE, items: instance.items.map(toEnqueueItem) };
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
    const checkedId = badPaths.has(`${prefix}.sourceEntityId`) ? undefined : (sourceEntityId as string);
    const problems = this.processors
      .get(entityType)
      .validate(payload, operation as EntityOperation, checkedId)
      .map(({ path, message }) => ({ path: path === '' ? `${prefix}.payload` : `${prefix}.payload.${path}`, message }));
    if (UNSTORABLE_ESCAPE.test(JSON.stringify(payload))) {
      problems.push({
        path: `${prefix}.payload`,
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
