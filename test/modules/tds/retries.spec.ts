import { EventBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { TdsDeadLetterEvent, TdsEntitySyncFailedEvent } from '../../../src/modules/tds/public.js';
import { TestFaults } from '../../../src/modules/tds/apply/test-faults.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { insertQueueItems, productPayload, rows, waitUntilDrained } from '../../support/queue-fixtures.js';
import { eventually } from '../../support/spawn-app.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../../support/test-database.js';

const BASE_MS = 20;
const CAP_MS = 100;
const OPERATOR = { authorization: 'Bearer operator-key-0123456789abcd' };
const VIEWER = { authorization: 'Bearer viewer-key-0123456789abcd' };

describePostgres('retries, dead letters, replay and resolve', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  let db: DataSource;
  const published: unknown[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = await createTestApp({
      DATABASE_URL: database.url,
      TDS_WORKER_COUNT: '2',
      TDS_BATCH_SIZE: '50',
      TDS_POLL_INTERVAL_MS: '20',
      TDS_BACKOFF_BASE_MS: String(BASE_MS),
      TDS_BACKOFF_CAP_MS: String(CAP_MS),
      TDS_MAX_ATTEMPTS: '5',
      TDS_OUTBOX_POLL_INTERVAL_MS: '20',
      TDS_API_KEYS: 'operator:operator-key-0123456789abcd,viewer:viewer-key-0123456789abcd',
      TDS_TEST_FAULTS: 'transient:flaky;transient:poison;permanent:broken',
    });
    db = testApp.app.get(DataSource);
    testApp.app.get(EventBus).subscribe((event) => published.push(event));
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  const product = (id: string) => ({ entityType: 'product', sourceEntityId: id, operation: 'update' as const, version: 1, payload: productPayload(id, 1) });
  const item = async (id: number) => (await rows<Record<string, any>>(db, `SELECT * FROM tds_sync_queue WHERE id = $1`, [id]))[0];

  it('dead-letters an always-failing item after exactly max attempts, with delays under the ceiling; its batch-mates complete', async () => {
    const ids = await insertQueueItems(db, [product('poison'), ...Array.from({ length: 9 }, (_, i) => product(`mate-${i}`))]);
    await waitUntilDrained(db);

    const poison = await item(ids[0]);
    expect(poison).toMatchObject({ status: 'dead_letter', attempt: 5, error_code: 'TEST_TRANSIENT' });
    for (const id of ids.slice(1)) expect((await item(id)).status).toBe('completed');

    const attempts = await rows<{ attempt: number; outcome: string; delay_ms: number; ceiling_ms: number; started_at: Date; failed_at: Date; next_attempt_at: Date }>(
      db,
      `SELECT * FROM tds_queue_attempts WHERE queue_item_id = $1 ORDER BY attempt`,
      [ids[0]],
    );
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'retry'],
      [2, 'retry'],
      [3, 'retry'],
      [4, 'retry'],
      [5, 'dead_letter'],
    ]);
    attempts.slice(0, 4).forEach((a, i) => {
      expect(a.ceiling_ms).toBe(Math.min(CAP_MS, BASE_MS * 2 ** i));
      expect(a.delay_ms).toBeGreaterThanOrEqual(0);
      expect(a.delay_ms).toBeLessThan(a.ceiling_ms);
      // Recorded on the database clock: due exactly `delay` after the failure, and not retried before.
      expect(a.next_attempt_at.getTime() - a.failed_at.getTime()).toBeGreaterThanOrEqual(a.delay_ms - 1);
      expect(a.next_attempt_at.getTime() - a.failed_at.getTime()).toBeLessThanOrEqual(a.delay_ms + 1);
      expect(attempts[i + 1].started_at.getTime()).toBeGreaterThanOrEqual(a.next_attempt_at.getTime() - 1);
    });

    const [dead] = await rows<Record<string, any>>(db, `SELECT * FROM tds_dead_letters WHERE queue_item_id = $1`, [ids[0]]);
    expect(dead).toMatchObject({ error_code: 'TEST_TRANSIENT', attempts: 5, entity_type: 'product', source_entity_id: 'poison' });
    expect(dead.last_payload).toEqual(productPayload('poison', 1));
    // The last failure's event and the dead letter's are relayed in outbox order, which may span two relay passes.
    await eventually(() => {
      expect(published.filter((e) => e instanceof TdsDeadLetterEvent && e.queueItemId === ids[0])).toHaveLength(1);
      expect(published.filter((e) => e instanceof TdsEntitySyncFailedEvent && e.queueItemId === ids[0])).toHaveLength(5);
    });
  });

  it('completes an item whose first failures were transient', async () => {
    testApp.app.get(TestFaults).set('transient:flaky:2');
    const [id] = await insertQueueItems(db, [product('flaky')]);
    await waitUntilDrained(db);
    expect(await item(id)).toMatchObject({ status: 'completed', attempt: 2 });
  });

  it('dead-letters a permanent error on the first attempt', async () => {
    testApp.app.get(TestFaults).set('permanent:broken');
    const [id] = await insertQueueItems(db, [product('broken')]);
    await waitUntilDrained(db);
    expect(await item(id)).toMatchObject({ status: 'dead_letter', attempt: 1, error_code: 'TEST_PERMANENT' });
    const [attempts] = await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM tds_queue_attempts WHERE queue_item_id = $1`, [id]);
    expect(attempts.n).toBe(1);
  });

  it('replays a dead letter once fixed: a new item completes, the dead letter says who and when', async () => {
    testApp.app.get(TestFaults).set('');
    const [dead] = await rows<{ id: number }>(db, `SELECT id FROM tds_dead_letters WHERE source_entity_id = 'broken'`);
    const http = testApp.app;

    expect((await http.inject({ method: 'POST', url: `/api/tds/dead-letter/${dead.id}/replay`, headers: VIEWER })).statusCode).toBe(403);
    const res = await http.inject({ method: 'POST', url: `/api/tds/dead-letter/${dead.id}/replay`, headers: OPERATOR });
    expect(res.statusCode).toBe(202);
    const { queueItemId } = res.json();
    await waitUntilDrained(db);
    expect(await item(queueItemId)).toMatchObject({ status: 'completed', attempt: 0 });

    const [row] = await rows<Record<string, any>>(db, `SELECT * FROM tds_dead_letters WHERE id = $1`, [dead.id]);
    expect(row.replay_queue_item_id).toBe(queueItemId);
    expect(row.replayed_by).toMatch(/^operator:[0-9a-f]+$/);
    expect(row.replayed_at).toBeInstanceOf(Date);
    const [mirror] = await rows<{ version: number }>(db, `SELECT version FROM tds_entities WHERE source_entity_id = 'broken'`);
    expect(mirror.version).toBe(1);

    const again = await http.inject({ method: 'POST', url: `/api/tds/dead-letter/${dead.id}/replay`, headers: OPERATOR });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe('DEAD_LETTER.ALREADY_REPLAYED');
  });

  it('resolves a dead letter with a note, once', async () => {
    const [dead] = await rows<{ id: number }>(db, `SELECT id FROM tds_dead_letters WHERE source_entity_id = 'poison'`);
    const http = testApp.app;
    const url = `/api/tds/dead-letter/${dead.id}/resolve`;

    const missingNote = await http.inject({ method: 'POST', url, headers: OPERATOR, payload: {} });
    expect(missingNote.statusCode).toBe(422);
    expect((await http.inject({ method: 'POST', url, headers: VIEWER, payload: { note: 'x' } })).statusCode).toBe(403);

    const res = await http.inject({ method: 'POST', url, headers: OPERATOR, payload: { note: 'bad SKU in Zoho, fixed by hand' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ deadLetterId: dead.id, note: 'bad SKU in Zoho, fixed by hand' });
    const again = await http.inject({ method: 'POST', url, headers: OPERATOR, payload: { note: 'again' } });
    expect(again.json()).toMatchObject({ statusCode: 409, error: 'DEAD_LETTER.ALREADY_RESOLVED' });
    const missing = await http.inject({ method: 'POST', url: '/api/tds/dead-letter/999999/resolve', headers: OPERATOR, payload: { note: 'x' } });
    expect(missing.json()).toMatchObject({ statusCode: 404, error: 'DEAD_LETTER.NOT_FOUND' });
  });
});
