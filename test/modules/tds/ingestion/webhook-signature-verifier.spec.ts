import 'reflect-metadata';
import { UnauthorizedError } from '../../../../src/shared/errors/domain-error.js';
import type { IncomingDelivery, WebhookSource } from '../../../../src/modules/tds/ingestion/webhook-delivery.js';
import { WebhookSignatureVerifier } from '../../../../src/modules/tds/ingestion/webhook-signature.verifier.js';
import { zohoItem } from '../fixtures/zoho-payloads.js';
import { configService, delivery, hmac, NOW_MS, OTHER_SECRET, SECRET, thrown, zohoSource } from './webhook-test-kit.js';

const verifier = new WebhookSignatureVerifier(configService(), () => NOW_MS);
const body = { item: zohoItem };
const raw = JSON.stringify(body);

function signed(source: WebhookSource, signature: string | undefined, more: Partial<IncomingDelivery> = {}): IncomingDelivery {
  const headers = signature === undefined ? {} : { [source.signatureHeader]: signature };
  return delivery(source, body, { ...more, headers: { ...headers, ...more.headers } });
}

function refusal(run: () => void): { code: string; status: number; message: string; headers?: Record<string, string> } {
  const error = thrown(run);
  expect(error).toBeInstanceOf(UnauthorizedError);
  return error as never;
}

describe('WebhookSignatureVerifier', () => {
  const source = zohoSource();

  it.each([
    ['hex', hmac(SECRET, raw)],
    ['upper-case hex', hmac(SECRET, raw).toUpperCase()],
    ['base64', hmac(SECRET, raw, 'base64')],
    ['unpadded URL-safe base64', hmac(SECRET, raw, 'base64url')],
    ['a sha256= prefix', `sha256=${hmac(SECRET, raw)}`],
  ])('accepts an HMAC-SHA256 of the raw body in %s', (_label, signature) => {
    expect(() => verifier.verify(signed(source, signature))).not.toThrow();
  });

  it('checks the raw bytes, not the parsed body: the same JSON re-spaced fails', () => {
    const respaced = JSON.stringify(body, null, 2);
    expect(refusal(() => verifier.verify(signed(source, hmac(SECRET, respaced)))).code).toBe('WEBHOOK.INVALID_SIGNATURE');
  });

  it.each([
    ['a wrong secret', hmac('not-the-secret', raw)],
    ['a tampered digest', hmac(SECRET, `${raw} `)],
    ['a truncated digest', hmac(SECRET, raw).slice(0, 40)],
    ['garbage', 'not a signature at all'],
  ])('refuses %s with 401 WEBHOOK.INVALID_SIGNATURE and a challenge', (_label, signature) => {
    const error = refusal(() => verifier.verify(signed(source, signature)));
    expect(error).toMatchObject({ code: 'WEBHOOK.INVALID_SIGNATURE', status: 401 });
    expect(error.headers?.['WWW-Authenticate']).toBe('HMAC-SHA256 realm="zoho", header="x-zoho-webhook-signature"');
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
  ])('refuses a signature header %s with WEBHOOK.MISSING_SIGNATURE', (_label, signature) => {
    expect(refusal(() => verifier.verify(signed(source, signature))).code).toBe('WEBHOOK.MISSING_SIGNATURE');
  });

  it('reads the source\'s own header name', () => {
    const custom = zohoSource({ signatureHeader: 'x-custom-sig' });
    expect(() => verifier.verify(signed(custom, hmac(SECRET, raw)))).not.toThrow();
    const underDefaultName = delivery(custom, body, { headers: { 'x-zoho-webhook-signature': hmac(SECRET, raw) } });
    expect(refusal(() => verifier.verify(underDefaultName)).code).toBe('WEBHOOK.MISSING_SIGNATURE');
  });

  it('refuses everything for a source without a secret: WEBHOOK.NO_SECRET_CONFIGURED', () => {
    const error = refusal(() => verifier.verify(signed(zohoSource({ secrets: [] }), hmac('', raw))));
    expect(error).toMatchObject({ code: 'WEBHOOK.NO_SECRET_CONFIGURED', status: 401 });
  });

  describe('rotation', () => {
    it('accepts the old and the new secret while both are configured', () => {
      const rotating = zohoSource({ secrets: [SECRET, OTHER_SECRET] });
      expect(() => verifier.verify(signed(rotating, hmac(SECRET, raw)))).not.toThrow();
      expect(() => verifier.verify(signed(rotating, hmac(OTHER_SECRET, raw, 'base64')))).not.toThrow();
    });

    it('refuses the old secret once it is removed', () => {
      const rotated = zohoSource({ secrets: [OTHER_SECRET] });
      expect(refusal(() => verifier.verify(signed(rotated, hmac(SECRET, raw)))).code).toBe('WEBHOOK.INVALID_SIGNATURE');
    });
  });

  describe('signed content query+body (Zoho Billing\'s scheme)', () => {
    const both = zohoSource({ signedContent: 'query+body' });
    const query = { organization_id: '10234695', event: 'item.deleted', name: 'basic' };
    // Sorted by name, each name then value with no separator, then the raw body.
    const content = `eventitem.deletednamebasicorganization_id10234695${raw}`;

    it('verifies the sorted query parameters followed by the raw body', () => {
      expect(() => verifier.verify(signed(both, hmac(SECRET, content), { query }))).not.toThrow();
    });

    it('matches Zoho\'s documented example string', () => {
      const example = '{"created_date":"2019-03-06","event_id":"5675"}';
      const exampleDelivery: IncomingDelivery = {
        ...delivery(both, JSON.parse(example)),
        rawBody: Buffer.from(example),
        query: { subscription_id: '90343', name: 'basic' },
        headers: { 'x-zoho-webhook-signature': hmac(SECRET, `namebasicsubscription_id90343${example}`) },
      };
      expect(() => verifier.verify(exampleDelivery)).not.toThrow();
    });

    it('fails with a signature over the body alone', () => {
      expect(refusal(() => verifier.verify(signed(both, hmac(SECRET, raw), { query }))).code).toBe('WEBHOOK.INVALID_SIGNATURE');
    });

    it('fails when a query parameter was changed after signing', () => {
      const tampered = { ...query, event: 'item.updated' };
      expect(refusal(() => verifier.verify(signed(both, hmac(SECRET, content), { query: tampered }))).code).toBe(
        'WEBHOOK.INVALID_SIGNATURE',
      );
    });

    it('is the body alone when there is no query', () => {
      expect(() => verifier.verify(signed(both, hmac(SECRET, raw)))).not.toThrow();
    });
  });

  describe('timestamps', () => {
    const timed = zohoSource({ timestampHeader: 'x-tds-timestamp' });
    const nowS = NOW_MS / 1000;
    const at = (timestamp: number | string, signature = hmac(SECRET, `${timestamp}.${raw}`)) =>
      signed(timed, signature, { headers: { 'x-tds-timestamp': String(timestamp) } });

    it('accepts `<timestamp>.<body>` signed, within the tolerance either way', () => {
      for (const timestamp of [nowS, nowS - 300, nowS + 300]) expect(() => verifier.verify(at(timestamp))).not.toThrow();
    });

    it('requires the timestamp once it is configured', () => {
      expect(refusal(() => verifier.verify(signed(timed, hmac(SECRET, raw)))).code).toBe('WEBHOOK.MISSING_TIMESTAMP');
    });

    it('refuses a timestamp that is not Unix seconds', () => {
      expect(refusal(() => verifier.verify(at('2025-11-18T00:00:00Z'))).code).toBe('WEBHOOK.INVALID_TIMESTAMP');
    });

    it.each([
      ['old', nowS - 301],
      ['from the future', nowS + 301],
    ])('refuses a stale timestamp (%s) with WEBHOOK.STALE_TIMESTAMP', (_label, timestamp) => {
      expect(refusal(() => verifier.verify(at(timestamp))).code).toBe('WEBHOOK.STALE_TIMESTAMP');
    });

    it('signs the timestamp: a fresh timestamp on an old signature fails', () => {
      expect(refusal(() => verifier.verify(at(nowS, hmac(SECRET, `${nowS - 60}.${raw}`)))).code).toBe('WEBHOOK.INVALID_SIGNATURE');
      expect(refusal(() => verifier.verify(at(nowS, hmac(SECRET, raw)))).code).toBe('WEBHOOK.INVALID_SIGNATURE');
    });

    it('uses the configured tolerance', () => {
      const strict = new WebhookSignatureVerifier(configService({ timestampToleranceS: 10 }), () => NOW_MS);
      expect(refusal(() => strict.verify(at(nowS - 11))).code).toBe('WEBHOOK.STALE_TIMESTAMP');
      expect(() => strict.verify(at(nowS - 10))).not.toThrow();
    });
  });
});
