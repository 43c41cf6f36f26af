import 'reflect-metadata';
import { deliveryIdempotencyKey, deliveryReplayKey } from '../../../../src/modules/tds/ingestion/delivery-idempotency.js';
import type { IncomingDelivery } from '../../../../src/modules/tds/ingestion/webhook-delivery.js';
import { zohoItem, zohoPricebook } from '../fixtures/zoho-payloads.js';
import { delivery, deliveryMapper, genericSource, NOW_MS, zohoSource } from './webhook-test-kit.js';

const mapper = deliveryMapper();

/** The key the ingestion path computes: from the mapping when it succeeded, from the content alone when not. */
function keyOf(incoming: IncomingDelivery): string {
  const result = mapper.map(incoming);
  return deliveryIdempotencyKey(incoming, result.ok ? result.delivery : undefined);
}

const zoho = (body: unknown, more: Partial<IncomingDelivery> = {}) => keyOf(delivery(zohoSource(), body, more));

describe('deliveryIdempotencyKey', () => {
  it('gives a redelivery the same key, whatever its key order, headers or receipt time', () => {
    const first = zoho({ item: zohoItem });
    expect(first).toMatch(/^zoho:sha256:[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(zohoItem).reverse());
    expect(zoho({ item: reordered }, { receivedAt: NOW_MS + 60_000, headers: { 'user-agent': 'retry' } })).toBe(first);
  });

  it('gives a new edit a new key: a new version, or new content at the same version', () => {
    const first = zoho({ item: zohoItem });
    expect(zoho({ item: { ...zohoItem, last_modified_time: '2025-11-18T02:02:52+0300' } })).not.toBe(first);
    expect(zoho({ item: { ...zohoItem, rate: 123 } })).not.toBe(first);
  });

  it('tells operations apart', () => {
    const marker = { item: { item_id: zohoItem.item_id }, event_type: 'item.deleted' };
    expect(zoho({ item: zohoItem }, { query: { event: 'item.created' } })).not.toBe(zoho({ item: zohoItem }));
    expect(zoho(marker)).not.toBe(zoho({ ...marker, event_type: 'item.updated' }));
  });

  it('tells sources apart', () => {
    const body = { item: zohoItem };
    expect(keyOf(delivery(zohoSource({ name: 'zoho_eu' }), body))).not.toBe(zoho(body));
  });

  it('keys an invalid body by its canonical content, so its redelivery finds the same key', () => {
    const invalid = { item: { ...zohoItem, sku: 7 } };
    expect(mapper.map(delivery(zohoSource(), invalid)).ok).toBe(false);
    const first = zoho(invalid);
    expect(zoho(JSON.parse(JSON.stringify(invalid)), { receivedAt: NOW_MS + 1 })).toBe(first);
    expect(zoho({ item: { ...zohoItem, sku: 8 } })).not.toBe(first);
  });

  it('takes a record without a version at its receipt time: each delivery is distinct', () => {
    expect(zoho({ pricebook: zohoPricebook }, { receivedAt: NOW_MS + 1 })).not.toBe(zoho({ pricebook: zohoPricebook }));
  });

  describe('with a delivery id header', () => {
    const envelope = { entityType: 'product', sourceEntityId: zohoItem.item_id, operation: 'update', version: 1, payload: zohoItem };
    const generic = (headers: IncomingDelivery['headers'], body: unknown = envelope) => keyOf(delivery(genericSource(), body, { headers }));

    it('uses the id when the request carries it, whatever the content', () => {
      expect(generic({ 'x-tds-delivery-id': 'evt_01HZX' })).toBe('generic:id:evt_01HZX');
      expect(generic({ 'x-tds-delivery-id': 'evt_01HZX' }, { ...envelope, version: 2 })).toBe('generic:id:evt_01HZX');
    });

    it('hashes an id too long or not printable ASCII, to bound the key', () => {
      expect(generic({ 'x-tds-delivery-id': 'x'.repeat(201) })).toMatch(/^generic:id:sha256:[0-9a-f]{64}$/);
      expect(generic({ 'x-tds-delivery-id': 'id with spaces' })).toMatch(/^generic:id:sha256:[0-9a-f]{64}$/);
    });

    it('falls back to the content when the request does not carry it', () => {
      expect(generic({})).toMatch(/^generic:sha256:[0-9a-f]{64}$/);
      expect(generic({ 'x-tds-delivery-id': '' })).toBe(generic({}));
    });

    it('is ignored for a source without a delivery id header', () => {
      expect(zoho({ item: zohoItem }, { headers: { 'x-tds-delivery-id': 'evt_01HZX' } })).toBe(zoho({ item: zohoItem }));
    });
  });

  describe('deliveryReplayKey', () => {
    const replayKeyOf = (incoming: IncomingDelivery) => {
      const result = mapper.map(incoming);
      return deliveryReplayKey(incoming, result.ok ? result.delivery : undefined);
    };

    it('gives a record versioned by its receipt time one key per content, whatever the receipt time or delivery id', () => {
      const first = replayKeyOf(delivery(zohoSource(), { pricebook: zohoPricebook }));
      expect(first).toMatch(/^zoho:replay:[0-9a-f]{64}$/);
      const later = delivery(zohoSource({ deliveryIdHeader: 'x-tds-delivery-id' }), { pricebook: zohoPricebook }, {
        receivedAt: NOW_MS + 86_400_000,
        headers: { 'x-tds-delivery-id': 'fresh-id' },
      });
      expect(replayKeyOf(later)).toBe(first);
      expect(replayKeyOf(delivery(zohoSource(), { pricebook: { ...zohoPricebook, name: 'Other' } }))).not.toBe(first);
      const { last_modified_time: _none, ...unversioned } = zohoItem;
      expect(replayKeyOf(delivery(zohoSource(), { item: unversioned }))).toMatch(/^zoho:replay:/);
    });

    it('is null for a record with a version of its own, and for an invalid delivery', () => {
      expect(replayKeyOf(delivery(zohoSource(), { item: zohoItem }))).toBeNull();
      expect(replayKeyOf(delivery(zohoSource(), { pricebook: { ...zohoPricebook, pricebook_id: '' } }))).toBeNull();
    });
  });
});
