import { getMetadataStorage } from 'class-validator';
import type { EntityOperation } from '../events/tds-entity-synced.event.js';
import { flattenValidationErrors } from '../../../shared/errors/flatten-validation-errors.js';
import { PlainValidator } from '../../../shared/validation/compiled-validator.js';
import type { EntityProcessor, PayloadFieldError } from './entity-processor.js';

/** Bounds on the work one payload's validation may cost, from the configuration (TDS_INGEST_MAX_ARRAY_ENTRIES). */
export interface PayloadLimits {
  /** The entries an array of a payload (invoice lines, price book items, …) may hold. */
  readonly maxArrayEntries: number;
}

/**
 * A processor whose payload rules are a class-validator DTO. Key fields carry `always` rules
 * (@IsKey), so a delete, validated with a group no other rule belongs to, checks only them.
 * Payloads are never whitelisted: extra fields are the source's data and are kept.
 * The rules are compiled once per DTO (PlainValidator): every enqueue, webhook and pull record
 * is validated here, and class-validator itself only runs to word a refusal.
 */
export abstract class ClassValidatedProcessor implements EntityProcessor {
  abstract readonly entityType: string;
  abstract readonly keyFields: readonly string[];
  readonly fields: readonly string[];
  private readonly full: PlainValidator<object>;
  private readonly keysOnly: PlainValidator<object>;

  protected constructor(
    dto: new () => object,
    { maxArrayEntries }: PayloadLimits,
  ) {
    this.full = new PlainValidator(dto, { maxArrayEntries });
    this.keysOnly = new PlainValidator(dto, { maxArrayEntries, groups: ['tds:keys-only'] });
    const properties = getMetadataStorage()
      .getTargetValidationMetadatas(dto, '', true, false)
      .map((metadata) => metadata.propertyName);
    this.fields = [...new Set(properties)];
  }

  get idField(): string {
    return this.keyFields[0];
  }

  validate(payload: Record<string, unknown>, operation: EntityOperation, sourceEntityId?: string): PayloadFieldError[] {
    const validator = operation === 'delete' ? this.keysOnly : this.full;
    const errors = flattenValidationErrors(validator.validate(payload).errors);
    if (errors.length > 0 || sourceEntityId === undefined) return errors;
    const actual = this.sourceEntityIdOf(payload);
    if (actual === sourceEntityId) return [];
    const [path, fields] = this.keyFields.length === 1 ? [this.idField, this.idField] : ['', this.keyFields.join(':')];
    return [{ path, message: `${fields} (${JSON.stringify(actual)}) must equal sourceEntityId (${JSON.stringify(sourceEntityId)})` }];
  }

  sourceEntityIdOf(payload: Record<string, unknown>): string | undefined {
    const parts = this.keyFields.map((field) => payload[field]);
    return parts.some((part) => part === undefined || part === null) ? undefined : parts.map(String).join(':');
  }
}
