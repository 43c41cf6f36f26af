import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import { IsInt, IsString, Min, ValidateNested, validateSync, type ValidationError } from 'class-validator';
import { flattenValidationErrors } from '../../../src/shared/errors/flatten-validation-errors.js';

class Payload {
  @IsString() sku!: string;
  @IsInt() @Min(0) quantity!: number;
}

class Item {
  @IsString() entityType!: string;
  @ValidateNested() @Type(() => Payload) payload!: Payload;
}

class Batch {
  @ValidateNested({ each: true }) @Type(() => Item) items!: Item[];
  @ValidateNested() @Type(() => Payload) defaults!: Payload;
}

function errorsFor(plain: unknown): ValidationError[] {
  return validateSync(plainToInstance(Batch, plain) as object);
}

const good = { entityType: 'item', payload: { sku: 'A-1', quantity: 1 } };

describe('flattenValidationErrors', () => {
  it('addresses array elements with brackets and object fields with dots', () => {
    const errors = errorsFor({
      items: [good, good, good, { entityType: 'item', payload: { sku: 42, quantity: -1 } }],
      defaults: { sku: 'D', quantity: 'many' },
    });
    const details = flattenValidationErrors(errors);
    expect(details.map((d) => d.path).sort()).toEqual([
      'defaults.quantity',
      'defaults.quantity',
      'items[3].payload.quantity',
      'items[3].payload.sku',
    ]);
    expect(details.find((d) => d.path === 'items[3].payload.sku')?.message).toBe('sku must be a string');
  });

  it('roots paths at a prefix when a fragment is validated on its own', () => {
    const errors = validateSync(plainToInstance(Item, { entityType: 7, payload: { sku: 'x', quantity: 1 } }));
    expect(flattenValidationErrors(errors, 'items[12]')).toEqual([
      { path: 'items[12].entityType', message: 'entityType must be a string' },
    ]);
  });

  it('treats numeric properties as indices when targets are left out of the errors', () => {
    const errors = validateSync(plainToInstance(Batch, { items: [{ entityType: 'x', payload: { sku: 1, quantity: 0 } }], defaults: good.payload }), {
      validationError: { target: false },
    });
    expect(flattenValidationErrors(errors)).toEqual([{ path: 'items[0].payload.sku', message: 'sku must be a string' }]);
  });

  it('gives one entry per failed constraint and none for valid input', () => {
    expect(flattenValidationErrors(errorsFor({ items: [good], defaults: good.payload }))).toEqual([]);
  });
});
