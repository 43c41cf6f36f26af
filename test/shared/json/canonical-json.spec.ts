import { canonicalJson } from '../../../src/shared/json/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    const value = { b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } };
    expect(canonicalJson(value)).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('gives equal text for equal values whatever their key order, and parses back to the value', () => {
    const one = JSON.parse('{"name":"Laptop","rate":100.5,"tags":["a","b"],"meta":{"k":"v","n":1}}');
    const other = JSON.parse('{"meta":{"n":1,"k":"v"},"tags":["a","b"],"rate":100.5,"name":"Laptop"}');
    expect(canonicalJson(one)).toBe(canonicalJson(other));
    expect(JSON.parse(canonicalJson(one))).toEqual(one);
  });

  it('leaves out undefined members like JSON.stringify, writes undefined array elements as null, escapes keys', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1], 'q"k': '\n' })).toBe('{"b":[null,1],"q\\"k":"\\n"}');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson('text')).toBe('"text"');
    expect(canonicalJson(null)).toBe('null');
  });
});
