import type { TestApp } from '../../../support/create-test-app.js';
import { createTestApp } from '../../../support/create-test-app.js';
import { zohoContact, zohoItem } from '../fixtures/zoho-payloads.js';
import { countStored, deliver, KEYS, webhookEnv } from './webhook-test-kit.js';

/**
 * The embedded database (PGlite, one session) is the default deployment: the same ingestion
 * path must hold there, concurrent groups queueing for the one connection.
 */
describe('webhook ingestion on the embedded PGlite', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ ...webhookEnv, DATABASE_URL: '', TDS_DATA_DIR: 'memory', TDS_WORKERS_ENABLED: 'false' });
  });
  afterAll(async () => {
    await testApp?.close();
  });

  it('accepts, answers redeliveries as duplicates, keeps invalid deliveries, shows them', async () => {
    const bodies = Array.from({ length: 20 }, (_, n) => ({ contact: { ...zohoContact, contact_id: `93000000${n}` } }));
    const responses = await Promise.all([...bodies, ...bodies].map((body) => deliver(testApp.app, 'zoho', body)));
    expect(responses.filter((res) => res.statusCode === 202)).toHaveLength(20);
    expect(responses.filter((res) => res.statusCode === 200)).toHaveLength(20);

    const item = await deliver(testApp.app, 'zoho', { item: zohoItem });
    expect(item.json().queueItemIds).toHaveLength(3);
    const invalid = await deliver(testApp.app, 'zoho', { contact: { contact_id: '930000009999' } });
    expect(invalid.statusCode).toBe(422);
    expect((await deliver(testApp.app, 'zoho', { contact: { contact_id: '930000009999' } })).statusCode).toBe(422);
    expect(await countStored(testApp.app)).toEqual({ inbox: 22, queue: 23 });

    const shown = await testApp.app.inject({
      method: 'GET',
      url: `/api/tds/inbox/${item.json().inboxId}`,
      headers: { authorization: `Bearer ${KEYS.viewer}` },
    });
    expect(shown.json()).toMatchObject({ entityType: 'product', status: 'queued', queueItems: [{ status: 'pending' }, {}, {}] });
  });
});
