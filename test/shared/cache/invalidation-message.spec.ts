import {
  decodeInvalidation,
  encodeInvalidations,
  MAX_KEY_LENGTH,
  MAX_PAYLOAD_BYTES,
} from '../../../src/shared/cache/invalidation-message.js';

const ORIGIN = '2b1f3c1e-7d0f-4c7e-9a55-0c0c0c0c0c0c';

describe('cache invalidation messages', () => {
  it('round-trips one short list in one payload', () => {
    const payloads = encodeInvalidations(ORIGIN, ['a', 'b']);
    expect(payloads).toHaveLength(1);
    expect(decodeInvalidation(payloads[0])).toEqual({ origin: ORIGIN, keys: ['a', 'b'] });
  });

  it('keeps every payload under the NOTIFY limit, in bytes, and loses no key', () => {
    // Multi-byte and escaped characters: the limit is on bytes, not characters.
    const keys = Array.from({ length: 5000 }, (_, i) => `k:${i}:${'é"\\'.repeat(i % 7)}`);
    const payloads = encodeInvalidations(ORIGIN, keys);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(payloads.flatMap((payload) => decodeInvalidation(payload)!.keys)).toEqual(keys);
  });

  it('fits the longest allowed key even when every character needs escaping', () => {
    const worst = '\u0001'.repeat(MAX_KEY_LENGTH);
    const payloads = encodeInvalidations(ORIGIN, [worst, worst]);
    expect(payloads).toHaveLength(2);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
  });

  it.each(['', 'not json', 'null', '[]', '{"o":1,"k":[]}', '{"o":"x","k":"a"}', '{"o":"x","k":[1]}'])(
    'reads %j as no message',
    (payload) => {
      expect(decodeInvalidation(payload)).toBeUndefined();
    },
  );
});
