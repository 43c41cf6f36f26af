import { CommandBus } from '@nestjs/cqrs';
import { PurgeInboxCommand } from '../../../../src/modules/tds/commands/purge-inbox/purge-inbox.command.js';
import type { TestApp } from '../../../support/create-test-app.js';
import { createTestApp } from '../../../support/create-test-app.js';
import { createTestDatabase, describePostgres } from '../../../support/test-database.js';
import type { TestDatabase } from '../../../support/test-database.js';
import { sql, webhookEnv } from './webhook-test-kit.js';

const DAY_S = 24 * 60 * 60;

describePostgres('PurgeInboxCommand: inbox retention', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  let keys = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = await createTestApp({ ...webhookEnv, DATABASE_URL: database.url, TDS_WORKERS_ENABLED: 'false' });
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    for (const table of ['tds_dead_letters', 'tds_sync_queue', 'tds_inbox_events']) await sql(testApp.app, `DELETE FROM ${table}`);
  });

  const purge = (olderThanSeconds: number, batchSize: number) =>
    testApp.app.get(CommandBus).execute(new PurgeInboxCommand(olderThanSeconds, batchSize));

  /** Inbox rows received `ageDays` ago; returns their ids. */
  async function inbox(count: number, ageDays: number, status: 'queued' | 'invalid' = 'queued'): Promise<number[]> {
    const rows = await sql<{ id: number }>(
      testApp.app,
      `INSERT INTO tds_inbox_events (source, idempotency_key, status, received_at)
       SELECT 'zoho', 'purge-test-' || ($1::int + g), $3, now() - make_interval(days => $4)
       FROM generate_series(1, $2::int) AS g
       RETURNING id`,
      [keys, count, status, ageDays],
    );
    keys += count;
    return rows.map((row) => row.id);
  }

  /** One queue item of `inboxId` in `status`; returns its id. */
  async function item(inboxId: number, status: string): Promise<number> {
    const [{ id }] = await sql<{ id: number }>(
      testApp.app,
      `INSERT INTO tds_sync_queue (source, inbox_event_id, entity_type, source_entity_id, operation, version, payload, status, max_attempts)
       VALUES ('zoho', $1::bigint, 'customer', 'c-' || $1::bigint, 'update', 1, '{}', $2, 5) RETURNING id`,
      [inboxId, status],
    );
    return id;
  }

  async function deadLetter(inboxId: number, resolved: boolean): Promise<void> {
    const queueItemId = await item(inboxId, 'dead_letter');
    await sql(
      testApp.app,
      `INSERT INTO tds_dead_letters (queue_item_id, source, entity_type, source_entity_id, operation, version, inbox_event_id,
                                     failure_reason, error_code, attempts, last_payload, resolved_at)
       VALUES ($1, 'zoho', 'customer', 'c-' || $2::bigint, 'update', 1, $2::bigint, 'failed', 'PERMANENT', 5, '{}', CASE WHEN $3::boolean THEN now() END)`,
      [queueItemId, inboxId, resolved],
    );
  }

  const remaining = async () =>
    (await sql<{ id: number }>(testApp.app, `SELECT id FROM tds_inbox_events ORDER BY id`)).map((row) => row.id);

  it('deletes old deliveries in batches, keeping those still needed', async () => {
    const done = await inbox(25, 40);
    for (const id of done) await item(id, 'completed');
    const [pending, retrying, processing, halfDone] = await inbox(4, 40);
    await item(pending, 'pending');
    await item(retrying, 'retry');
    await item(processing, 'processing');
    await item(halfDone, 'completed');
    await item(halfDone, 'pending');
    const [openDeadLetter, resolvedDeadLetter] = await inbox(2, 40);
    await deadLetter(openDeadLetter, false);
    await deadLetter(resolvedDeadLetter, true);
    const [oldInvalid] = await inbox(1, 40, 'invalid');
    const recent = await inbox(3, 10);
    for (const id of recent) await item(id, 'completed');

    // 25 done + the resolved dead letter's + the old invalid one = 27, by 10 a batch.
    expect(await purge(30 * DAY_S, 10)).toEqual({ deleted: 27, batches: 3 });
    expect(await remaining()).toEqual([pending, retrying, processing, halfDone, openDeadLetter, ...recent].sort((a, b) => a - b));
    expect(await remaining()).not.toContain(oldInvalid);

    // Nothing more to do until something changes.
    expect(await purge(30 * DAY_S, 10)).toEqual({ deleted: 0, batches: 1 });
    await sql(testApp.app, `UPDATE tds_dead_letters SET resolved_at = now() WHERE inbox_event_id = $1`, [openDeadLetter]);
    await sql(testApp.app, `UPDATE tds_sync_queue SET status = 'completed' WHERE inbox_event_id = $1`, [pending]);
    expect(await purge(30 * DAY_S, 10)).toEqual({ deleted: 2, batches: 1 });
  });

  it('concurrent purges (two instances) share the work without errors or double counting', async () => {
    await inbox(60, 40);
    const results = await Promise.all([purge(DAY_S, 5), purge(DAY_S, 5)]);
    expect(results[0].deleted + results[1].deleted).toBe(60);
    expect(await remaining()).toEqual([]);
  });

  it('refuses a batch size that could never finish', async () => {
    await expect(purge(DAY_S, 0)).rejects.toThrow(RangeError);
  });
});
