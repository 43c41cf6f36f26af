import fc from 'fast-check';
import { canonicalJson } from '../../../src/shared/json/canonical-json.js';

/** The same value with every object's keys in reverse order, as another sender might write it. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== 'object' || value === null) return value;
  const members = Object.entries(value).reverse();
  return JSON.parse(`{${members.map(([key, member]) => `${JSON.stringify(key)}:${JSON.stringify(reversedKeys(member))}`).join(',')}}`);
}

const jsonKey = fc.oneof(fc.string(), fc.nat().map(String), fc.constantFrom('__proto__', 'constructor', '10', '9', '-1', ''));
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value')),
    fc.dictionary(jsonKey, tie('value')),
  ),
})).value;

describe('canonicalJson over parsed JSON of any shape', () => {
  it('gives one text per value, whatever the key order, integer-like and __proto__ keys included, and parses back to the value', () => {
    fc.assert(
      fc.property(jsonValue, (generated) => {
        const parsed: unknown = JSON.parse(JSON.stringify(generated));
        const text = canonicalJson(parsed);
        expect(canonicalJson(reversedKeys(parsed))).toBe(text);
        expect(JSON.parse(text)).toEqual(parsed);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes integer-like keys first, in numeric order, as JavaScript enumerates them, then the others sorted', () => {
    expect(canonicalJson(JSON.parse('{"b":1,"10":2,"a":3,"9":4,"-1":5}'))).toBe('{"9":4,"10":2,"-1":5,"a":3,"b":1}');
  });

  it('keeps a __proto__ key as data, in its sorted place, in objects it reorders', () => {
    const parsed: unknown = JSON.parse('{"z":{"b":1,"a":2},"__proto__":{"polluted":true},"a":0}');
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"polluted":true},"a":0,"z":{"a":2,"b":1}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
