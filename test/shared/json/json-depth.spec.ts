import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../../../src/shared/json/json-depth.js';

const nested = (depth: number, open = '[', close = ']') => Buffer.from(open.repeat(depth) + close.repeat(depth));

describe('exceedsJsonDepth', () => {
  it('allows the limit and refuses one level more, for arrays, objects and both', () => {
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    const objects = (depth: number) => Buffer.from('{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1));
    expect(exceedsJsonDepth(objects(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsJsonDepth(objects(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(exceedsJsonDepth(Buffer.from('[{"a":[{"b":[1]}]}]'), 4)).toBe(true);
    expect(exceedsJsonDepth(Buffer.from('[{"a":[{"b":1}]}]'), 4)).toBe(false);
  });

  it('counts depth, not the number of brackets: siblings do not add up', () => {
    const siblings = Buffer.from(`[${Array.from({ length: 10_000 }, () => '[[1]]').join(',')}]`);
    expect(exceedsJsonDepth(siblings, 3)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ note: '['.repeat(1000), quoted: 'say \\"[[[[\\" and "{{{{"', path: 'C:\\\\[' });
    expect(exceedsJsonDepth(Buffer.from(text), 2)).toBe(false);
    expect(exceedsJsonDepth(Buffer.from(JSON.stringify([['"]]]]', [['x']]]])), 3)).toBe(true);
  });

  it('reads a 100,000-deep body without recursion', () => {
    expect(exceedsJsonDepth(nested(100_000))).toBe(true);
    expect(exceedsJsonDepth(nested(100_000, '{"k":', '}'))).toBe(true);
  });
});
