import { randomUUID } from 'node:crypto';
import { EventBus } from '@nestjs/cqrs';
import { InventoryProductsChangedEvent } from '../../../src/modules/inventory/events/inventory-products-changed.event.js';
import { AppCache } from '../../../src/shared/cache/app-cache.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { eventually } from '../../support/spawn-app.js';

const changed = (productIds: number[]) =>
  new InventoryProductsChangedEvent({ eventId: randomUUID(), occurredAt: new Date().toISOString(), correlationId: null, causationId: null, productIds, listsChanged: false });

describe('inventory cache saga', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ DATABASE_URL: '', TDS_DATA_DIR: 'memory', TDS_WORKERS_ENABLED: 'false', TDS_API_KEYS: 'viewer:viewer-key-0123456789abcd' });
  });
  afterAll(() => testApp?.close());

  it('survives a failing invalidation: the next change is still invalidated', async () => {
    const cache = testApp.app.get(AppCache);
    const invalidated: string[][] = [];
    let failNext = true;
    jest.spyOn(cache, 'invalidate').mockImplementation(async (keys: string[]) => {
      invalidated.push(keys);
      if (failNext) {
        failNext = false;
        throw new Error('cache unreachable');
      }
    });
    const bus = testApp.app.get(EventBus);
    bus.publish(changed([1]));
    await eventually(() => expect(invalidated).toHaveLength(1), 5_000);
    bus.publish(changed([2]));
    await eventually(() => expect(invalidated).toEqual([['inventory:product:1'], ['inventory:product:2']]), 5_000);
  });
});
